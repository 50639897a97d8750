/**
 * `gpuops config check [--live] [--demo]`: validates the configuration and says, in plain words,
 * what it checked and what is missing. With --live it also probes each configured dependency
 * once: the Azure identity's permissions on each subscription (the actions Reader, Cost Management
 * Reader and Monitoring Reader give), the Slack bot token and its scopes against the Slack app
 * manifest, the Teams bot credentials, PostgreSQL and Prometheus.
 * Exit codes as the CLI's: 0 all good, 1 the configuration is wrong, 2 a dependency failed a probe.
 *
 * @example
 * process.exitCode = await configCheck(["--live"], process.env, console.log);
 */
import { existsSync, readFileSync } from "node:fs";
import { access, constants } from "node:fs/promises";
import { consoleAccess } from "./chat/console/access.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";

type Verdict = "ok" | "warn" | "fail" | "skip";
interface Line {
  verdict: Verdict;
  what: string;
  detail: string;
}

/** Slack scopes gpuops calls, used when the app manifest is not shipped beside the code. */
export const DEFAULT_SLACK_SCOPES = ["commands", "chat:write"];

/** The Slack bot scopes the app manifest asks for (deploy/slack/manifest.yaml). */
export async function manifestSlackScopes(path = new URL("../deploy/slack/manifest.yaml", import.meta.url)): Promise<string[]> {
  if (!existsSync(path)) return DEFAULT_SLACK_SCOPES;
  const { parse } = await import("yaml");
  const manifest = parse(readFileSync(path, "utf8")) as { oauth_config?: { scopes?: { bot?: unknown } } };
  const bot = manifest.oauth_config?.scopes?.bot;
  return Array.isArray(bot) ? bot.filter((s): s is string => typeof s === "string") : DEFAULT_SLACK_SCOPES;
}

/**
 * What gpuops does on a subscription, the action Azure checks for it, and the built-in role that
 * grants it (several actions may stand for one need).
 */
export const AZURE_NEEDS = [
  { need: "list GPU sizes (skus)", actions: ["Microsoft.Compute/skus/read"], role: "Reader" },
  { need: "read quota (quota)", actions: ["Microsoft.Compute/locations/usages/read"], role: "Reader" },
  { need: "list VMs and node pools (running, idle)", actions: ["Microsoft.ResourceGraph/resources/read"], role: "Reader" },
  { need: "read GPU spend (cost, digest)", actions: ["Microsoft.CostManagement/query/read", "Microsoft.CostManagement/query/action"], role: "Cost Management Reader" },
  { need: "read GPU metrics (idle)", actions: ["Microsoft.Insights/metrics/read"], role: "Monitoring Reader" },
] as const;

/** True when an ARM action is allowed by a permission set (wildcards as Azure RBAC reads them). */
export function actionAllowed(action: string, permissions: { actions?: string[]; notActions?: string[] }[]): boolean {
  const matches = (pattern: string) => new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "i").test(action);
  return permissions.some((p) => (p.actions ?? []).some(matches) && !(p.notActions ?? []).some(matches));
}
const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");

const PROBE_MS = 5000;

export async function configCheck(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void): Promise<number> {
  const unknown = argv.filter((a) => !["--live", "--demo"].includes(a));
  if (unknown.length) {
    out(`Unknown option ${unknown.join(", ")} for config check. Try: gpuops config check [--live] [--demo]`);
    return 1;
  }
  const live = argv.includes("--live");
  const lines: Line[] = [];
  const add = (verdict: Verdict, what: string, detail: string) => lines.push({ verdict, what, detail });
  let config: Config;
  try {
    config = loadConfig(argv.includes("--demo") ? { ...env, GPUOPS_DEMO: "true" } : env);
    add("ok", "settings", "every setting is valid (environment and gpuops.yaml)");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    add("fail", "settings", err.message);
    print(out, lines, live);
    return 1;
  }
  await staticChecks(config, add);
  if (live) await liveChecks(config, add);
  print(out, lines, live);
  const failed = lines.filter((l) => l.verdict === "fail");
  if (failed.some((l) => !l.what.startsWith("live:"))) return 1;
  return failed.length > 0 ? 2 : 0;
}

function print(out: (s: string) => void, lines: Line[], live: boolean): void {
  out(`gpuops config check${live ? " --live" : ""}`);
  for (const l of lines) out(`  ${l.verdict.padEnd(4)}  ${l.what}: ${l.detail}`);
  const fails = lines.filter((l) => l.verdict === "fail").length;
  const warns = lines.filter((l) => l.verdict === "warn").length;
  out(
    fails
      ? `${fails} problem${fails > 1 ? "s" : ""} to fix.`
      : `All checks passed${warns ? ` (${warns} warning${warns > 1 ? "s" : ""})` : ""}.${live ? "" : " Add --live to probe Azure, Slack, Teams, PostgreSQL and Prometheus."}`,
  );
}

async function staticChecks(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  if (config.demo) add("ok", "Azure", "demo mode: answers come from the built-in fake tenant; no Azure access needed");
  else if (config.azure.managementGroup) add("ok", "Azure", `scope is management group ${config.azure.managementGroup}`);
  else add("ok", "Azure", `scope is ${config.azure.subscriptionIds.length} subscription(s): ${config.azure.subscriptionIds.join(", ")}`);

  if (config.store.databaseUrl) {
    const host = safeHost(config.store.databaseUrl);
    add("ok", "store", `PostgreSQL at ${host}; several replicas may share it`);
  } else if (config.store.dataDir === ":memory:") {
    add("warn", "store", "SQLite in memory: nothing survives a restart");
  } else {
    try {
      await access(config.store.dataDir, constants.W_OK);
      add("ok", "store", `SQLite in ${config.store.dataDir} (writable); run one replica only`);
    } catch {
      add(
        existsSync(config.store.dataDir) ? "fail" : "ok",
        "store",
        existsSync(config.store.dataDir) ? `SQLite data dir ${config.store.dataDir} is not writable` : `SQLite in ${config.store.dataDir} (created at start); run one replica only`,
      );
    }
  }

  const s = config.slack;
  if (s.botToken && (s.signingSecret || s.appToken))
    add("ok", "Slack", s.appToken ? "bot token and app token (Socket Mode)" : "bot token and signing secret (HTTP at /slack/events)");
  else if (s.botToken || s.signingSecret || s.appToken) add("fail", "Slack", "incomplete: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)");
  else add("skip", "Slack", "off (no SLACK_BOT_TOKEN)");

  const t = config.teams;
  if (!t.appId) add("skip", "Teams", "off (no clientId)");
  else if ((t.authType ?? "ClientSecret") === "ClientSecret" && !t.appPassword) add("fail", "Teams", "authType ClientSecret needs clientSecret");
  else add("ok", "Teams", `bot ${t.appId}, auth ${t.authType ?? "ClientSecret"}${t.tenantId ? `, tenant ${t.tenantId}` : ""}`);

  const c = consoleAccess(config);
  add("ok", "console", `${c.enabled ? "on" : "off"}: ${c.reason}`);

  const tel = config.telemetry;
  add(
    tel.prometheusUrl ? "ok" : "skip",
    "Prometheus",
    tel.prometheusUrl ? `GPU metrics from ${safeHost(tel.prometheusUrl)}` : "not set; idle detection uses Azure Monitor metrics only",
  );
  add("ok", "shutdown", `on SIGTERM /readyz turns 503 for ${config.shutdown.drainDelay} s, then in-flight work gets up to ${config.shutdown.timeout} s`);
}

async function liveChecks(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  await probeAzure(config, add);
  await probeSlack(config, add);
  await probeTeams(config, add);
  await probePostgres(config, add);
  await probePrometheus(config, add);
}

async function probeAzure(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  if (config.demo) {
    add("skip", "live: Azure", "demo mode: no Azure identity to probe");
    return;
  }
  if (config.azure.subscriptionIds.length === 0) {
    add("skip", "live: Azure", "roles are probed per listed subscription; set AZURE_SUBSCRIPTION_IDS to check them");
    return;
  }
  const { createAzureAccess } = await import("./azure/client-factory.ts");
  const azure = createAzureAccess({
    cloud: config.azure.cloud,
    url: config.azure.url,
    token: config.azure.token,
    concurrency: 1,
    maxRetries: 0,
    maxRetryWaitSeconds: 0,
  });
  let token: string;
  try {
    const t = await azure.credential.getToken(`${azure.endpoint}/.default`);
    if (!t) throw new Error("no token");
    token = t.token;
  } catch (err) {
    add(
      "fail",
      "live: Azure",
      `could not sign in: ${message(err)}. In Azure give the app a managed identity; elsewhere set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET`,
    );
    return;
  }
  for (const sub of config.azure.subscriptionIds) {
    try {
      const res = await fetch(`${azure.endpoint}/subscriptions/${sub}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(PROBE_MS),
      });
      if (!res.ok) {
        add("fail", "live: Azure", `subscription ${sub}: ${res.status} reading the identity's permissions; give it the Reader role there`);
        continue;
      }
      const perms = ((await res.json()) as { value?: { actions?: string[]; notActions?: string[] }[] }).value ?? [];
      const missing = AZURE_NEEDS.filter((n) => !n.actions.some((a) => actionAllowed(a, perms)));
      if (missing.length === 0) add("ok", "live: Azure", `subscription ${sub}: every action gpuops needs is allowed`);
      else add("fail", "live: Azure", `subscription ${sub}: cannot ${missing.map((m) => `${m.need} (give it ${m.role})`).join("; ")}`);
    } catch (err) {
      add("fail", "live: Azure", `subscription ${sub}: ${message(err)}`);
    }
  }
}

async function probeSlack(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  if (!config.slack.botToken) return;
  const { WebClient } = await import("@slack/web-api");
  const client = new WebClient(config.slack.botToken, { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 0 }, timeout: PROBE_MS });
  try {
    const r = await client.auth.test();
    const granted = r.response_metadata?.scopes;
    const wanted = await manifestSlackScopes();
    if (!granted) {
      add(
        "warn",
        "live: Slack",
        `token works (team ${r.team ?? r.team_id}, bot ${r.user ?? r.user_id}); Slack did not list its scopes, so they were not compared with ${wanted.join(", ")}`,
      );
      return;
    }
    const missing = wanted.filter((s) => !granted.includes(s));
    if (missing.length)
      add(
        "fail",
        "live: Slack",
        `token works but lacks ${missing.join(", ")}: add them in the app's OAuth & Permissions page (or re-create it from deploy/slack/manifest.yaml) and reinstall`,
      );
    else add("ok", "live: Slack", `token works (team ${r.team ?? r.team_id}) and has every scope gpuops uses: ${wanted.join(", ")}`);
  } catch (err) {
    add("fail", "live: Slack", `auth.test failed: ${message(err)}; check SLACK_BOT_TOKEN`);
  }
}

async function probeTeams(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  const t = config.teams;
  if (!t.appId) return;
  if ((t.authType ?? "ClientSecret") !== "ClientSecret" || !t.appPassword) {
    add("skip", "live: Teams", `auth ${t.authType}: a managed or federated identity can only be probed from inside Azure`);
    return;
  }
  const { ClientSecretCredential } = await import("@azure/identity");
  const credential = new ClientSecretCredential(t.tenantId ?? "botframework.com", t.appId, t.appPassword, {
    ...(t.authority ? { authorityHost: t.authority } : {}),
    retryOptions: { maxRetries: 0 },
  });
  try {
    await credential.getToken("https://api.botframework.com/.default", { abortSignal: AbortSignal.timeout(PROBE_MS) });
    add("ok", "live: Teams", `Microsoft Entra issued a Bot Framework token to app ${t.appId}`);
  } catch (err) {
    add("fail", "live: Teams", `Microsoft Entra refused app ${t.appId}: ${message(err).split("\n")[0]}; check clientId, clientSecret and tenantId`);
  }
}

async function probePostgres(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  const url = config.store.databaseUrl;
  if (!url) return;
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_MS });
  try {
    await client.connect();
    const r = await client.query<{ v: string }>("select current_setting('server_version') as v");
    add("ok", "live: PostgreSQL", `connected to ${safeHost(url)} (PostgreSQL ${r.rows[0]?.v ?? "?"})`);
  } catch (err) {
    add("fail", "live: PostgreSQL", `cannot connect to ${safeHost(url)}: ${message(err)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probePrometheus(config: Config, add: (v: Verdict, what: string, detail: string) => void): Promise<void> {
  const tel = config.telemetry;
  if (!tel.prometheusUrl) return;
  if (tel.prometheusAuth === "entra") {
    add("skip", "live: Prometheus", "Azure Monitor managed Prometheus: probed with the Azure identity only from inside Azure");
    return;
  }
  const base = tel.prometheusUrl.replace(/\/+$/, "");
  try {
    const res = await fetch(`${base}/api/v1/status/buildinfo`, {
      headers: tel.prometheusToken ? { authorization: `Bearer ${tel.prometheusToken}` } : {},
      signal: AbortSignal.timeout(PROBE_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const info = (await res.json()) as { data?: { version?: string } };
    add("ok", "live: Prometheus", `${safeHost(base)} answers (Prometheus ${info.data?.version ?? "?"})`);
  } catch (err) {
    add("fail", "live: Prometheus", `${safeHost(base)} does not answer its API: ${message(err)}`);
  }
}

/** A URL's host and port only: user names and passwords never reach the output. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(unparsable URL)";
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

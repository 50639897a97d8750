/**
 * `gpuops <command…>`: the same commands as Slack and Teams, answered in the terminal.
 * Exit codes: 0 answered, 1 user error (bad command or config), 2 Azure error or partial answer.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRouter, type Router } from "./commands/router.ts";
import type { CommandContext, CoreLogger, Verb } from "./commands/types.ts";
import { type Config, ConfigError, ENV_KEYS, loadConfig } from "./config.ts";
import { GpuopsError } from "./errors.ts";
import { createLogger } from "./log.ts";
import { renderJson, renderText } from "./render/text.ts";
import type { Reply } from "./reply/reply.ts";
import type { Services } from "./services/ports.ts";

export function usage(router: Router = createRouter()): string {
  const lines = [
    "gpuops: straight answers about GPUs on Azure, for Slack, Teams and the terminal.",
    "",
    "Usage:",
    "  gpuops <command…> [--json] [--demo]",
    '  gpuops "<question in plain words>" [--demo]   e.g. gpuops "what did we spend last week" --demo',
    "  npm start                      run the bot (HTTP server; demo data when no Azure scope is set)",
    "  gpuops config check [--live]   check the configuration; --live probes Azure, Slack, Teams, PostgreSQL, Prometheus",
    "",
    "Commands:",
    ...router.verbs().map((v) => `  ${v.usage.padEnd(40)} ${v.summary}`),
    "",
    "Options:",
    "  --json     print the answer as JSON (the platform-neutral Reply)",
    "  --demo     answer from the built-in demo tenant (fake Azure), whatever is configured",
    "  --help     this text",
    "",
    "Exit codes: 0 answered, 1 bad command or configuration, 2 Azure error or partial answer.",
    "",
    'Configuration (environment, or gpuops.yaml; see README "Configuration"):',
    ...Object.entries(ENV_KEYS).map(([k, s]) => `  ${k.padEnd(30)} e.g. ${s.example}`),
  ];
  return lines.join("\n");
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  // `gpuops config check [--live]`: validates settings and probes dependencies (src/config-check.ts).
  if (argv[0] === "config" && argv[1] === "check") return (await import("./config-check.ts")).configCheck(argv.slice(2), env, out);
  // Answers without Azure use this router; the rest use the app's (with the buttons of its store).
  const router = createRouter();
  // A verb's own options (digest --dry-run) travel with its words; the rest are the CLI's.
  const verbOptions = router.verbs().find((v) => v.name === argv.find((a) => !a.startsWith("-"))?.toLowerCase())?.cliOptions ?? [];
  const flags = new Set(argv.filter((a) => /^--?[a-z]/i.test(a) && !a.includes(" ") && !verbOptions.includes(a.toLowerCase())));
  const words = argv.filter((a) => !flags.has(a));
  if (flags.has("--help") || flags.has("-h")) {
    out(usage(router));
    return 0;
  }
  const unknown = [...flags].filter((f) => !["--json", "--demo"].includes(f));
  if (unknown.length) {
    out(`Unknown option ${unknown.join(", ")}. Try: gpuops --help`);
    return 1;
  }
  let config: Config;
  try {
    // A one-shot answer logs warnings and worse unless GPUOPS_LOG_LEVEL (or gpuops.yaml) says otherwise.
    config = loadConfig(flags.has("--demo") ? { ...env, GPUOPS_DEMO: "true" } : env, { defaultLogLevel: "warn" });
  } catch (err) {
    if (err instanceof ConfigError) {
      out(err.message);
      return 1;
    }
    throw err;
  }
  const log = createLogger(config.logLevel, process.stderr);
  const text = words.join(" ");
  const request = { text, actor: { id: "cli", name: env.USER ?? "cli" }, channel: { id: "cli", platform: "cli" as const }, surface: "cli" as const };
  const print = (reply: Reply) => {
    out(flags.has("--json") ? renderJson(reply) : reply.attachment ? reply.attachment.content.trimEnd() : renderText(reply));
    return reply.outcome === "ok" ? 0 : reply.outcome === "user_error" ? 1 : 2;
  };
  // A sentence ("what did we spend last week") decides by the verb it is read as.
  const verb = router.verbFor(text);
  // help, explain, free questions and unknown words never reach Azure: answer them without
  // loading the Azure SDKs or starting the demo's fake Azure (most of a one-shot CLI's time).
  if (answersWithoutAzure(verb)) return print(await router.run(request, offlineContext(config, log)));
  // Loaded only now: the composition root pulls in the Azure SDKs, the store and the fake Azure.
  const { createApp } = await import("./app.ts");
  // Charts become PNG files in the temp folder; the answer prints their path.
  // Verbs that keep state (GPU requests) read the same store the server uses.
  const app = await createApp(config, { log, chartDir: join(tmpdir(), "gpuops-charts"), withStore: verb?.usesStore === true });
  try {
    return print(await app.router.run(request, app.context()));
  } finally {
    await app.close();
  }
}

/** Verbs that declare they never touch Azure nor the store, and text that names no verb at all. */
export const answersWithoutAzure = (verb: Verb | undefined): boolean => verb === undefined || (verb.usesAzure === false && verb.usesStore !== true);

/**
 * The context for answers that need no Azure: settings from config, and Azure ports that refuse
 * loudly, so a verb that wrongly declares `usesAzure: false` fails its tests instead of guessing.
 */
function offlineContext(config: Config, log: CoreLogger): CommandContext {
  const refuse = (port: string) =>
    new Proxy(
      {},
      {
        get: (_t, prop) =>
          prop === "then" ? undefined : () => Promise.reject(new GpuopsError("internal", `${port}.${String(prop)} was called by a verb declared usesAzure: false`)),
      },
    );
  const services = {
    scope: refuse("scope"),
    skus: refuse("skus"),
    usages: refuse("usages"),
    fleet: refuse("fleet"),
    prices: refuse("prices"),
    cost: refuse("cost"),
    charts: refuse("charts"),
  } as Services;
  const settings = {
    regions: config.regions,
    currency: config.currency,
    timezone: config.timezone,
    demo: config.demo,
    digest: { defaultAt: config.digest.defaultAt, groupBy: config.digest.groupBy },
  };
  return { services, settings, now: () => new Date(), log };
}

/**
 * `openai` (alias `aoai`): Azure OpenAI capacity in chat. `quota` reads the Cognitive Services
 * usages per subscription × region (token quota in units of 1,000 TPM, PTUs per region); `where`
 * ranks regions from the model-capacities API; `deployments` lists every deployment with its
 * type, capacity and retirement date; `idle` finds provisioned deployments whose utilisation stays
 * under a threshold and what their PTUs cost meanwhile.
 */
import { formatHourly, formatMoney } from "../domain/money.ts";
import {
  type CapacityOffer,
  capacityUnitOf,
  compactTokens,
  DEFAULT_PTU_IDLE_HOURS,
  DEFAULT_PTU_IDLE_PERCENT,
  isProvisioned,
  MODEL_NAME,
  type PtuVerdict,
  parseCapacityAsk,
  parseUsageName,
  ptuCost,
  ptuVerdict,
  quotaFigures,
  quotaSentence,
  RPM_PER_1K_TPM,
  rankOffers,
  sameModel,
  TPM_PER_UNIT,
} from "../domain/openai-capacity.ts";
import type { ErrorCode } from "../errors.ts";
import { type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { OpenAiAccount, OpenAiDeployment, OpenAiPort } from "../services/ports.ts";
import { takeRegion } from "./args.ts";
import { count, plural, regionLabel, someNames } from "./format.ts";
import { gather, partialNotes } from "./partial.ts";
import type { CommandContext, Verb } from "./types.ts";

export const OPENAI_ALIASES: Readonly<Record<string, string>> = { aoai: "openai", "azure-openai": "openai" };

const PTU_LABEL = "all models (PTU)";
const SUBCOMMANDS = ["quota", "where", "deployments", "idle"] as const;
const ROLE_NOTE = "Reading Azure OpenAI quota needs the Cognitive Services Usages Reader role (or Reader) at subscription scope.";

/** "240k TPM" for token capacity units, "100 PTU" for provisioned. */
export function capacityText(type: string, units: number | undefined): string {
  if (units === undefined) return "—";
  return capacityUnitOf(type) === "PTU" ? `${count(units)} PTU` : `${compactTokens(units * TPM_PER_UNIT)} TPM`;
}

function port(ctx: CommandContext): OpenAiPort | undefined {
  return ctx.services.openai;
}

const notWired = () => userError("openai_unavailable", "Azure OpenAI capacity is not wired into this gpuops instance.", "quota eastus");

export const openaiVerb: Verb = {
  name: "openai",
  summary: "Azure OpenAI capacity: TPM/PTU quota left, where a model can be deployed, deployments and retirements, idle PTUs",
  usage: "openai quota [region] [model] | openai where <model> [<n>k tpm | <n> ptu] [type] | openai deployments [region|account] | openai idle [<n> %]",
  examples: [
    "openai quota swedencentral",
    "openai quota eastus2 gpt-4.1",
    "openai where gpt-4o 300k tpm",
    "openai where gpt-4o 50 ptu global provisioned",
    "openai deployments",
    "openai idle",
  ],
  details: `Token quota is counted in units of 1,000 TPM per subscription × region × model × deployment type; RPM follows at ${RPM_PER_1K_TPM} RPM per 1,000 TPM. Provisioned (PTU) quota is per region. ${ROLE_NOTE} Alias: aoai.`,
  async run(args, _req, ctx) {
    const p = port(ctx);
    if (!p) return notWired();
    const sub = (args[0] ?? "").toLowerCase();
    const rest = args.slice(1);
    switch (sub) {
      case "quota":
      case "quotas":
        return quota(p, rest, ctx);
      case "where":
        return where(p, rest, ctx);
      case "deployments":
      case "deployment":
      case "list":
        return deployments(p, rest, ctx);
      case "idle":
        return idle(p, rest, ctx);
      case "":
        return overview();
      default:
        return userError("unknown_subcommand", `openai has no "${sub.slice(0, 30)}" question. It answers: ${SUBCOMMANDS.join(", ")}.`, "openai quota swedencentral");
    }
  },
};

/** Bare `openai`: what it can answer, with one example each. */
function overview(): Reply {
  return reply(
    "Azure OpenAI capacity",
    [
      table(
        [
          { key: "ask", label: "Ask", priority: 1 },
          { key: "answers", label: "Answers", priority: 1 },
        ],
        [
          { ask: "openai quota [region] [model]", answers: "TPM and PTU quota used, limit and left per subscription and region, with the RPM it allows" },
          { ask: "openai where <model> [<n>k tpm | <n> ptu] [type]", answers: "regions with capacity for the model now, those that fit first" },
          { ask: "openai deployments [region|account]", answers: "every deployment: model, version, type, capacity, retirement date" },
          { ask: "openai idle [<n> %]", answers: "provisioned deployments under the threshold for 24 h, and what their PTUs cost" },
        ],
      ),
      text(`Examples: ${openaiVerb.examples.slice(0, 4).join(" · ")}`),
    ],
    { context: [ROLE_NOTE] },
  );
}

// ---------------------------------------------------------------------------------------------

async function quota(p: OpenAiPort, args: string[], ctx: CommandContext): Promise<Reply> {
  let regions = ctx.settings.regions;
  let model: string | undefined;
  const taken = takeRegion(args);
  const rest = taken ? taken.rest : args;
  if (taken) regions = [taken.region];
  if (rest.length > 1 || (rest[0] !== undefined && !MODEL_NAME.test(rest[0]))) {
    const what = rest.join(" ").slice(0, 60);
    return userError(
      "unknown_region_or_model",
      `I don't know the region or model "${what}". Regions look like swedencentral or "East US 2"; models like gpt-4o or gpt-4.1-mini.`,
      "openai quota swedencentral gpt-4o",
    );
  }
  model = rest[0]?.toLowerCase();
  const subs = await ctx.services.scope.subscriptions();
  const keys = subs.flatMap((s) => regions.map((region) => ({ sub: s, region })));
  const g = await gather(keys, (k) => p.usages(k.sub.id, k.region));
  const rows: Row[] = [];
  const sentences: Array<{ used: number; line: string }> = [];
  for (const { key, value } of g.ok) {
    for (const u of value) {
      const parsed = parseUsageName(u.name);
      if (!parsed) continue;
      if (model && !(parsed.model ? sameModel(parsed.model, model) : isProvisioned(parsed.type))) continue;
      if (!model && u.limit === 0 && u.current === 0) continue;
      const f = quotaFigures(parsed.type, u.current, u.limit);
      const label = parsed.model ?? PTU_LABEL;
      sentences.push({
        used: f.limit > 0 ? f.used / f.limit : 0,
        line: `${subs.length > 1 ? `${key.sub.name} · ` : ""}${regions.length > 1 ? `${key.region} · ` : ""}${quotaSentence(parsed.model, parsed.type, f)}`,
      });
      rows.push({
        subscription: key.sub.name,
        region: key.region,
        model: label,
        type: parsed.type,
        used: f.unit === "TPM" ? compactTokens(f.used) : count(f.used),
        limit: f.unit === "TPM" ? `${compactTokens(f.limit)} TPM` : `${count(f.limit)} PTU`,
        left: f.unit === "TPM" ? compactTokens(f.left) : count(f.left),
        rpm: f.rpmLeft === undefined ? "—" : `≈ ${count(f.rpmLeft)}`,
      });
    }
  }
  rows.sort(
    (a, b) =>
      (a.subscription ?? "").localeCompare(b.subscription ?? "") ||
      (a.region ?? "").localeCompare(b.region ?? "") ||
      (a.model ?? "").localeCompare(b.model ?? "") ||
      (a.type ?? "").localeCompare(b.type ?? ""),
  );
  const { notes, outcome } = partialNotes(g, (k) => `${k.sub.name} in ${k.region}`);
  const where = regions.length === 1 ? `in ${regionLabel(regions[0] as string)}` : `in ${regions.length} regions`;
  const title = `Azure OpenAI quota${model ? ` for ${model}` : ""} ${where}`;
  const context = [
    `Token quota counts in units of 1,000 TPM; RPM ≈ ${RPM_PER_1K_TPM} per 1,000 TPM (the ratio varies by model). PTU quota is per region, for all models. ${subs.length > 1 ? `${subs.length} subscriptions.` : `Subscription ${subs[0]?.name ?? "?"}.`}`,
    ...notes,
  ];
  if (outcome === "azure_error" && g.failed.some((f) => f.error.code === "azure_forbidden")) context.push(ROLE_NOTE);
  // PTU quota applies to every model, so it alone does not mean the model has a quota row.
  if (rows.length === 0 || (model && !rows.some((r) => r.model !== PTU_LABEL))) {
    const msg =
      outcome === "azure_error"
        ? (g.failed[0]?.error.message ?? "Azure did not answer.")
        : model
          ? `No quota item found for ${model} ${where}: Azure lists no OpenAI.<type>.${model} row there, so the model is probably not offered to this subscription (which is not the same as a limit of 0). Try \`openai where ${model}\`.`
          : `No Azure OpenAI quota is assigned or used ${where}.`;
    return reply(title, [text(msg, outcome === "azure_error" ? "error" : "info")], {
      context,
      outcome,
      ...(outcome === "azure_error" ? { code: g.failed[0]?.error.code ?? "azure_error" } : {}),
    });
  }
  const columns = [
    ...(subs.length > 1 ? [{ key: "subscription", label: "Subscription", priority: 3 as const, kind: "name" as const }] : []),
    ...(regions.length > 1 ? [{ key: "region", label: "Region", priority: 2 as const, kind: "name" as const }] : []),
    { key: "model", label: "Model", priority: 1 as const, kind: "name" as const },
    { key: "type", label: "Deployment type", priority: 1 as const, kind: "name" as const },
    { key: "used", label: "Used", align: "right" as const, priority: 2 as const, kind: "number" as const },
    { key: "limit", label: "Limit", align: "right" as const, priority: 2 as const, kind: "number" as const },
    { key: "left", label: "Left", align: "right" as const, priority: 1 as const, kind: "number" as const },
    { key: "rpm", label: "RPM left", align: "right" as const, priority: 3 as const, kind: "number" as const },
  ];
  const parts: Part[] = [];
  // The headline: the most used quotas in words; the table has every row.
  const headline = sentences
    .filter((x) => x.used > 0)
    .sort((a, b) => b.used - a.used)
    .slice(0, 5);
  if (headline.length > 0) parts.push(text(headline.map((x) => x.line).join("\n")));
  parts.push(table(columns, rows, { narrowHint: "openai quota <region> <model>" }));
  return reply(title, parts, { context, outcome });
}

// ---------------------------------------------------------------------------------------------

async function where(p: OpenAiPort, args: string[], ctx: CommandContext): Promise<Reply> {
  const parsed = parseCapacityAsk(args);
  if (!parsed.ok) return userError("bad_openai_where", parsed.problem, "openai where gpt-4o 300k tpm");
  const ask = parsed.ask;
  const [sub] = await ctx.services.scope.subscriptions();
  if (!sub) return userError("no_scope", "No Azure subscription is in scope.", "set AZURE_SUBSCRIPTION_IDS");
  const today = ctx.now().toISOString();
  // The capacities API wants a version: take the versions the configured regions list for the model.
  const mg = await gather(ctx.settings.regions, (region) => p.models(sub.id, region));
  const versions = new Map<string, { format: string; retiresAt?: string }>();
  for (const { value } of mg.ok)
    for (const m of value) if (sameModel(m.name, ask.model)) versions.set(m.version, { format: m.format, ...(m.retiresAt ? { retiresAt: m.retiresAt } : {}) });
  const live = [...versions].filter(([, v]) => !v.retiresAt || v.retiresAt > today);
  const title = `Where to deploy ${ask.model}${ask.amount ? ` (${ask.amount.unit === "PTU" ? `${count(ask.amount.value)} PTU` : `${compactTokens(ask.amount.value * TPM_PER_UNIT)} TPM`})` : ""}${ask.type ? ` as ${ask.type}` : ""}`;
  if (live.length === 0) {
    const { notes, outcome } = partialNotes(mg, (r) => regionLabel(r));
    const msg =
      outcome === "azure_error"
        ? (mg.failed[0]?.error.message ?? "Azure did not answer.")
        : `None of the ${ctx.settings.regions.length} regions searched lists a current version of ${ask.model}. Model names look like gpt-4o, gpt-4.1, gpt-4o-mini.`;
    return reply(title, [text(msg, outcome === "azure_error" ? "error" : "info")], { context: notes, outcome: outcome === "ok" ? "ok" : outcome });
  }
  const cg = await gather(live, ([version, v]) => p.modelCapacities(sub.id, { format: v.format, name: ask.model, version }));
  const offers: CapacityOffer[] = cg.ok.flatMap(({ value }) => value.map((c) => ({ region: c.region, version: c.version, skuName: c.skuName, available: c.availableCapacity })));
  const ranked = rankOffers(offers, ask);
  const { notes, outcome } = partialNotes(cg, ([version]) => `version ${version}`);
  const context = [
    `Available capacity as the model-capacities API reports it for subscription ${sub.name}, all regions; best first: fits the ask, then most capacity. Your quota there: \`openai quota <region> ${ask.model}\`.`,
    ...notes,
  ];
  if (ranked.length === 0) {
    return reply(
      title,
      [
        text(
          outcome === "azure_error" ? (cg.failed[0]?.error.message ?? "Azure did not answer.") : `No region reports capacity for ${ask.model}${ask.type ? ` as ${ask.type}` : ""}.`,
          outcome === "azure_error" ? "error" : "info",
        ),
      ],
      { context, outcome },
    );
  }
  const fitting = ranked.filter((o) => o.fits);
  const lead = fitting.length
    ? `${plural(new Set(fitting.map((o) => o.region)).size, "region")} can take it now: ${someNames([...new Set(fitting.map((o) => o.region))])}.`
    : `No region reports enough capacity${ask.amount ? ` for ${ask.amount.unit === "PTU" ? `${ask.amount.value} PTU` : `${compactTokens(ask.amount.value * TPM_PER_UNIT)} TPM`}` : ""}; the largest are listed first.`;
  const rows = ranked.slice(0, 30).map((o) => ({
    region: o.region,
    type: o.skuName,
    version: o.version,
    available: capacityText(o.skuName, o.available),
    fit: o.fits ? "yes" : o.available > 0 ? "not enough" : "none left",
  }));
  return reply(
    title,
    [
      text(lead, fitting.length ? "success" : "warning"),
      table(
        [
          { key: "region", label: "Region", priority: 1, kind: "name" },
          { key: "type", label: "Deployment type", priority: 1, kind: "name" },
          { key: "version", label: "Version", priority: 3, kind: "name" },
          { key: "available", label: "Available", align: "right", priority: 1, kind: "number" },
          { key: "fit", label: ask.amount ? "Fits" : "Capacity", priority: 2 },
        ],
        rows,
        { narrowHint: "openai where <model> <amount> <type>" },
      ),
    ],
    { context, outcome },
  );
}

// ---------------------------------------------------------------------------------------------

interface Inventory {
  deployments: OpenAiDeployment[];
  accounts: OpenAiAccount[];
  notes: string[];
  outcome: "ok" | "partial" | "azure_error";
  code?: ErrorCode;
}

async function inventory(p: OpenAiPort, ctx: CommandContext, keep: (a: OpenAiAccount) => boolean = () => true): Promise<Inventory> {
  const subs = await ctx.services.scope.subscriptions();
  const ag = await gather(subs, (s) => p.accounts(s.id));
  const accounts = ag.ok.flatMap((x) => x.value).filter(keep);
  const dg = await gather(accounts, (a) => p.deployments(a));
  const a = partialNotes(ag, (s) => `accounts of ${s.name}`);
  const d = partialNotes(dg, (acc) => `deployments of ${acc.name}`);
  // Nothing read at all is an Azure error; anything missing on the way is a partial answer.
  const nothing = a.outcome === "azure_error" || (accounts.length > 0 && dg.ok.length === 0);
  const outcome = nothing ? "azure_error" : a.outcome === "ok" && d.outcome === "ok" ? "ok" : "partial";
  const code = ag.failed[0]?.error.code ?? dg.failed[0]?.error.code;
  return { deployments: dg.ok.flatMap((x) => x.value), accounts, notes: [...a.notes, ...d.notes], outcome, ...(code ? { code } : {}) };
}

async function deployments(p: OpenAiPort, args: string[], ctx: CommandContext): Promise<Reply> {
  let keep: (a: OpenAiAccount) => boolean = () => true;
  let scopeText = "";
  let accountName: string | undefined;
  if (args.length > 0) {
    const taken = takeRegion(args);
    if (taken && taken.rest.length === 0) {
      keep = (a) => a.region === taken.region;
      scopeText = ` in ${regionLabel(taken.region)}`;
    } else if (args.length === 1 && /^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$/.test(args[0] as string)) {
      const name = (args[0] as string).toLowerCase();
      accountName = name;
      keep = (a) => a.name.toLowerCase() === name;
      scopeText = ` of account ${name}`;
    } else {
      return userError("bad_openai_scope", `"${args.join(" ").slice(0, 60)}" is neither a region nor an account name.`, "openai deployments swedencentral");
    }
  }
  const inv = await inventory(p, ctx, keep);
  const title = `Azure OpenAI deployments${scopeText}`;
  if (inv.outcome === "azure_error")
    return reply(title, [text(inv.notes[1] ?? "Azure did not answer.", "error")], { context: [...inv.notes, ROLE_NOTE], outcome: "azure_error", code: inv.code ?? "azure_error" });
  if (inv.accounts.length === 0) {
    const msg = accountName
      ? `No Azure OpenAI or AI Foundry account named ${accountName} in the subscriptions in scope. Try \`openai deployments\` for all of them.`
      : `No Azure OpenAI or AI Foundry account${scopeText || " in the subscriptions in scope"}.`;
    return reply(title, [text(msg)], { context: inv.notes, outcome: inv.outcome });
  }
  // Retirement dates come from the region's model list (`deprecation.inference`).
  const pairs = [...new Map(inv.accounts.map((a) => [`${a.subscriptionId}|${a.region}`, a])).values()];
  const mg = await gather(pairs, (a) => p.models(a.subscriptionId, a.region));
  const retires = new Map<string, string>();
  for (const { key, value } of mg.ok)
    for (const m of value) if (m.retiresAt) retires.set(`${key.subscriptionId}|${key.region}|${m.name}|${m.version}`.toLowerCase(), m.retiresAt.slice(0, 10));
  const today = ctx.now().toISOString().slice(0, 10);
  const soon = new Date(ctx.now().getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
  const retiringSoon: string[] = [];
  const rows = inv.deployments
    .slice()
    .sort((a, b) => a.account.name.localeCompare(b.account.name) || a.name.localeCompare(b.name))
    .map((d) => {
      const r = retires.get(`${d.account.subscriptionId}|${d.account.region}|${d.model}|${d.version}`.toLowerCase());
      if (r && r <= soon) retiringSoon.push(`${d.name} (${d.model} ${d.version}, ${r <= today ? "retired" : "retires"} ${r})`);
      return {
        account: d.account.name,
        region: d.account.region,
        deployment: d.name,
        model: d.model,
        version: d.version || "—",
        type: d.type,
        capacity: capacityText(d.type, d.capacity),
        retires: r ?? "—",
      };
    });
  const ptus = inv.deployments.filter((d) => isProvisioned(d.type)).reduce((n, d) => n + (d.capacity ?? 0), 0);
  const parts: Part[] = [
    text(
      `${plural(rows.length, "deployment")} in ${plural(inv.accounts.length, "account")}${ptus > 0 ? `; ${count(ptus)} PTU provisioned (\`openai idle\` checks their use)` : ""}.`,
    ),
  ];
  if (retiringSoon.length > 0) parts.push(text(`Model version retiring within 90 days: ${someNames(retiringSoon)}. Upgrade the deployment before then.`, "warning"));
  parts.push(
    table(
      [
        { key: "account", label: "Account", priority: 3, kind: "name" },
        { key: "region", label: "Region", priority: 2, kind: "name" },
        { key: "deployment", label: "Deployment", priority: 1, kind: "name" },
        { key: "model", label: "Model", priority: 1, kind: "name" },
        { key: "version", label: "Version", priority: 3, kind: "name" },
        { key: "type", label: "Type", priority: 2, kind: "name" },
        { key: "capacity", label: "Capacity", align: "right", priority: 1, kind: "number" },
        { key: "retires", label: "Retires", priority: 2, kind: "date" },
      ],
      rows,
      { narrowHint: "openai deployments <region|account>" },
    ),
  );
  const m = partialNotes(mg, (a) => `model list of ${a.region}`);
  return reply(title, parts, {
    context: ["Retirement: the date inference stops for that model version, from the region's model list.", ...inv.notes, ...m.notes.slice(1)],
    outcome: inv.outcome === "ok" && m.outcome !== "ok" ? "partial" : inv.outcome,
  });
}

// ---------------------------------------------------------------------------------------------

export interface PtuFinding {
  deployment: OpenAiDeployment;
  verdict: PtuVerdict;
  /** Hourly cost of its PTUs and what they burnt over the window while idle; undefined when no price. */
  perHour?: number;
  burnt?: number;
  currency?: string;
}

export interface PtuScan {
  findings: PtuFinding[];
  thresholdPercent: number;
  windowHours: number;
  priceSource: string | undefined;
  priceReason: string | undefined;
  notes: string[];
  outcome: "ok" | "partial" | "azure_error";
  code?: ErrorCode;
}

/** Every provisioned deployment with its verdict over the last `windowHours` (used by `openai idle` and the digest). */
export async function scanProvisioned(p: OpenAiPort, ctx: CommandContext, opts: { thresholdPercent?: number; windowHours?: number } = {}): Promise<PtuScan> {
  const thresholdPercent = opts.thresholdPercent ?? DEFAULT_PTU_IDLE_PERCENT;
  const windowHours = opts.windowHours ?? DEFAULT_PTU_IDLE_HOURS;
  const inv = await inventory(p, ctx);
  const provisioned = inv.deployments.filter((d) => isProvisioned(d.type));
  const accounts = [...new Map(provisioned.map((d) => [d.account.id, d.account])).values()];
  const now = ctx.now();
  const from = new Date(now.getTime() - windowHours * 3_600_000);
  const ug = await gather(accounts, (a) => p.ptuUtilization(a, from, now));
  const series = new Map<string, number[]>();
  for (const { key, value } of ug.ok) for (const s of value) series.set(`${key.id}|${s.deployment}`.toLowerCase(), s.points);
  const failedAccounts = new Set(ug.failed.map((f) => f.key.id));
  const price = p.ptuHourlyPrice();
  const findings = provisioned.map((d): PtuFinding => {
    const points = series.get(`${d.account.id}|${d.name}`.toLowerCase()) ?? [];
    const verdict: PtuVerdict = failedAccounts.has(d.account.id)
      ? { kind: "unknown", reason: "Azure Monitor did not answer" }
      : ptuVerdict(points, Math.min(points.length, windowHours), { thresholdPercent, minHours: Math.min(windowHours, 6) });
    const f: PtuFinding = { deployment: d, verdict };
    if (price.known && d.capacity !== undefined) {
      f.perHour = d.capacity * price.perHour;
      f.burnt = ptuCost(d.capacity, price.perHour, verdict.kind === "idle" ? verdict.hours : windowHours);
      f.currency = price.currency;
    }
    return f;
  });
  const u = partialNotes(ug, (a) => `utilisation of ${a.name}`);
  const outcome = inv.outcome !== "ok" ? inv.outcome : u.outcome;
  return {
    findings,
    thresholdPercent,
    windowHours,
    priceSource: price.known ? price.source : undefined,
    priceReason: price.known ? undefined : price.reason,
    notes: [...inv.notes, ...u.notes],
    outcome,
    ...(inv.code ? { code: inv.code } : {}),
  };
}

/** `<n> %` or `<n>%` or `under <n> %`: the idle threshold. */
export function parseIdleArgs(args: string[]): { thresholdPercent: number } | { problem: string } {
  const t = args.join(" ").trim().toLowerCase();
  if (!t) return { thresholdPercent: DEFAULT_PTU_IDLE_PERCENT };
  const m = /^(?:under |below |< ?)?(\d{1,2}(?:\.\d)?)\s*%$/.exec(t);
  if (!m) return { problem: `I read "${t.slice(0, 40)}" as neither nothing nor a threshold like 10 %.` };
  const n = Number(m[1]);
  if (n <= 0 || n >= 100) return { problem: "The threshold must be between 0 and 100 %." };
  return { thresholdPercent: n };
}

async function idle(p: OpenAiPort, args: string[], ctx: CommandContext): Promise<Reply> {
  const parsed = parseIdleArgs(args);
  if ("problem" in parsed) return userError("bad_openai_idle", parsed.problem, "openai idle 10 %");
  const scan = await scanProvisioned(p, ctx, { thresholdPercent: parsed.thresholdPercent });
  const title = "Idle provisioned (PTU) deployments";
  const rule = `Idle = AzureOpenAIProvisionedManagedUtilizationV2 stayed under ${scan.thresholdPercent} % every hour of the last ${scan.windowHours} h (hourly maxima, Azure Monitor). No data is "unknown", never idle.`;
  const priceNote = scan.priceSource ? `PTU price: ${scan.priceSource}.` : `No PTU price: ${scan.priceReason}.`;
  if (scan.outcome === "azure_error")
    return reply(title, [text(scan.notes[1] ?? "Azure did not answer.", "error")], {
      context: [...scan.notes, ROLE_NOTE],
      outcome: "azure_error",
      code: scan.code ?? "azure_error",
    });
  if (scan.findings.length === 0)
    return reply(title, [text("No provisioned (PTU) deployments in the subscriptions in scope.")], { context: [rule, ...scan.notes], outcome: scan.outcome });
  const idleOnes = scan.findings.filter((f) => f.verdict.kind === "idle");
  const unknown = scan.findings.filter((f) => f.verdict.kind === "unknown");
  const busy = scan.findings.filter((f) => f.verdict.kind === "busy");
  const totalPtu = idleOnes.reduce((n, f) => n + (f.deployment.capacity ?? 0), 0);
  const currency = idleOnes.find((f) => f.currency)?.currency;
  const perHour = idleOnes.reduce((n, f) => n + (f.perHour ?? 0), 0);
  const burnt = idleOnes.reduce((n, f) => n + (f.burnt ?? 0), 0);
  const parts: Part[] = [];
  if (idleOnes.length === 0) parts.push(text(`No provisioned deployment is idle: ${plural(busy.length, "busy one")}, ${unknown.length} without data.`, "success"));
  else
    parts.push(
      text(
        `${plural(idleOnes.length, "provisioned deployment")} idle, holding ${count(totalPtu)} PTU${currency ? `: ${formatHourly(perHour, currency)}, ${formatMoney(burnt, currency)} over the last ${scan.windowHours} h` : ""}. Scale them down or delete them if nobody needs them.`,
        "warning",
      ),
    );
  const rows = [...idleOnes, ...unknown, ...busy].map((f) => ({
    deployment: f.deployment.name,
    account: f.deployment.account.name,
    region: f.deployment.account.region,
    type: f.deployment.type,
    model: `${f.deployment.model} ${f.deployment.version}`.trim(),
    ptu: count(f.deployment.capacity ?? 0),
    peak: f.verdict.kind === "unknown" ? `unknown (${f.verdict.reason})` : `${f.verdict.peakPercent} %`,
    state: f.verdict.kind,
    cost: f.perHour !== undefined && f.currency ? formatHourly(f.perHour, f.currency) : "no price",
    burnt: f.verdict.kind === "idle" && f.burnt !== undefined && f.currency ? formatMoney(f.burnt, f.currency) : "—",
  }));
  parts.push(
    table(
      [
        { key: "deployment", label: "Deployment", priority: 1, kind: "name" },
        { key: "account", label: "Account", priority: 3, kind: "name" },
        { key: "region", label: "Region", priority: 2, kind: "name" },
        { key: "type", label: "Type", priority: 3, kind: "name" },
        { key: "model", label: "Model", priority: 3 },
        { key: "ptu", label: "PTU", align: "right", priority: 1, kind: "number" },
        { key: "peak", label: "Peak use", align: "right", priority: 2 },
        { key: "state", label: "State", priority: 1 },
        { key: "cost", label: "Cost/h", align: "right", priority: 2, kind: "money" },
        { key: "burnt", label: `Burnt idle (${scan.windowHours} h)`, align: "right", priority: 1, kind: "money" },
      ],
      rows,
      { narrowHint: "openai idle" },
    ),
  );
  return reply(title, parts, { context: [rule, priceNote, ...scan.notes], outcome: scan.outcome });
}

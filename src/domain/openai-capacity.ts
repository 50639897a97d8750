/**
 * Azure OpenAI capacity arithmetic, pure: quota usage names, the units Azure counts in, the
 * `openai where` ask ("300k tpm", "50 ptu", "global standard"), region ranking and the idle-PTU rule.
 *
 * Units (Microsoft Learn, "Manage Azure OpenAI quota"): token quota is counted in capacity units of
 * 1,000 TPM, and a deployment's RPM limit is set at 6 RPM per 1,000 TPM (older chat models; the
 * ratio varies by model). Provisioned deployment types count in PTUs.
 */

/** One capacity unit of token quota (Standard, GlobalStandard, DataZoneStandard…) is 1,000 TPM. */
export const TPM_PER_UNIT = 1000;
/** RPM granted per 1,000 TPM for chat models (Microsoft Learn quota article); an estimate for others. */
export const RPM_PER_1K_TPM = 6;

/** Deployment types as Azure spells them in `sku.name` and in usage names. */
export const DEPLOYMENT_TYPES = [
  "Standard",
  "GlobalStandard",
  "DataZoneStandard",
  "GlobalBatch",
  "DataZoneBatch",
  "ProvisionedManaged",
  "GlobalProvisionedManaged",
  "DataZoneProvisionedManaged",
] as const;
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

export const isProvisioned = (type: string): boolean => /provisioned/i.test(type);

/** "PTU" for provisioned types, "TPM" otherwise: what one capacity number means. */
export const capacityUnitOf = (type: string): "PTU" | "TPM" => (isProvisioned(type) ? "PTU" : "TPM");

export interface UsageName {
  /** Deployment type as written in the name ("Standard", "GlobalStandard", "ProvisionedManaged"). */
  type: string;
  /** Model as written in the name; undefined for model-independent quota (PTUs per region). */
  model: string | undefined;
}

/**
 * "OpenAI.Standard.gpt-4o" → { type: "Standard", model: "gpt-4o" }; "OpenAI.ProvisionedManaged"
 * → model-independent PTU quota. Anything else (AccountCount, other kinds) → undefined.
 */
export function parseUsageName(name: string): UsageName | undefined {
  const m = /^OpenAI\.([A-Za-z]+)(?:\.(.+))?$/.exec(name.trim());
  if (!m) return undefined;
  const type = m[1] as string;
  const model = m[2]?.trim();
  return { type, model: model ? model : undefined };
}

/** Compares model names tolerantly: some usage names drop the dash ("gpt4.1" for "gpt-4.1"). */
export const modelKey = (name: string): string => name.toLowerCase().replace(/[^a-z0-9.]/g, "");

export function sameModel(a: string, b: string): boolean {
  return modelKey(a) === modelKey(b);
}

/** What a quota row says in people's numbers: TPM (from units of 1,000) or PTUs. */
export interface QuotaFigures {
  unit: "TPM" | "PTU";
  used: number;
  limit: number;
  left: number;
  /** RPM the remaining TPM allows at 6 RPM per 1k TPM; undefined for PTUs. */
  rpmLeft: number | undefined;
}

export function quotaFigures(type: string, currentUnits: number, limitUnits: number): QuotaFigures {
  const unit = capacityUnitOf(type);
  const scale = unit === "TPM" ? TPM_PER_UNIT : 1;
  const used = currentUnits * scale;
  const limit = limitUnits * scale;
  const left = Math.max(0, limit - used);
  return { unit, used, limit, left, rpmLeft: unit === "TPM" ? rpmFor(left) : undefined };
}

export const rpmFor = (tpm: number): number => Math.floor((tpm / TPM_PER_UNIT) * RPM_PER_1K_TPM);

/** 240000 → "240k", 1500000 → "1.5M", 950 → "950". */
export function compactTokens(n: number): string {
  if (n >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (n >= 1000) return `${trim(n / 1000)}k`;
  return String(n);
}
const trim = (x: number) => String(Math.round(x * 10) / 10);

/** "gpt-4o Standard: 240k of 450k TPM used, 210k left (≈ 1,260 RPM at 6 RPM per 1k TPM)". */
export function quotaSentence(model: string | undefined, type: string, f: QuotaFigures): string {
  const head = model ? `${model} ${type}` : `${type} (all models)`;
  if (f.unit === "PTU") return `${head}: ${f.used.toLocaleString("en-US")} of ${f.limit.toLocaleString("en-US")} PTU used, ${f.left.toLocaleString("en-US")} left`;
  return `${head}: ${compactTokens(f.used)} of ${compactTokens(f.limit)} TPM used, ${compactTokens(f.left)} left (≈ ${(f.rpmLeft ?? 0).toLocaleString("en-US")} RPM at ${RPM_PER_1K_TPM} RPM per 1k TPM)`;
}

// ---------------------------------------------------------------------------------------------
// `openai where <model> [<n>k tpm | <n> ptu] [deployment type]`

export interface CapacityAsk {
  model: string;
  /** Capacity wanted in the API's units: thousands of TPM, or PTUs. */
  amount?: { value: number; unit: "TPM" | "PTU" };
  /** Deployment type as Azure spells it; undefined = any. */
  type?: DeploymentType;
}

/** Model names as Azure writes them: gpt-4o, gpt-4.1-mini, o3-mini, text-embedding-3-large. */
export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

const TYPE_WORDS = new Map<string, DeploymentType>([
  ["standard", "Standard"],
  ["regional", "Standard"],
  ["globalstandard", "GlobalStandard"],
  ["global", "GlobalStandard"],
  ["datazonestandard", "DataZoneStandard"],
  ["datazone", "DataZoneStandard"],
  ["globalbatch", "GlobalBatch"],
  ["batch", "GlobalBatch"],
  ["datazonebatch", "DataZoneBatch"],
  ["provisionedmanaged", "ProvisionedManaged"],
  ["provisioned", "ProvisionedManaged"],
  ["regionalprovisioned", "ProvisionedManaged"],
  ["globalprovisionedmanaged", "GlobalProvisionedManaged"],
  ["globalprovisioned", "GlobalProvisionedManaged"],
  ["datazoneprovisionedmanaged", "DataZoneProvisionedManaged"],
  ["datazoneprovisioned", "DataZoneProvisionedManaged"],
]);

/** "global standard", "GlobalStandard", "data zone provisioned" → the Azure spelling. */
export function parseDeploymentType(words: string): DeploymentType | undefined {
  const key = words.toLowerCase().replace(/[\s_-]+/g, "");
  return key ? TYPE_WORDS.get(key) : undefined;
}

export type AskResult = { ok: true; ask: CapacityAsk } | { ok: false; problem: string };

/**
 * Parses the words after `openai where`. Amounts: "300k tpm", "300000 tpm", "300k", "1.5m tpm",
 * "50 ptu", "50ptus". A PTU amount with no type means a provisioned type; a TPM amount, a standard one.
 */
export function parseCapacityAsk(tokens: readonly string[]): AskResult {
  const words = tokens.map((t) => t.trim()).filter(Boolean);
  const model = words[0];
  if (!model) return { ok: false, problem: "Tell me which model to look for." };
  if (!MODEL_NAME.test(model) || /^\d/.test(model)) return { ok: false, problem: `"${model.slice(0, 40)}" does not look like a model name (e.g. gpt-4o, gpt-4.1-mini).` };
  const rest = words.slice(1).join(" ").toLowerCase();
  const ask: CapacityAsk = { model: model.toLowerCase() };
  let remaining = rest;
  const amount = /(?:^|\s)(\d{1,9}(?:\.\d{1,3})?)\s*(k|m)?\s*(tpm|ptus?)?(?=\s|$)/.exec(rest);
  if (amount) {
    const n = Number(amount[1]);
    const suffix = amount[2];
    const unitWord = amount[3];
    if (unitWord?.startsWith("ptu")) {
      if (suffix) return { ok: false, problem: "PTUs are counted one by one: write e.g. 50 ptu." };
      if (!Number.isInteger(n)) return { ok: false, problem: "PTUs come in whole numbers: write e.g. 50 ptu." };
      ask.amount = { value: n, unit: "PTU" };
    } else {
      const tpm = n * (suffix === "m" ? 1_000_000 : suffix === "k" ? 1000 : 1);
      if (!unitWord && !suffix) return { ok: false, problem: `Say what ${amount[1]} counts: e.g. ${amount[1]}k tpm or ${amount[1]} ptu.` };
      // Quota moves in steps of 1,000 TPM; round up so the answer covers what was asked.
      ask.amount = { value: Math.ceil(tpm / TPM_PER_UNIT), unit: "TPM" };
    }
    if (ask.amount.value < 1) return { ok: false, problem: "The amount must be at least 1k TPM or 1 PTU." };
    remaining = `${rest.slice(0, amount.index)} ${rest.slice(amount.index + amount[0].length)}`.trim();
  }
  if (remaining) {
    const type = parseDeploymentType(remaining);
    if (!type)
      return {
        ok: false,
        problem: `I don't know the deployment type "${remaining.slice(0, 40)}". Types: standard, global standard, data zone standard, provisioned, global provisioned, data zone provisioned.`,
      };
    ask.type = type;
  }
  if (ask.amount && ask.type && (ask.amount.unit === "PTU") !== isProvisioned(ask.type)) {
    return { ok: false, problem: `${ask.type} deployments are sized in ${capacityUnitOf(ask.type)}, not ${ask.amount.unit}.` };
  }
  return { ok: true, ask };
}

/** A region's capacity for one model/version/deployment type, as the model-capacities API reports it. */
export interface CapacityOffer {
  region: string;
  version: string;
  skuName: string;
  /** Thousands of TPM, or PTUs for provisioned types. */
  available: number;
}

export interface RankedOffer extends CapacityOffer {
  fits: boolean;
}

/**
 * Offers matching the ask, best first: those that fit the amount (or have any capacity), then the
 * most capacity, then region name. A type not asked for is kept unless the amount's unit excludes it.
 */
export function rankOffers(offers: readonly CapacityOffer[], ask: CapacityAsk): RankedOffer[] {
  return offers
    .filter((o) => (ask.type ? o.skuName.toLowerCase() === ask.type.toLowerCase() : ask.amount ? capacityUnitOf(o.skuName) === ask.amount.unit : true))
    .map((o) => ({ ...o, fits: ask.amount ? o.available >= ask.amount.value : o.available > 0 }))
    .sort((a, b) => Number(b.fits) - Number(a.fits) || b.available - a.available || a.region.localeCompare(b.region) || a.skuName.localeCompare(b.skuName));
}

// ---------------------------------------------------------------------------------------------
// Idle provisioned deployments

export const DEFAULT_PTU_IDLE_PERCENT = 10;
export const DEFAULT_PTU_IDLE_HOURS = 24;

export type PtuVerdict = { kind: "idle"; peakPercent: number; hours: number } | { kind: "busy"; peakPercent: number } | { kind: "unknown"; reason: string };

/**
 * A provisioned deployment is idle when its utilisation never reached `thresholdPercent` in a
 * window of at least `minHours` of data. No data is "unknown", never idle.
 */
export function ptuVerdict(points: readonly number[], windowHours: number, opts: { thresholdPercent: number; minHours: number }): PtuVerdict {
  const values = points.filter((v) => Number.isFinite(v));
  if (values.length === 0) return { kind: "unknown", reason: "no utilisation data" };
  if (windowHours < opts.minHours) return { kind: "unknown", reason: `only ${windowHours} h of data` };
  const peak = Math.max(...values);
  return peak < opts.thresholdPercent ? { kind: "idle", peakPercent: peak, hours: windowHours } : { kind: "busy", peakPercent: peak };
}

/** PTUs × hourly price × hours: what an idle provisioned deployment burnt. */
export const ptuCost = (ptus: number, perPtuHour: number, hours: number): number => ptus * perPtuHour * hours;

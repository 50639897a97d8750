/**
 * One validated config object, read once at start and injected everywhere.
 * Precedence: schema defaults < gpuops.yaml < environment. A bad value stops start-up with a
 * message naming the key and an example of a good value.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError naming e.g. GPUOPS_CURRENCY
 */
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGION = /^[a-z][a-z0-9]{2,39}$/;

/** The sovereign clouds we know, with their ARM and login endpoints. */
export const AZURE_CLOUDS = {
  public: { arm: "https://management.azure.com", login: "https://login.microsoftonline.com" },
  china: { arm: "https://management.chinacloudapi.cn", login: "https://login.chinacloudapi.cn" },
  usgov: { arm: "https://management.usgovcloudapi.net", login: "https://login.microsoftonline.us" },
} as const;
export type AzureCloud = keyof typeof AZURE_CLOUDS;

/** Each env key, where it lands in the config object, and an example shown when it is wrong. */
export const ENV_KEYS = {
  AZURE_SUBSCRIPTION_IDS: { path: "azure.subscriptionIds", example: "00000000-0000-0000-0000-000000000000,11111111-1111-1111-1111-111111111111", list: true },
  AZURE_MANAGEMENT_GROUP: { path: "azure.managementGroup", example: "mg-ai-platform" },
  GPUOPS_AZURE_CLOUD: { path: "azure.cloud", example: "public (or china, usgov)" },
  GPUOPS_AZURE_URL: { path: "azure.url", example: "https://azurestack.local:4443" },
  GPUOPS_AZURE_TOKEN: { path: "azure.token", example: "<bearer token>", secret: true },
  GPUOPS_AZURE_CONCURRENCY: { path: "azure.concurrency", example: "8" },
  GPUOPS_AZURE_MAX_RETRY_WAIT: { path: "azure.maxRetryWaitSeconds", example: "10" },
  GPUOPS_AZURE_MAX_RETRIES: { path: "azure.maxRetries", example: "3" },
  GPUOPS_SKU_CACHE_TTL: { path: "azure.skuCacheTtlSeconds", example: "21600" },
  GPUOPS_REGIONS: { path: "regions", example: "eastus,swedencentral,westus", list: true },
  GPUOPS_CURRENCY: { path: "currency", example: "USD" },
  GPUOPS_TIMEZONE: { path: "timezone", example: "Europe/Berlin" },
  DATABASE_URL: { path: "store.databaseUrl", example: "postgres://gpuops:secret@db:5432/gpuops", secret: true },
  GPUOPS_DATA_DIR: { path: "store.dataDir", example: "./data" },
  GPUOPS_DEMO: { path: "demo", example: "auto (or true, false)" },
  PORT: { path: "server.port", example: "3978" },
  GPUOPS_HOST: { path: "server.host", example: "127.0.0.1" },
  GPUOPS_LOG_LEVEL: { path: "logLevel", example: "info" },
} as const satisfies Record<string, { path: string; example: string; list?: boolean; secret?: boolean }>;

const intFromString = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z
  .object({
    azure: z
      .object({
        subscriptionIds: z.array(z.string().regex(GUID, "must be a subscription GUID")).default([]),
        managementGroup: z
          .string()
          .regex(/^[A-Za-z0-9._()-]{1,90}$/, "must be a management group id")
          .optional(),
        cloud: z.enum(["public", "china", "usgov"]).default("public"),
        url: z.string().url().startsWith("https://", "must be an https:// URL").optional(),
        token: z.string().min(1).optional(),
        concurrency: intFromString(1, 64).default(8),
        maxRetryWaitSeconds: intFromString(0, 120).default(10),
        maxRetries: intFromString(0, 10).default(3),
        skuCacheTtlSeconds: intFromString(0, 7 * 24 * 3600).default(6 * 3600),
      })
      .prefault({}),
    regions: z
      .array(z.string().regex(REGION, "must be an ARM region name such as eastus"))
      .default(["eastus", "eastus2", "southcentralus", "westus2", "westus3", "swedencentral", "westeurope", "uksouth", "japaneast", "australiaeast"]),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code")
      .default("USD"),
    timezone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, "must be an IANA time zone")
      .default("UTC"),
    store: z
      .object({
        databaseUrl: z
          .string()
          .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
          .optional(),
        dataDir: z.string().min(1).default("./data"),
      })
      .prefault({}),
    demo: z.enum(["auto", "true", "false"]).default("auto"),
    server: z
      .object({
        port: intFromString(0, 65535).default(3978),
        host: z.string().min(1).default("127.0.0.1"),
      })
      .prefault({}),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;

/** The resolved config: demo is a decision, not a wish. */
export interface Config extends Omit<RawConfig, "demo"> {
  demo: boolean;
  /** Where the config came from, for the start-up summary. */
  sources: string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

function envKeyFor(path: string): string | undefined {
  return Object.entries(ENV_KEYS).find(([, spec]) => spec.path === path)?.[0];
}

/**
 * Reads gpuops.yaml (path in GPUOPS_CONFIG, default ./gpuops.yaml when present) and the
 * environment, validates both, and decides demo mode: on when asked, or when no Azure scope
 * and no Azure URL is configured.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { cwd?: string } = {}): Config {
  const sources: string[] = ["defaults"];
  const raw: Record<string, unknown> = {};
  const yamlPath = env.GPUOPS_CONFIG ?? `${opts.cwd ?? "."}/gpuops.yaml`;
  if (env.GPUOPS_CONFIG !== undefined || existsSync(yamlPath)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(yamlPath, "utf8"));
    } catch (err) {
      throw new ConfigError(`GPUOPS_CONFIG: cannot read ${yamlPath}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`${yamlPath}: expected a mapping of settings, e.g. "currency: EUR"`);
      Object.assign(raw, parsed);
      sources.push(yamlPath);
    }
  }
  let fromEnv = false;
  for (const [key, spec] of Object.entries(ENV_KEYS)) {
    const value = env[key];
    if (value === undefined || value.trim() === "") continue;
    fromEnv = true;
    const v = value.trim();
    setPath(
      raw,
      spec.path,
      "list" in spec && spec.list
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    );
  }
  if (fromEnv) sources.push("environment");

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.filter((p) => typeof p === "string").join(".");
      const key = envKeyFor(path) ?? path;
      const example = Object.entries(ENV_KEYS).find(([, s]) => s.path === path)?.[1].example;
      return `${key || "config"}: ${issue.message}${example ? ` (example: ${key}=${example})` : ""}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const cfg = result.data;
  if (cfg.azure.url && !cfg.azure.token) {
    throw new ConfigError("GPUOPS_AZURE_TOKEN: required when GPUOPS_AZURE_URL is set (example: GPUOPS_AZURE_TOKEN=<bearer token>)");
  }
  const hasScope = cfg.azure.subscriptionIds.length > 0 || cfg.azure.managementGroup !== undefined;
  if (cfg.demo === "false" && !hasScope) {
    throw new ConfigError(
      "AZURE_SUBSCRIPTION_IDS: GPUOPS_DEMO=false needs an Azure scope (example: AZURE_SUBSCRIPTION_IDS=00000000-0000-0000-0000-000000000000, or AZURE_MANAGEMENT_GROUP=mg-ai-platform)",
    );
  }
  const demo = cfg.demo === "true" || (cfg.demo === "auto" && !hasScope);
  return { ...cfg, demo, sources };
}

const SECRET_PATHS = new Set<string>(Object.values(ENV_KEYS).flatMap((s) => ("secret" in s && s.secret ? [s.path] : [])));

/** A copy safe to log: secrets replaced, credentials inside URLs removed. */
export function redactConfig(config: Config): Record<string, unknown> {
  const walk = (value: unknown, path: string): unknown => {
    if (SECRET_PATHS.has(path) && value !== undefined) return "[redacted]";
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}.${i}`));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]));
    }
    return value;
  };
  return walk(config, "") as Record<string, unknown>;
}

/** One line per setting, for the start-up log and `gpuops config`. */
export function summariseConfig(config: Config): string {
  const r = redactConfig(config) as Record<string, Record<string, unknown> | unknown>;
  const azure = r.azure as Record<string, unknown>;
  const scope = config.demo
    ? "demo tenant (fake Azure on loopback)"
    : config.azure.managementGroup
      ? `management group ${config.azure.managementGroup}`
      : `${config.azure.subscriptionIds.length} subscription(s)`;
  return [
    `scope: ${scope}`,
    `cloud: ${config.azure.url ? `custom endpoint ${config.azure.url}` : config.azure.cloud}${azure.token ? " (static token: [redacted])" : ""}`,
    `regions: ${config.regions.join(", ")}`,
    `currency: ${config.currency}, timezone: ${config.timezone}`,
    `store: ${config.store.databaseUrl ? "PostgreSQL (DATABASE_URL: [redacted])" : `SQLite in ${config.store.dataDir}`}`,
    `listening on: ${config.server.host}:${config.server.port}`,
    `config from: ${config.sources.join(" < ")}`,
  ].join("\n");
}

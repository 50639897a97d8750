/**
 * One validated config object, read once at start and injected everywhere.
 * Precedence: schema defaults < gpuops.yaml < environment. A bad value stops start-up with a
 * message naming the key and an example of a good value.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError naming e.g. GPUOPS_CURRENCY
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { z } from "zod";
import { parseDurationSeconds } from "./domain/idle-rule.ts";
import { GpuopsError } from "./errors.ts";

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
  GPUOPS_AZURE_TIMEOUT: { path: "azure.tryTimeoutSeconds", example: "12 (seconds one Azure call may take per try)" },
  GPUOPS_COMMAND_DEADLINE: { path: "azure.commandDeadlineSeconds", example: "25 (seconds before a command answers with what it has)" },
  GPUOPS_SKU_CACHE_TTL: { path: "azure.skuCacheTtlSeconds", example: "21600" },
  GPUOPS_PRICES_URL: { path: "azure.pricesUrl", example: "https://prices.azure.com" },
  GPUOPS_REGIONS: { path: "regions", example: "eastus,swedencentral,westus", list: true },
  GPUOPS_CURRENCY: { path: "currency", example: "USD" },
  GPUOPS_OPENAI_PTU_HOURLY_PRICE: { path: "openai.ptuHourlyPrice", example: "2.5 (per PTU-hour, optionally with a currency: 2.5 EUR)" },
  GPUOPS_READER_ENDPOINT: { path: "reader.endpoint", example: "https://contoso-gpuops.openai.azure.com" },
  GPUOPS_READER_DEPLOYMENT: { path: "reader.deployment", example: "gpt-4o-mini" },
  GPUOPS_READER_API_VERSION: { path: "reader.apiVersion", example: "2024-10-21" },
  GPUOPS_READER_API_KEY: { path: "reader.apiKey", example: "<Azure OpenAI key> (default: Entra ID)", secret: true },
  GPUOPS_TIMEZONE: { path: "timezone", example: "Europe/Berlin" },
  DATABASE_URL: { path: "store.databaseUrl", example: "postgres://gpuops:secret@db:5432/gpuops", secret: true },
  GPUOPS_DATA_DIR: { path: "store.dataDir", example: "./data" },
  GPUOPS_DEMO: { path: "demo", example: "auto (or true, false)" },
  PORT: { path: "server.port", example: "3978" },
  GPUOPS_HOST: { path: "server.host", example: "127.0.0.1" },
  GPUOPS_PUBLIC_URL: { path: "server.publicUrl", example: "https://gpuops.contoso.com" },
  GPUOPS_DRAIN_DELAY: { path: "shutdown.drainDelay", example: "5s (how long /readyz answers 503 before the server stops accepting, on SIGTERM)" },
  GPUOPS_SHUTDOWN_TIMEOUT: { path: "shutdown.timeout", example: "30s (longest wait for in-flight answers, posts and jobs on SIGTERM)" },
  GPUOPS_LOG_LEVEL: { path: "logLevel", example: "info" },
  NODE_ENV: { path: "nodeEnv", example: "production (then Teams refuses anonymous local mode)" },
  // Marked secret like DATABASE_URL: it may carry user:password; the summary shows its host only.
  PROMETHEUS_URL: { path: "telemetry.prometheusUrl", example: "http://prometheus.monitoring:9090 (or the managed workspace's query endpoint)", secret: true },
  PROMETHEUS_TOKEN: { path: "telemetry.prometheusToken", example: "<bearer token>", secret: true },
  GPUOPS_PROMETHEUS_AUTH: { path: "telemetry.prometheusAuth", example: "auto (token when PROMETHEUS_TOKEN is set), none, or entra (Azure Monitor managed Prometheus)" },
  GPUOPS_PROMETHEUS_HOST_LABELS: { path: "telemetry.hostLabels", example: "Hostname,node,instance", list: true },
  GPUOPS_MONITOR_METRICS: { path: "telemetry.monitorMetrics", example: "true (or false: no Azure Monitor nvidia_smi metrics)" },
  GPUOPS_MONITOR_METRICS_URL: { path: "telemetry.monitorMetricsUrl", example: "https://eastus.metrics.monitor.azure.com (default: each VM's regional host)" },
  GPUOPS_TELEMETRY_STEP: { path: "telemetry.step", example: "60s" },
  GPUOPS_IDLE_THRESHOLD: { path: "telemetry.idleThreshold", example: "5 (percent GPU utilisation)" },
  GPUOPS_IDLE_ENGINE_THRESHOLD: { path: "telemetry.idleEngineThreshold", example: "0.05 (DCGM_FI_PROF_GR_ENGINE_ACTIVE ratio)" },
  GPUOPS_IDLE_WINDOW: { path: "telemetry.idleWindow", example: "60m" },
  GPUOPS_IDLE_PARKED_MEMORY_MIB: { path: "telemetry.parkedMemoryMib", example: "4096" },
  GPUOPS_IDLE_STALE_AFTER: { path: "telemetry.staleAfter", example: "10m" },
  GPUOPS_IDLE_LOOKBACK: { path: "telemetry.lookback", example: "26h" },
  GPUOPS_IDLE_SCAN_EVERY: { path: "telemetry.scanEvery", example: "15m" },
  GPUOPS_SCHEDULER: { path: "scheduler.enabled", example: "true (or false: this replica runs no scheduled jobs)" },
  GPUOPS_MEMORY_TRIM: { path: "server.memoryTrim", example: "true (or false: never run a memory-reducing GC when idle)" },
  GPUOPS_DIGEST_AT: { path: "digest.defaultAt", example: "09:00" },
  GPUOPS_DIGEST_GROUP_BY: { path: "digest.groupBy", example: "rg (or size, subscription, tag:team)" },
  GPUOPS_SLACK_APPROVERS: { path: "approvals.slack.approvers", example: "U0123ABCD,S0456EFGH (user ids; S… are user groups)", list: true },
  GPUOPS_SLACK_ESCALATION: { path: "approvals.slack.escalation", example: "U0999ZZZZ", list: true },
  GPUOPS_SLACK_APPROVAL_CHANNEL: { path: "approvals.slack.channel", example: "C0123GPUAPPROVALS" },
  GPUOPS_TEAMS_APPROVERS: { path: "approvals.teams.approvers", example: "<Entra object id>,group:<Entra group id>", list: true },
  GPUOPS_TEAMS_ESCALATION: { path: "approvals.teams.escalation", example: "<Entra object id>", list: true },
  GPUOPS_TEAMS_APPROVAL_CHANNEL: { path: "approvals.teams.channel", example: "19:abc…@thread.tacv2 (a conversation the bot is installed in)" },
  GPUOPS_CONSOLE_APPROVERS: { path: "approvals.console.approvers", example: "sam,lee", list: true },
  GPUOPS_APPROVAL_ACTION: { path: "approvals.action", example: "none (or start-vms, scale-nodepool, quota-request)" },
  GPUOPS_APPROVAL_REMINDER_HOURS: { path: "approvals.reminderAfterHours", example: "4" },
  GPUOPS_APPROVAL_EXPIRY_HOURS: { path: "approvals.undecidedExpiryHours", example: "72" },
  GPUOPS_TWO_APPROVALS_ABOVE_GPUS: { path: "approvals.twoApprovalsAboveGpus", example: "8" },
  GPUOPS_MAX_LEASE_DAYS: { path: "approvals.maxLeaseDays", example: "14" },
  GPUOPS_REQUEST_SUBSCRIPTION: { path: "approvals.subscriptionId", example: "00000000-0000-0000-0000-000000000000" },
  GPUOPS_POOL_TAG: { path: "approvals.poolTag", example: "gpuops-pool" },
  GPUOPS_NODEPOOL: { path: "approvals.nodePool", example: "rg-aks/aks-gpu/gpupool (resource group/cluster/pool)" },
  GPUOPS_CONSOLE: { path: "console.mode", example: "auto (or on, off)" },
  GPUOPS_CONSOLE_TOKEN: { path: "console.token", example: "<at least 24 random characters, e.g. from: openssl rand -hex 24>", secret: true },
  SLACK_SIGNING_SECRET: { path: "slack.signingSecret", example: "<Signing Secret from the app's Basic Information page>", secret: true },
  SLACK_BOT_TOKEN: { path: "slack.botToken", example: "xoxb-<bot token>", secret: true },
  SLACK_APP_TOKEN: { path: "slack.appToken", example: "xapp-<app-level token with connections:write>", secret: true },
  SLACK_API_URL: { path: "slack.apiUrl", example: "https://slack.com/api/" },
  SLACK_BOT_ID: { path: "slack.botId", example: "B0123456789" },
  SLACK_BOT_USER_ID: { path: "slack.botUserId", example: "U0123456789" },
  GPUOPS_SLACK_ACK_DEADLINE_MS: { path: "slack.ackDeadlineMs", example: "2000" },
  // Teams: the Microsoft 365 Agents SDK's own variable names (its loadAuthConfigFromEnv reads the same ones).
  clientId: { path: "teams.appId", example: "00000000-0000-0000-0000-000000000000 (the bot's Microsoft Entra app id)" },
  clientSecret: { path: "teams.appPassword", example: "<client secret of that app registration>", secret: true },
  tenantId: { path: "teams.tenantId", example: "00000000-0000-0000-0000-000000000000 (single-tenant bots)" },
  authType: { path: "teams.authType", example: "ClientSecret (or UserManagedIdentity, SystemManagedIdentity, FederatedCredentials, WorkloadIdentity, EntraAuthSideCar)" },
  authorityEndpoint: { path: "teams.authority", example: "https://login.microsoftonline.com (https://login.microsoftonline.us for US Gov)" },
  sidecarBaseUrl: { path: "teams.sidecarUrl", example: "http://localhost:5178" },
  GPUOPS_TEAMS_SLOW_REPLY_MS: { path: "teams.slowReplyMs", example: "2000" },
} as const satisfies Record<string, { path: string; example: string; list?: boolean; secret?: boolean }>;

const intFromString = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A duration such as "90s", "15m", "1h", "2h30m" (a bare number is minutes), as seconds. */
const durationSeconds = (min: number, max: number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const secs = typeof v === "number" ? v * 60 : parseDurationSeconds(v);
    if (secs === undefined || secs < min || secs > max) {
      ctx.addIssue({ code: "custom", message: `must be a duration from ${min} s to ${max / 3600} h, such as 60m, 1h or 90s` });
      return z.NEVER;
    }
    return secs;
  });

/** The YAML parser, loaded only when there is a gpuops.yaml to read (most starts have none). */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)("yaml") as typeof import("yaml")).parse(text);

/** Per-subscription idle overrides (gpuops.yaml `telemetry.overrides.<subscription id>`). */
const idleOverrideSchema = z
  .object({
    idleThreshold: z.coerce.number().min(0).max(100).optional(),
    idleEngineThreshold: z.coerce.number().min(0).max(1).optional(),
    idleWindow: durationSeconds(5, 7 * 86400).optional(),
    parkedMemoryMib: intFromString(0, 1_000_000).optional(),
  })
  .strict();

/** Approvers of one platform: user ids and group ids ("group:<id>", or Slack "S…" user groups), an escalation list and the channel requests go to. */
const approverListSchema = z
  .object({
    approvers: z.array(z.string().regex(/^[A-Za-z0-9:._@-]{1,120}$/, "must be a user or group id")).default([]),
    escalation: z.array(z.string().regex(/^[A-Za-z0-9:._@-]{1,120}$/, "must be a user or group id")).default([]),
    channel: z.string().min(1).max(300).optional(),
  })
  .prefault({});

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
        /** One try of one Azure call; an endpoint that accepts and never answers fails after this. */
        tryTimeoutSeconds: intFromString(1, 300).default(12),
        /** A command's whole answer; past it, what arrived is shown and the slow sources are named. */
        commandDeadlineSeconds: intFromString(1, 600).default(25),
        skuCacheTtlSeconds: intFromString(0, 7 * 24 * 3600).default(6 * 3600),
        /** Azure Retail Prices API base URL (public, no auth). */
        pricesUrl: z.string().url().startsWith("https://", "must be an https:// URL").default("https://prices.azure.com"),
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
    openai: z
      .object({
        /** Hourly price of one PTU for `openai idle` (Retail Prices has no PTU meter gpuops reads). */
        ptuHourlyPrice: z
          .string()
          .regex(/^\s*\d{1,6}(\.\d{1,6})?(\s+[A-Z]{3})?\s*$/, "must be a positive number, optionally with a currency")
          .optional(),
      })
      .default({}),
    /** The optional Azure OpenAI reader for plain words the grammar cannot read: off unless endpoint and deployment are set. */
    reader: z
      .object({
        endpoint: z
          .string()
          .url()
          .regex(/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$))/, "must be an https:// URL (http only on loopback)")
          .optional(),
        deployment: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be a deployment name")
          .optional(),
        apiVersion: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, "must be an api-version such as 2024-10-21")
          .optional(),
        apiKey: z.string().min(1).optional(),
      })
      .refine((r) => (r.endpoint === undefined) === (r.deployment === undefined), {
        message: "needs both GPUOPS_READER_ENDPOINT and GPUOPS_READER_DEPLOYMENT",
        path: ["deployment"],
      })
      .default({}),
    server: z
      .object({
        port: intFromString(0, 65535).default(3978),
        host: z.string().min(1).default("127.0.0.1"),
        /** Base URL people's chat clients reach gpuops at (chart images are served under it). */
        publicUrl: z
          .string()
          .url()
          .regex(/^https?:\/\//, "must be an http(s):// URL")
          .optional(),
        /** Give memory back when the process goes quiet (src/idle-memory.ts). */
        memoryTrim: z
          .enum(["true", "false"])
          .default("true")
          .transform((v) => v === "true"),
      })
      .prefault({}),
    /** Graceful stop on SIGTERM (src/lifecycle.ts). */
    shutdown: z
      .object({
        /** Seconds /readyz says 503 while still serving, so load balancers stop sending first. */
        drainDelay: durationSeconds(0, 300).default(0),
        /** Seconds to wait for in-flight answers, posts and job runs before closing anyway. */
        timeout: durationSeconds(1, 600).default(30),
      })
      .prefault({}),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    /** The deployment's NODE_ENV: "production" switches off the Teams door's anonymous local mode. */
    nodeEnv: z.string().max(40).optional(),
    /** GPU utilisation sources and the idle rule (issue 7). */
    telemetry: z
      .object({
        prometheusUrl: z
          .string()
          .url()
          .regex(/^https?:\/\//, "must be an http(s):// URL")
          .optional(),
        prometheusToken: z.string().min(1).optional(),
        prometheusAuth: z.enum(["auto", "none", "entra"]).default("auto"),
        hostLabels: z
          .array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/, "must be a Prometheus label name"))
          .min(1)
          .default(["Hostname"]),
        monitorMetrics: z.enum(["true", "false"]).default("true"),
        monitorMetricsUrl: z.string().url().startsWith("https://", "must be an https:// URL").optional(),
        step: durationSeconds(1, 3600).prefault("60s"),
        idleThreshold: z.coerce.number().min(0).max(100).default(5),
        idleEngineThreshold: z.coerce.number().min(0).max(1).default(0.05),
        idleWindow: durationSeconds(5, 7 * 86400).prefault("60m"),
        parkedMemoryMib: intFromString(0, 1_000_000).default(4096),
        staleAfter: durationSeconds(2, 86400).prefault("10m"),
        lookback: durationSeconds(60, 14 * 86400).prefault("26h"),
        scanEvery: durationSeconds(60, 86400).prefault("15m"),
        overrides: z.record(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a subscription GUID"), idleOverrideSchema).default({}),
      })
      .prefault({}),
    /** Scheduled jobs (digests, idle scans, lease checks); every replica may run it, claims keep runs exactly-once. */
    scheduler: z
      .object({
        enabled: z
          .enum(["true", "false"])
          .default("true")
          .transform((v) => v === "true"),
      })
      .prefault({}),
    /** The daily digest's defaults: the time a new subscription gets, and how spend is split. */
    digest: z
      .object({
        defaultAt: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a 24-hour HH:MM time")
          .default("09:00"),
        groupBy: z
          .string()
          .regex(/^(rg|size|subscription|tag:[A-Za-z][A-Za-z0-9_.:-]{0,63})$/, "must be rg, size, subscription or tag:<key>")
          .default("rg"),
      })
      .prefault({}),
    /** GPU requests (issue 8): who approves on each platform, where requests go, the policy and the action on approval. */
    approvals: z
      .object({
        slack: approverListSchema,
        teams: approverListSchema,
        console: approverListSchema,
        action: z.enum(["none", "start-vms", "scale-nodepool", "quota-request"]).default("none"),
        reminderAfterHours: intFromString(1, 24 * 14).default(4),
        undecidedExpiryHours: intFromString(1, 24 * 30).default(72),
        twoApprovalsAboveGpus: intFromString(0, 100_000).default(8),
        maxLeaseDays: intFromString(1, 90).default(14),
        subscriptionId: z.string().regex(GUID, "must be a subscription GUID").optional(),
        /** Tag key marking pre-provisioned VMs `start-vms` may start (its value names the pool). */
        poolTag: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a tag key")
          .default("gpuops-pool"),
        /** `scale-nodepool` target as "resourceGroup/cluster/pool". */
        nodePool: z
          .string()
          .regex(/^[A-Za-z0-9._()-]{1,90}\/[A-Za-z0-9_-]{1,63}\/[a-z0-9]{1,12}$/, "must be resourceGroup/cluster/pool")
          .optional(),
      })
      .prefault({}),
    /** The local web console: auto = on in demo mode on a loopback host; exposing it needs on + a token. */
    console: z
      .object({
        mode: z.enum(["auto", "on", "off"]).default("auto"),
        token: z.string().min(24, "must be at least 24 characters").optional(),
      })
      .prefault({}),
    /** The Slack door: on when a bot token and a signing secret (HTTP) or app token (Socket Mode) are set. */
    slack: z
      .object({
        signingSecret: z.string().min(1).optional(),
        botToken: z
          .string()
          .regex(/^xoxb-/, "must be a bot token (xoxb-…)")
          .optional(),
        appToken: z
          .string()
          .regex(/^xapp-/, "must be an app-level token (xapp-…)")
          .optional(),
        apiUrl: z
          .string()
          .url()
          .regex(/^https?:\/\//, "must be an http(s) URL")
          .transform((u) => (u.endsWith("/") ? u : `${u}/`))
          .default("https://slack.com/api/"),
        botId: z
          .string()
          .regex(/^B[A-Z0-9]{2,}$/, "must be a bot id such as B0123456789")
          .optional(),
        botUserId: z
          .string()
          .regex(/^[UW][A-Z0-9]{2,}$/, "must be a user id such as U0123456789")
          .optional(),
        /** How long a slash command may take before the ack says "working on it…" (Slack allows 3 s). */
        ackDeadlineMs: intFromString(50, 2500).default(2000),
      })
      .prefault({}),
    /** The Teams door (/api/messages): authenticated when an app id is set, local (anonymous) mode otherwise. */
    teams: z
      .object({
        appId: z.string().regex(GUID, "must be the bot's Microsoft Entra app (client) id, a GUID").optional(),
        appPassword: z.string().min(1).optional(),
        tenantId: z
          .string()
          .regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(\.[a-z0-9-]+)+|common|organizations)$/i, "must be a tenant GUID or domain")
          .optional(),
        authType: z
          .enum(["ClientSecret", "Certificate", "UserManagedIdentity", "SystemManagedIdentity", "FederatedCredentials", "WorkloadIdentity", "EntraAuthSideCar"])
          .optional(),
        authority: z
          .string()
          .url()
          .regex(/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$))/, "must be an https:// URL (http only on loopback)")
          .optional(),
        sidecarUrl: z.string().url().optional(),
        /** How long a command may take before the bot posts "working on it…" and edits it later. */
        slowReplyMs: intFromString(50, 10_000).default(2000),
      })
      .prefault({}),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;

/** The resolved config: demo is a decision, not a wish. */
export interface Config extends Omit<RawConfig, "demo"> {
  demo: boolean;
  /** Where the config came from, for the start-up summary. */
  sources: string[];
}

/** A setting that is missing or wrong: a GpuopsError with code bad_config, naming the key and an example. */
export class ConfigError extends GpuopsError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super("bad_config", message, opts);
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
/**
 * The settings from the environment and gpuops.yaml. `defaultLogLevel` is the level when neither
 * sets one: the server's "info", the one-shot CLI's quieter "warn".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { cwd?: string; defaultLogLevel?: RawConfig["logLevel"] } = {}): Config {
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
  raw.logLevel ??= opts.defaultLogLevel ?? "info";

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
  const { signingSecret, botToken, appToken } = cfg.slack;
  if ((signingSecret || appToken) && !botToken) {
    throw new ConfigError(`SLACK_BOT_TOKEN: required when ${signingSecret ? "SLACK_SIGNING_SECRET" : "SLACK_APP_TOKEN"} is set (example: SLACK_BOT_TOKEN=xoxb-<bot token>)`);
  }
  if (botToken && !signingSecret && !appToken) {
    throw new ConfigError(
      "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN for HTTP mode, or set SLACK_APP_TOKEN for Socket Mode (example: SLACK_SIGNING_SECRET=<Signing Secret>)",
    );
  }
  if (cfg.console.mode === "on" && !cfg.console.token && !isLoopbackHost(cfg.server.host)) {
    throw new ConfigError(
      `GPUOPS_CONSOLE_TOKEN: required when GPUOPS_CONSOLE=on and the server listens on ${cfg.server.host}, beyond this machine (example: GPUOPS_CONSOLE_TOKEN=$(openssl rand -hex 24))`,
    );
  }
  const { appId, appPassword, authType } = cfg.teams;
  if (!appId && (appPassword || authType))
    throw new ConfigError("clientId: required when clientSecret or authType is set (example: clientId=00000000-0000-0000-0000-000000000000)");
  if (appId && !appPassword && (authType === undefined || authType === "ClientSecret")) {
    throw new ConfigError(
      "clientSecret: required with clientId, or set authType for a secret-less identity (example: clientSecret=<client secret>, or authType=UserManagedIdentity)",
    );
  }
  const demo = cfg.demo === "true" || (cfg.demo === "auto" && !hasScope);
  return { ...cfg, demo, sources };
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i.test(host.trim());
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
    `console: ${config.console.mode}${config.console.token ? " (token: [redacted])" : ""}`,
    `teams: ${config.teams.appId ? `app ${config.teams.appId} (${config.teams.authType ?? "ClientSecret"}${config.teams.appPassword ? ", secret: [redacted]" : ""}) at /api/messages` : "local mode at /api/messages (no clientId: unauthenticated, development only)"}`,
    `slack: ${!config.slack.botToken ? "off" : config.slack.appToken ? "Socket Mode" : "HTTP at /slack/events"}${config.slack.botToken ? " (tokens: [redacted])" : ""}`,
    `telemetry: ${describeTelemetry(config)}`,
    `plain-words reader: ${config.reader.endpoint ? `Azure OpenAI ${new URL(config.reader.endpoint).host}, deployment ${config.reader.deployment} (${config.reader.apiKey ? "key: [redacted]" : "Entra ID"})` : "off (grammar only)"}`,
    `config from: ${config.sources.join(" < ")}`,
  ].join("\n");
}

/** The telemetry line of the summary: where utilisation comes from (no credentials) and the idle rule. */
function describeTelemetry(config: Config): string {
  const t = config.telemetry;
  let prom = "no Prometheus";
  if (t.prometheusUrl) {
    const u = new URL(t.prometheusUrl);
    prom = `Prometheus ${u.protocol}//${u.host}${t.prometheusToken ? " (token: [redacted])" : t.prometheusAuth === "entra" ? " (Entra ID)" : ""}`;
  }
  const monitor = t.monitorMetrics === "true" ? ", Azure Monitor Telegraf/nvidia_smi" : "";
  return `${prom}${monitor}; idle = every GPU below ${t.idleThreshold} % (${t.idleEngineThreshold} engine active) for ${Math.round(t.idleWindow / 60)} min, scan every ${Math.round(t.scanEvery / 60)} min`;
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Config, ConfigError, ENV_KEYS, loadConfig, redactConfig, summariseConfig } from "../../src/config.ts";

const dir = mkdtempSync(join(tmpdir(), "gpuops-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** loadConfig with an empty cwd, so a developer's own ./gpuops.yaml never leaks in. */
const load = (env: Record<string, string>) => loadConfig(env, { cwd: dir });

function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const SUB_A = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const SUB_B = "b1e2c3d4-5f60-4718-8a9b-0c1d2e3f4a5b";

describe("loadConfig defaults", () => {
  it("runs on the embedded defaults: demo, SQLite in ./data, USD, UTC, port 3978 on loopback", () => {
    const c = load({});
    expect(c.demo).toBe(true);
    expect(c.azure.subscriptionIds).toEqual([]);
    expect(c.azure.cloud).toBe("public");
    expect(c.azure.concurrency).toBe(8);
    expect(c.azure.maxRetries).toBe(3);
    expect(c.azure.maxRetryWaitSeconds).toBe(10);
    expect(c.azure.skuCacheTtlSeconds).toBe(6 * 3600);
    expect(c.currency).toBe("USD");
    expect(c.timezone).toBe("UTC");
    expect(c.store.databaseUrl).toBeUndefined();
    expect(c.store.dataDir).toBe("./data");
    expect(c.server).toEqual({ port: 3978, host: "127.0.0.1", memoryTrim: true });
    expect(c.regions.length).toBeGreaterThan(0);
    for (const r of c.regions) expect(r).toMatch(/^[a-z][a-z0-9]+$/);
    expect(c.sources).toEqual(["defaults"]);
  });
});

describe("loadConfig from the environment", () => {
  it("parses lists, numbers and enums, trimming blanks", () => {
    const c = load({
      AZURE_SUBSCRIPTION_IDS: ` ${SUB_A} , ${SUB_B},`,
      GPUOPS_REGIONS: "westus, swedencentral",
      GPUOPS_AZURE_CONCURRENCY: "4",
      GPUOPS_AZURE_MAX_RETRIES: "0",
      GPUOPS_AZURE_MAX_RETRY_WAIT: "2",
      GPUOPS_SKU_CACHE_TTL: "60",
      GPUOPS_AZURE_CLOUD: "usgov",
      GPUOPS_CURRENCY: "EUR",
      GPUOPS_TIMEZONE: "Europe/Berlin",
      PORT: "0",
      GPUOPS_LOG_LEVEL: "warn",
    });
    expect(c.azure.subscriptionIds).toEqual([SUB_A, SUB_B]);
    expect(c.regions).toEqual(["westus", "swedencentral"]);
    expect(c.azure.concurrency).toBe(4);
    expect(c.azure.maxRetries).toBe(0);
    expect(c.azure.maxRetryWaitSeconds).toBe(2);
    expect(c.azure.skuCacheTtlSeconds).toBe(60);
    expect(c.azure.cloud).toBe("usgov");
    expect(c.currency).toBe("EUR");
    expect(c.timezone).toBe("Europe/Berlin");
    expect(c.server.port).toBe(0);
    expect(c.logLevel).toBe("warn");
    expect(c.sources).toEqual(["defaults", "environment"]);
  });

  it("turns demo off when a scope is configured, and on when asked", () => {
    expect(load({ AZURE_SUBSCRIPTION_IDS: SUB_A }).demo).toBe(false);
    expect(load({ AZURE_MANAGEMENT_GROUP: "mg-ai-platform" }).demo).toBe(false);
    expect(load({ AZURE_SUBSCRIPTION_IDS: SUB_A, GPUOPS_DEMO: "true" }).demo).toBe(true);
  });

  it("ignores empty values rather than failing on them", () => {
    expect(load({ GPUOPS_CURRENCY: "  ", PORT: "" }).currency).toBe("USD");
  });

  it.each([
    ["GPUOPS_CURRENCY", "dollars"],
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["AZURE_SUBSCRIPTION_IDS", "not-a-guid"],
    ["GPUOPS_TIMEZONE", "Mars/Base"],
    ["GPUOPS_AZURE_CLOUD", "moon"],
    ["GPUOPS_AZURE_URL", "http://insecure.example"],
    ["GPUOPS_REGIONS", "East US"],
    ["DATABASE_URL", "mysql://x"],
    ["GPUOPS_DEMO", "maybe"],
    ["GPUOPS_AZURE_CONCURRENCY", "0"],
  ])("a bad %s (%s) stops start-up naming the key and an example", (key, value) => {
    const err = configError({ [key]: value });
    const example = ENV_KEYS[key as keyof typeof ENV_KEYS].example;
    expect(err.message).toContain(`${key}:`);
    expect(err.message).toContain(`example: ${key}=${example}`);
  });

  it("switches the idle memory trim off, and names a value that is not true or false", () => {
    expect(loadConfig({ GPUOPS_MEMORY_TRIM: "false" }).server.memoryTrim).toBe(false);
    const err = configError({ GPUOPS_MEMORY_TRIM: "sometimes" });
    expect(err.message).toContain("GPUOPS_MEMORY_TRIM:");
    expect(err.message).toContain("example: GPUOPS_MEMORY_TRIM=true");
  });

  it("names every bad key at once", () => {
    const err = configError({ GPUOPS_CURRENCY: "dollars", PORT: "abc" });
    expect(err.message).toContain("GPUOPS_CURRENCY");
    expect(err.message).toContain("PORT");
  });

  it("needs a token with a custom Azure URL, and a scope when demo is switched off", () => {
    expect(configError({ GPUOPS_AZURE_URL: "https://azurestack.local:4443" }).message).toMatch(/^GPUOPS_AZURE_TOKEN: .*example/);
    expect(configError({ GPUOPS_DEMO: "false" }).message).toMatch(/^AZURE_SUBSCRIPTION_IDS: .*example/);
  });
});

describe("gpuops.yaml", () => {
  it("merges under the environment: env wins key by key, yaml fills the rest", () => {
    const file = join(dir, "merge.yaml");
    writeFileSync(file, "currency: EUR\nregions: [westus, eastus]\nazure:\n  concurrency: 3\n  maxRetries: 5\nserver:\n  port: 8080\n");
    const c = load({ GPUOPS_CONFIG: file, GPUOPS_CURRENCY: "GBP", GPUOPS_AZURE_MAX_RETRIES: "1" });
    expect(c.currency).toBe("GBP");
    expect(c.regions).toEqual(["westus", "eastus"]);
    expect(c.azure.concurrency).toBe(3);
    expect(c.azure.maxRetries).toBe(1);
    expect(c.server.port).toBe(8080);
    expect(c.sources).toEqual(["defaults", file, "environment"]);
  });

  it("is read from the working directory when GPUOPS_CONFIG is not set", () => {
    const cwd = mkdtempSync(join(dir, "cwd-"));
    writeFileSync(join(cwd, "gpuops.yaml"), "timezone: Asia/Tokyo\n");
    expect(loadConfig({}, { cwd }).timezone).toBe("Asia/Tokyo");
  });

  it("reports a bad yaml value under its env key, and unknown or unreadable files clearly", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "currency: dollars\n");
    expect(configError({ GPUOPS_CONFIG: bad }).message).toContain("GPUOPS_CURRENCY: must be an ISO 4217 code (example: GPUOPS_CURRENCY=USD)");

    const unknown = join(dir, "unknown.yaml");
    writeFileSync(unknown, "curency: EUR\n");
    expect(configError({ GPUOPS_CONFIG: unknown }).message).toContain("curency");

    const list = join(dir, "list.yaml");
    writeFileSync(list, "- a\n- b\n");
    expect(configError({ GPUOPS_CONFIG: list }).message).toContain("expected a mapping");

    expect(configError({ GPUOPS_CONFIG: join(dir, "missing.yaml") }).message).toMatch(/^GPUOPS_CONFIG: cannot read/);
  });
});

describe("redaction", () => {
  const token = "eyJ0eXAiOiJKV1QiLCJhbGciOi-super-secret-token";
  const password = "pg-pass-w0rd-42";
  const config: Config = load({
    GPUOPS_AZURE_URL: "https://azurestack.local:4443",
    GPUOPS_AZURE_TOKEN: token,
    DATABASE_URL: `postgres://gpuops:${password}@db.internal:5432/gpuops`,
    AZURE_SUBSCRIPTION_IDS: SUB_A,
  });

  it("the loaded config does hold the secrets (so the checks below mean something)", () => {
    expect(config.azure.token).toBe(token);
    expect(config.store.databaseUrl).toContain(password);
  });

  it("redactConfig replaces the token and DATABASE_URL, keeps everything else", () => {
    const r = redactConfig(config);
    const text = JSON.stringify(r);
    expect(text).not.toContain(token);
    expect(text).not.toContain(password);
    expect((r.azure as Record<string, unknown>).token).toBe("[redacted]");
    expect((r.store as Record<string, unknown>).databaseUrl).toBe("[redacted]");
    expect((r.azure as Record<string, unknown>).subscriptionIds).toEqual([SUB_A]);
  });

  it("summariseConfig says what is configured without the secrets", () => {
    const s = summariseConfig(config);
    expect(s).not.toContain(token);
    expect(s).not.toContain(password);
    expect(s).toContain("PostgreSQL");
    expect(s).toContain("custom endpoint https://azurestack.local:4443");
    expect(s).toContain("1 subscription(s)");
  });

  it("summarises the demo defaults", () => {
    const s = summariseConfig(load({}));
    expect(s).toContain("demo tenant");
    expect(s).toContain("SQLite in ./data");
  });
});

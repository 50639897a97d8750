// The optional plain-words reader's settings: off unless both endpoint and deployment are set,
// https only (http on loopback for tests), and the key never shown.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactConfig, summariseConfig } from "../../src/config.ts";

const dir = mkdtempSync(join(tmpdir(), "gpuops-reader-config-"));
const load = (env: Record<string, string>) => loadConfig({ GPUOPS_DEMO: "true", ...env }, { cwd: dir });
const errorOf = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return "";
};

describe("reader settings", () => {
  it("are off by default", () => {
    const c = load({});
    expect(c.reader.endpoint).toBeUndefined();
    expect(summariseConfig(c)).toContain("plain-words reader: off");
  });

  it("need both the endpoint and the deployment", () => {
    expect(errorOf({ GPUOPS_READER_ENDPOINT: "https://contoso.openai.azure.com" })).toContain("GPUOPS_READER_DEPLOYMENT");
    expect(errorOf({ GPUOPS_READER_DEPLOYMENT: "gpt-4o-mini" })).toContain("GPUOPS_READER_DEPLOYMENT");
  });

  it("take https, or http only on loopback, and a valid api-version", () => {
    expect(errorOf({ GPUOPS_READER_ENDPOINT: "http://contoso.openai.azure.com", GPUOPS_READER_DEPLOYMENT: "d" })).toContain("GPUOPS_READER_ENDPOINT");
    expect(errorOf({ GPUOPS_READER_ENDPOINT: "http://127.0.0.1:8080", GPUOPS_READER_DEPLOYMENT: "d" })).toBe("");
    expect(errorOf({ GPUOPS_READER_ENDPOINT: "https://x.openai.azure.com", GPUOPS_READER_DEPLOYMENT: "d", GPUOPS_READER_API_VERSION: "latest" })).toContain(
      "GPUOPS_READER_API_VERSION",
    );
  });

  it("never show the key", () => {
    const c = load({ GPUOPS_READER_ENDPOINT: "https://contoso.openai.azure.com", GPUOPS_READER_DEPLOYMENT: "gpt-4o-mini", GPUOPS_READER_API_KEY: "k-123456789" });
    expect(c.reader.apiKey).toBe("k-123456789");
    expect(JSON.stringify(redactConfig(c))).not.toContain("k-123456789");
    const summary = summariseConfig(c);
    expect(summary).toContain("plain-words reader: Azure OpenAI contoso.openai.azure.com, deployment gpt-4o-mini (key: [redacted])");
    expect(summary).not.toContain("k-123456789");
    const entra = load({ GPUOPS_READER_ENDPOINT: "https://contoso.openai.azure.com", GPUOPS_READER_DEPLOYMENT: "gpt-4o-mini" });
    expect(summariseConfig(entra)).toContain("(Entra ID)");
  });
});

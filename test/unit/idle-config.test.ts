import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactConfig, summariseConfig } from "../../src/config.ts";
import { DEFAULT_IDLE_POLICY, policyFor } from "../../src/domain/idle-rule.ts";
import { idleSettingsFrom } from "../../src/telemetry/from-config.ts";

const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";

describe("telemetry and idle configuration", () => {
  it("defaults to the fact sheet's rule: 5 %, 0.05 engine activity, 60 min, scans every 15 min", () => {
    const s = idleSettingsFrom(loadConfig({ GPUOPS_DEMO: "true" }));
    expect(s.policy).toEqual(DEFAULT_IDLE_POLICY);
    expect(s.scanEverySeconds).toBe(900);
    expect(s.lookbackSeconds).toBe(26 * 3600);
    expect(s.approvers.console).toEqual(["sam", "lee"]);
  });

  it("reads durations, thresholds and per-subscription overrides (yaml)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gpuops-idle-config-"));
    const file = join(dir, "gpuops.yaml");
    writeFileSync(file, `telemetry:\n  idleWindow: 2h\n  overrides:\n    "${SUB.toUpperCase()}":\n      idleThreshold: 10\n      idleWindow: 30m\n`);
    const config = loadConfig({ GPUOPS_CONFIG: file, GPUOPS_IDLE_THRESHOLD: "3", GPUOPS_TELEMETRY_STEP: "90s", GPUOPS_SLACK_APPROVERS: "U0SAM" });
    const s = idleSettingsFrom(config);
    expect(s.policy).toMatchObject({ utilPercent: 3, windowSeconds: 7200 });
    expect(config.telemetry.step).toBe(90);
    expect(policyFor(s.policy, s.overrides, SUB)).toMatchObject({ utilPercent: 10, windowSeconds: 1800, engineActive: 0.05 });
    expect(s.approvers.slack).toEqual(["U0SAM"]);
  });

  it("refuses a bad duration or label with the key and an example", () => {
    expect(() => loadConfig({ GPUOPS_IDLE_WINDOW: "an hour" })).toThrow(ConfigError);
    expect(() => loadConfig({ GPUOPS_IDLE_WINDOW: "an hour" })).toThrow(/GPUOPS_IDLE_WINDOW: .*example: GPUOPS_IDLE_WINDOW=60m/);
    expect(() => loadConfig({ GPUOPS_PROMETHEUS_HOST_LABELS: 'Hostname,no"de' })).toThrow(/GPUOPS_PROMETHEUS_HOST_LABELS/);
  });

  it("never shows the Prometheus token or URL credentials", () => {
    const config = loadConfig({ PROMETHEUS_URL: "https://reader:pa55word@prom.example.com/ws", PROMETHEUS_TOKEN: "tok-123456" });
    const text = `${summariseConfig(config)}\n${JSON.stringify(redactConfig(config))}`;
    expect(text).toContain("Prometheus https://prom.example.com");
    expect(text).not.toContain("pa55word");
    expect(text).not.toContain("tok-123456");
  });
});

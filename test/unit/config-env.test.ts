// Settings read through config only: NODE_ENV and the log level's default per program, and the one
// error type a bad setting raises.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { GpuopsError } from "../../src/errors.ts";

describe("config: environment keys beyond GPUOPS_*", () => {
  it("NODE_ENV is a setting (the Teams door's production switch reads it from config)", () => {
    expect(loadConfig({ NODE_ENV: "production" }).nodeEnv).toBe("production");
    expect(loadConfig({}).nodeEnv).toBeUndefined();
  });

  it("the log level defaults per program, and GPUOPS_LOG_LEVEL always wins", () => {
    expect(loadConfig({}).logLevel).toBe("info");
    expect(loadConfig({}, { defaultLogLevel: "warn" }).logLevel).toBe("warn");
    expect(loadConfig({ GPUOPS_LOG_LEVEL: "debug" }, { defaultLogLevel: "warn" }).logLevel).toBe("debug");
  });

  it("a bad setting raises a GpuopsError with code bad_config", () => {
    let err: unknown;
    try {
      loadConfig({ GPUOPS_LOG_LEVEL: "loud" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(GpuopsError);
    expect((err as GpuopsError).code).toBe("bad_config");
    expect((err as Error).message).toContain("GPUOPS_LOG_LEVEL");
  });
});

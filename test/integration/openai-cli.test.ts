// `gpuops openai …` as a user runs it: a child process of bin/gpuops.js on the demo tenant.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/gpuops.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "gpuops-openai-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gpuops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: work, timeout: 80_000, env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, HOME: work, GPUOPS_DATA_DIR: join(work, "data") } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

// Each case spawns Node (about a second, more on a busy machine): generous per-test timeouts.
describe("gpuops openai on the demo tenant", { timeout: 90_000 }, () => {
  it("`openai quota swedencentral --demo` shows per-model TPM used / limit / left", async () => {
    const r = await gpuops(["openai", "quota", "swedencentral", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Azure OpenAI quota in swedencentral");
    expect(r.stdout).toContain("gpt-4o Standard: 240k of 450k TPM used, 210k left (≈ 1,260 RPM at 6 RPM per 1k TPM)");
    expect(r.stdout).toMatch(/gpt-4o-mini\s+GlobalStandard\s+500k\s+2M TPM\s+1\.5M/);
  });

  it("`openai where gpt-4o 300k tpm --demo` ranks regions, fitting ones first", async () => {
    const r = await gpuops(["openai", "where", "gpt-4o", "300k", "tpm", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => /\b(yes|not enough|none left)\s*$/.test(l));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[0]).toMatch(/^eastus2\s+GlobalStandard/);
    const firstMiss = lines.findIndex((l) => !/yes\s*$/.test(l));
    expect(lines.slice(firstMiss).every((l) => !/yes\s*$/.test(l))).toBe(true);
  });

  it("`openai idle --demo` lists the under-used PTU deployment with its cost", async () => {
    const r = await gpuops(["aoai", "idle", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ptu-reserved\s+foundry-prod-eus2\s+eastus2\s+GlobalProvisionedManaged.*\s50\s.*idle\s+\$50\.00\/h\s+\$1,200\.00/);
    expect(r.stdout).toContain("demo placeholder price");
  });

  it("`openai` with an unknown question exits 1 with an example", async () => {
    const r = await gpuops(["openai", "capacity", "--demo"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Try: openai quota swedencentral");
  });
});

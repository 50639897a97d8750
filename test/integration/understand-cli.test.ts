// Sentences at the command line, as a user types them: `gpuops "<question>" --demo` in a child
// process answers from the demo tenant with the "I read this as" line on top, and a sentence that
// would change something only shows its confirmation.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/gpuops.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "gpuops-understand-cli-"));
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

describe("gpuops answers questions in plain words", { timeout: 90_000 }, () => {
  it('"what did we burn on GPUs last week" is the 7-day spend', async () => {
    const r = await gpuops(["what did we burn on GPUs last week", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("I read this as `cost 7d`");
    expect(r.stdout).toMatch(/Total GPU spend the last 7 days: \$[\d,]+\.\d\d/);
    expect(r.stdout).toContain("ND96isr_H100_v5");
    expect(r.stdout).toContain("Demo data");
  });

  it('"any room for 4 A100s in eastus2?" is the A100 quota in East US 2', async () => {
    const r = await gpuops(["any room for 4 A100s in eastus2?", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("I read this as `quota eastus2 a100`");
    expect(r.stdout).toContain("GPU quota for A100 40 GB / A100 80 GB in eastus2 (East US 2)");
    expect(r.stdout).toMatch(/StandardNCADSA100v4Family\s+\d+ \/ \d+/);
  });

  it('"which gpus are sitting idle" is the idle list with money', async () => {
    const r = await gpuops(["which gpus are sitting idle", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("I read this as `idle`");
    expect(r.stdout).toMatch(/Idle GPUs: (> )?\$[\d,.]+ burnt so far/);
  });

  it('"price of NC40ads_H100_v5 per month" is its monthly list price per region: 730 h × the hourly price', async () => {
    const r = await gpuops(["price of NC40ads_H100_v5 per month", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("I read this as `where NC40ads_H100_v5 monthly`");
    expect(r.stdout).toContain("List price/month");
    expect(r.stdout).toContain("730 hours");
    const hourly = await gpuops(["where", "NC40ads_H100_v5", "--json", "--demo"]);
    const monthly = await gpuops(["where", "NC40ads_H100_v5", "monthly", "--json", "--demo"]);
    type Row = { region: string; subscriptionId: string; listPricePerHour: { amount: number } | null; listPricePerMonth?: { amount: number } | null };
    const perHour = (JSON.parse(hourly.stdout).data.offers as Row[]).filter((o) => o.listPricePerHour);
    const perMonth = JSON.parse(monthly.stdout).data.offers as Row[];
    expect(perHour.length).toBeGreaterThan(0);
    for (const o of perHour) {
      const m = perMonth.find((x) => x.region === o.region && x.subscriptionId === o.subscriptionId);
      expect(m?.listPricePerMonth?.amount).toBeCloseTo((o.listPricePerHour?.amount ?? 0) * 730, 6);
      const shown = `$${((o.listPricePerHour?.amount ?? 0) * 730).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}/month`;
      expect(r.stdout).toContain(shown);
    }
  });

  it('"which one has the T4" lists the T4 sizes from the catalogue, without Azure', async () => {
    const r = await gpuops(["which one has the T4", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("I read this as `explain t4`");
    for (const size of ["NC4as_T4_v3", "NC8as_T4_v3", "NC16as_T4_v3", "NC64as_T4_v3"]) expect(r.stdout).toContain(size);
    expect(r.stdout).not.toContain("Demo data");
  });

  it('"request 2 A100 in eastus for a week" shows a confirmation, not a request', async () => {
    const r = await gpuops(["request 2 A100 in eastus for a week", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Confirm before I act");
    expect(r.stdout).toContain("I read this as `request 2 a100 in eastus for 1w`");
    expect(r.stdout).not.toMatch(/Pre-check|Submitted|#\d+ /);
  });

  it("typed commands still answer exactly as before, without the reading line", async () => {
    const r = await gpuops(["cost", "7d", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain("I read this as");
    expect(r.stdout).toContain("Total GPU spend the last 7 days");
  });
});

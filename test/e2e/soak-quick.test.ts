/**
 * The CI-sized soaks: bench/soak-clicks.ts and bench/soak-chaos.ts with --quick, as child
 * processes on the PostgreSQL `npm test` starts. Each script checks its own figures and exits
 * non-zero when one is wrong; this test also pins the lines it prints.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function run(script: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, "--quick"], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("soak, quick", () => {
  it("clicks: 50 concurrent clicks on every decision button make one decision per request", async () => {
    const { code, out } = await run("bench/soak-clicks.ts");
    expect(out).toMatch(/decisions per request: 1 \(all\)/);
    expect(code, out).toBe(0);
  }, 180_000);

  it("chaos: digests posted = days × channels exactly, none lost or doubled, no pool VM double-booked", async () => {
    const { code, out } = await run("bench/soak-chaos.ts");
    const m = /digests posted = (\d+) \(days × channels = \d+ × \d+ = (\d+)\), lost 0, double 0, without marker 0/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m?.[1]).toBe(m?.[2]);
    expect(out).toMatch(/posted twice 0/);
    expect(out).toMatch(/pool VMs double-booked 0/);
    expect(code, out).toBe(0);
  }, 400_000);
});

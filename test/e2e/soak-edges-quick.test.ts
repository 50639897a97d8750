/**
 * The CI version of the soak's fuzz and faults parts: `npm run soak -- --quick fuzz faults` as a
 * real child process (fake Azure, fault proxy and app all on loopback). The parts judge their own
 * figures and exit non-zero on a bad one; this test also reads the figures they print.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const soak = fileURLToPath(new URL("../../bench/soak.ts", import.meta.url));

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [soak, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    child.stderr.on("data", (d) => {
      out += String(d);
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

describe("npm run soak -- --quick (fuzz, faults)", () => {
  it("fuzzes every verb and renderer without a throw, and answers every command under injected faults", { timeout: 480_000 }, async () => {
    const { code, out } = await run(["--quick", "fuzz", "faults"]);
    expect(out, out).toMatch(/^fuzz (\d+) inputs \/ 0 throws$/m);
    expect(Number(/^fuzz (\d+) inputs/m.exec(out)?.[1])).toBeGreaterThanOrEqual(1_000);
    expect(out).toMatch(/unhandled rejections 0 · unsafe queries 0 · over Slack limits 0/);
    const answered = /^faults: every command answered (\d+) \/ (\d+) \(0 threw\)$/m.exec(out);
    expect(answered, out).not.toBeNull();
    expect(answered?.[1]).toBe(answered?.[2]);
    const labelled = /partial labelled (\d+) \/ (\d+)/.exec(out);
    expect(labelled?.[1]).toBe(labelled?.[2]);
    const faults = /proxy: (\d+) faults injected/.exec(out);
    expect(Number(faults?.[1])).toBeGreaterThan(0);
    const max = Number(/max answer time ([\d.]+) s/.exec(out)?.[1]);
    const deadline = Number(/deadline (\d+) s/.exec(out)?.[1]);
    expect(max, out).toBeLessThanOrEqual(deadline + 3);
    expect(out).toMatch(/soak-faults\.ts\s+ok/);
    expect(out).toMatch(/soak-fuzz\.ts\s+ok/);
    expect(code).toBe(0);
  });
});

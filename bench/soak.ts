/**
 * `npm run soak`: the reliability suite. Runs every bench/soak-*.ts part it finds (fuzz, faults,
 * and any other part added beside them), one child process each, passing `--quick` and other
 * arguments through, and prints each part's figures as they come. Everything runs on loopback
 * against local fakes; each part is bounded and stops by itself (this runner also stops a part
 * that overruns). Exits non-zero if any part reports a bad figure, fails or overruns.
 *
 * @example
 * npm run soak              # the full soak
 * npm run soak -- --quick   # the short version CI runs
 * npm run soak -- fuzz      # only parts whose name contains "fuzz"
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("--"));
const only = args.filter((a) => !a.startsWith("--")).map((a) => a.toLowerCase());
const quick = flags.includes("--quick");
/** The longest a part may run before this runner stops it (each part also stops itself sooner). */
const OVERRUN_S = quick ? 300 : 4 * 3600;

const parts = readdirSync(dir)
  .filter((f) => /^soak-[a-z0-9-]+\.ts$/.test(f) && f !== "soak-common.ts")
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (parts.length === 0) {
  process.stderr.write(`No soak part matches ${only.join(", ")}.\n`);
  process.exit(1);
}

process.stdout.write(`gpuops soak${quick ? " (quick)" : ""}: ${parts.map((p) => p.replace(/^soak-|\.ts$/g, "")).join(", ")}\n`);
const results: Array<{ part: string; code: number; seconds: number }> = [];
for (const part of parts) {
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, `${dir}${part}`, ...flags], { stdio: ["ignore", "inherit", "inherit"] });
    const timer = setTimeout(() => {
      process.stdout.write(`${part}: FAILED, overran ${OVERRUN_S} s; stopped\n`);
      child.kill("SIGKILL");
    }, OVERRUN_S * 1000);
    child.on("exit", (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? (signal ? 128 : 1));
    });
  });
  results.push({ part, code, seconds: (performance.now() - started) / 1000 });
}
process.stdout.write("\nsoak summary\n");
for (const r of results) process.stdout.write(`  ${r.part.padEnd(20)} ${r.code === 0 ? "ok" : `FAILED (exit ${r.code})`}  ${r.seconds.toFixed(1)} s\n`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);

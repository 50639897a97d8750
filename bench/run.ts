/**
 * `npm run bench`: runs every scenario listed in bench/scenarios.ts (or only those whose name
 * contains one of the command-line words), prints a readable report and writes bench/report.json.
 * `--quick` runs fewer rounds. A scenario that throws is reported as failed and makes the run exit 1; the others still run.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { BenchScenario } from "./harness.ts";
import { scenarios } from "./scenarios.ts";

interface ScenarioResult {
  name: string;
  ok: boolean;
  seconds: number;
  figures: Record<string, string | number>;
  error?: string;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

async function runOne(s: BenchScenario): Promise<ScenarioResult> {
  const started = performance.now();
  try {
    const figures = await s.run();
    return { name: s.name, ok: true, seconds: round3((performance.now() - started) / 1000), figures };
  } catch (err) {
    return { name: s.name, ok: false, seconds: round3((performance.now() - started) / 1000), figures: {}, error: err instanceof Error ? err.message : String(err) };
  }
}

function print(r: ScenarioResult): void {
  process.stdout.write(`\n${r.name}${r.ok ? "" : "  FAILED"}  (${r.seconds.toFixed(1)} s)\n`);
  if (r.error) process.stdout.write(`  ${r.error}\n`);
  const width = Math.max(0, ...Object.keys(r.figures).map((k) => k.length));
  for (const [k, v] of Object.entries(r.figures)) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
}

const args = process.argv.slice(2);
if (args.includes("--quick")) process.env.BENCH_QUICK = "1";
const filters = args.filter((a) => a !== "--quick").map((a) => a.toLowerCase());
const chosen = filters.length ? scenarios.filter((s) => filters.some((f) => s.name.toLowerCase().includes(f))) : scenarios;
if (chosen.length === 0) {
  process.stderr.write(`No scenario matches ${filters.join(", ")}. Scenarios: ${scenarios.map((s) => s.name).join(", ")}\n`);
  process.exit(1);
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
process.stdout.write(`gpuops bench: ${chosen.length} scenario(s), Node ${process.version}, ${cpus().length} × ${cpu}\n`);
const results: ScenarioResult[] = [];
for (const s of chosen) {
  const r = await runOne(s);
  results.push(r);
  print(r);
}
const report = { at: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpu, scenarios: results };
const file = new URL("./report.json", import.meta.url);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nReport written to bench/report.json\n`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;

/**
 * Where a door's CPU goes under load: `node bench/profile-door.ts [slack|teams] [command…]`
 * starts gpuops under `node --cpu-prof`, sends 3,000 requests from the load generator, and
 * prints self time by module and the hottest functions. Not part of `npm run bench`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeSlack } from "../test/support/fake-slack.ts";
import { load, startTarget } from "./processes.ts";
import { cpuByModule } from "./startup.ts";

const kind = process.argv[2] === "teams" ? "teams" : "slack";
const text = process.argv.slice(3).join(" ") || "help";
const SECRET = "bench-signing-secret";
const fake = await startFakeSlack();
const connector = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(201, { "content-type": "application/json" }).end('{"id":"a"}'));
});
await new Promise<void>((r) => connector.listen(0, "127.0.0.1", r));
const dir = mkdtempSync(join(tmpdir(), "gpuops-door-prof-"));
const t = await startTarget(
  "gpuops",
  ["src/server.ts"],
  {
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: ":memory:",
    PORT: "0",
    GPUOPS_HOST: "127.0.0.1",
    GPUOPS_LOG_LEVEL: "error",
    GPUOPS_CONSOLE: "off",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
  },
  ["--cpu-prof", `--cpu-prof-dir=${dir}`],
);
const plan = {
  url: t.url,
  kind,
  text,
  concurrency: kind === "slack" ? 200 : 100,
  secret: SECRET,
  replyUrl: kind === "slack" ? fake.responseUrl("p") : `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`,
} as const;
await load({ ...plan, requests: 300 });
const r = await load({ ...plan, requests: 3000 });
process.stdout.write(`${JSON.stringify(r)}\n`);
await t.stop();
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (file) {
  const p = JSON.parse(readFileSync(join(dir, file), "utf8"));
  for (const [m, ms] of cpuByModule(p, 25)) process.stdout.write(`${String(Math.round(ms)).padStart(7)} ms  ${m}\n`);
  const fnSelf = new Map<string, number>();
  const byId = new Map<number, { callFrame: { url: string; functionName: string; lineNumber: number } }>(p.nodes.map((n: { id: number }) => [n.id, n]));
  p.samples.forEach((id: number, i: number) => {
    const n = byId.get(id);
    if (!n) return;
    const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/^.*\/(node_modules|src)\//, "$1/")}:${n.callFrame.lineNumber}`;
    fnSelf.set(k, (fnSelf.get(k) ?? 0) + p.timeDeltas[i] / 1000);
  });
  process.stdout.write("hottest functions:\n");
  for (const [k, ms] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`${String(Math.round(ms)).padStart(7)} ms  ${k}\n`);
}
if (process.env.PROFILE_KEEP) process.stdout.write(`profile kept in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });
connector.close();
await fake.close();

/**
 * Soak (b) faults: every command through a fault proxy in front of the fake Azure. The proxy is a
 * small HTTPS server on loopback that answers 30 % of requests itself, evenly with 429 (Retry-After
 * 1 s), 500, 503, a reset connection or a hang (the connection is held and never answered), and
 * forwards the rest. The app's real SDK clients talk only to the proxy.
 *
 * Prints: every command answered (n / n), partial answers labelled (every answer that is not
 * "ok" names what was missing or too slow), and the longest answer time against the deadline.
 * Exits non-zero if a command threw, an answer came after deadline + grace + 1 s, or a partial
 * answer was unlabelled. `--quick` runs each command once, otherwise `--rounds=N` (default 8).
 */
import { randomInt } from "node:crypto";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fakeAzureCertificate } from "../src/fake-azure/certificate.ts";
import { type FakeAzure, startFakeAzure } from "../src/fake-azure/server.ts";
import type { Reply } from "../src/reply/reply.ts";
import { runCommand } from "../test/support/router.ts";
import { demoApp, hardStop, numberArg, pool, quick, request } from "./soak-common.ts";

const rounds = quick ? 1 : numberArg("rounds", 8);
const faultRate = numberArg("fault-rate", 0.3);
const deadlineS = quick ? 4 : 8;
const tryTimeoutS = quick ? 1 : 2;
hardStop("faults", quick ? 240 : 1_800);

/** One or more commands per verb, the way people ask them. */
const COMMANDS = [
  "skus eastus a100",
  "skus swedencentral",
  "where a100",
  "where h100",
  "quota westus",
  "quota",
  "cost 7d",
  "cost 30d by rg",
  "cost mtd by tag:team",
  "running",
  "idle",
  "digest",
  "status",
  "explain ptu",
  "help",
  "subscriptions",
  "requests",
  "request 1 NC24ads_A100_v4 in swedencentral for 8h -- soak fault test",
];

type FaultKind = "429" | "500" | "503" | "reset" | "hang";
const KINDS: FaultKind[] = ["429", "500", "503", "reset", "hang"];

interface FaultProxy {
  url: string;
  ca: string;
  injected: Record<FaultKind, number>;
  forwarded: number;
  close(): Promise<void>;
}

/** The fault proxy: HTTPS on loopback, forwarding to the fake Azure with its own CA. */
async function startFaultProxy(target: FakeAzure, rate: number): Promise<FaultProxy> {
  // A fresh pair of its own (not the fake Azure's), so the client must trust this proxy's CA.
  const pems = await fakeAzureCertificate({ cacheDir: null });
  const upstream = new URL(target.url);
  const injected: Record<FaultKind, number> = { "429": 0, "500": 0, "503": 0, reset: 0, hang: 0 };
  const sockets = new Set<Duplex>();
  let forwarded = 0;
  const armError = (status: number, code: string) => JSON.stringify({ error: { code, message: `Fault injected by the soak proxy (${status})` } });
  const server = createHttpsServer({ key: pems.key, cert: pems.cert }, (req, res) => {
    if (Math.random() < rate) {
      const kind = KINDS[randomInt(KINDS.length)] as FaultKind;
      injected[kind]++;
      req.resume();
      if (kind === "hang") return; // held open until the client gives up or the proxy closes
      if (kind === "reset") {
        req.socket.destroy();
        return;
      }
      const status = Number(kind);
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...(status === 429 ? { "retry-after": "1" } : {}) });
      res.end(armError(status, status === 429 ? "TooManyRequests" : status === 500 ? "InternalServerError" : "ServiceUnavailable"));
      return;
    }
    forwarded++;
    const out = httpsRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, ca: target.ca },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => req.socket.destroy());
    req.pipe(out);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: pems.cert,
    injected,
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An answer that is not "ok" must say what was missing or too slow, in words a person reads. */
function labelled(r: Reply): boolean {
  if (r.outcome === "ok" || r.outcome === "user_error") return true;
  const words = JSON.stringify([r.title, r.parts, r.context]);
  return /Partial answer|Missing |Too slow|too slow|did not answer|Azure [A-Za-z .]+(failed|answered|is throttling)|Could not reach Azure|throttling|HTTP \d{3}/.test(words);
}

const fake = await startFakeAzure();
fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5_000 };
fake.fleet.knobs.qpu = { short: 1e9, shortMs: 10_000, long: 1e9, longMs: 60_000 };
const proxy = await startFaultProxy(fake, faultRate);
// The app sees the proxy as "the fake Azure": every ARM, Cost, Graph, Monitor and Retail Prices call goes through it.
const app = await demoApp(
  { ...fake, url: proxy.url, ca: proxy.ca },
  {
    GPUOPS_REGIONS: "eastus,swedencentral,westus",
    GPUOPS_AZURE_TIMEOUT: String(tryTimeoutS),
    GPUOPS_COMMAND_DEADLINE: String(deadlineS),
    GPUOPS_AZURE_MAX_RETRIES: "2",
    GPUOPS_AZURE_MAX_RETRY_WAIT: "2",
    GPUOPS_SKU_CACHE_TTL: "0",
  },
);

const runs = Array.from({ length: rounds }, () => COMMANDS).flat();
let answered = 0;
let threw = 0;
let notOk = 0;
let unlabelled = 0;
let maxMs = 0;
let maxCommand = "";
const outcomes = new Map<string, number>();
const examples: string[] = [];
await pool(runs, 6, async (text, i) => {
  const started = performance.now();
  try {
    const r = await runCommand(request(text, i, i % 2 ? "slack" : "teams"), app.context());
    answered++;
    outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    if (r.outcome !== "ok" && r.outcome !== "user_error") notOk++;
    if (!labelled(r)) {
      unlabelled++;
      if (examples.length < 3) examples.push(`${text} → ${JSON.stringify(r).slice(0, 200)}`);
    }
  } catch (err) {
    threw++;
    if (examples.length < 3) examples.push(`${text} threw ${err instanceof Error ? err.message : String(err)}`);
  }
  const took = performance.now() - started;
  if (took > maxMs) [maxMs, maxCommand] = [took, text];
});
await app.close();
await proxy.close();
await fake.close();

const limitMs = deadlineS * 1000 + 2_000 + 1_000;
const injectedTotal = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
process.stdout.write(`faults: every command answered ${answered} / ${runs.length} (${threw} threw)\n`);
process.stdout.write(`  partial labelled ${notOk - Math.min(notOk, unlabelled)} / ${notOk} · outcomes ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
process.stdout.write(
  `  max answer time ${(maxMs / 1000).toFixed(1)} s (${maxCommand}); deadline ${deadlineS} s, per-try timeout ${tryTimeoutS} s\n` +
    `  proxy: ${injectedTotal} faults injected (${KINDS.map((k) => `${k} ${proxy.injected[k]}`).join(", ")}), ${proxy.forwarded} forwarded\n`,
);
for (const e of examples) process.stdout.write(`  ${e}\n`);
const ok = threw === 0 && answered === runs.length && unlabelled === 0 && maxMs <= limitMs && injectedTotal > 0;
process.stdout.write(`faults: ${ok ? "ok" : "FAILED"}\n`);
process.exit(ok ? 0 : 1);

/**
 * Soak (a) fuzz: fuzzed commands across every verb, each answer rendered by every door renderer
 * (Slack Block Kit, Teams Adaptive Card, text and JSON). Counts anything thrown, any unhandled
 * rejection, and any Compute call whose filter is not the one safe shape (user text in a query).
 * Prints `fuzz N inputs / T throws`; exits non-zero when T, the rejections or the unsafe queries
 * are not 0. 100,000 inputs; `--quick` 2,000; `--inputs=N` any.
 */
import fc from "fast-check";
import { allRegions } from "../src/domain/regions.ts";
import { type RecordedRequest, startFakeAzure } from "../src/fake-azure/server.ts";
import { checkSlackLimits, renderSlack } from "../src/render/slack.ts";
import { renderAdaptiveCard } from "../src/render/teams.ts";
import { renderJson, renderText } from "../src/render/text.ts";
import { runCommand, verbs } from "../test/support/router.ts";
import { demoApp, hardStop, numberArg, pool, quick, request } from "./soak-common.ts";

const inputs = numberArg("inputs", quick ? 2_000 : 100_000);
const seed = numberArg("seed", 20261203);
hardStop("fuzz", quick ? 240 : 3_600);

const names = verbs().map((v) => v.name);
const words = fc.constantFrom(
  ...names,
  ...["eastus", "East US 2", "swedencentral", "westus", "a100", "h100 nvl", "NC24ads_A100_v4", "8", "7d", "30d", "mtd", "by", "rg", "tag:team", "size"],
  ...["digest", "idle", "at", "09:00", "tz", "Europe/Berlin", "scope", "all", "when", "for", "in", "--", "2", "24h", "1w", "mine", "all"],
  ...["__proto__", "constructor", "toString", "'", '"', "' or 1 eq 1", "--json", "public", "what is", "?", "vs", "<@U123>", "<#C1|x>", "&amp;", "*bold*", "`x`"],
);
const commandish = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...names), fc.array(words, { maxLength: 7 })).map(([v, w]) => [v, ...w].join(" ")) },
  { weight: 2, arbitrary: fc.array(words, { maxLength: 8 }).map((w) => w.join(" ")) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), fc.string({ maxLength: 80 })).map(([v, s]) => `${v} ${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 120 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("/gpu ", "gpu ", "@gpuops "), fc.array(words, { maxLength: 5 })).map(([p, w]) => p + w.join(" ")) },
);
const texts = fc.sample(commandish, { numRuns: inputs, seed });

const KNOWN = new Set(allRegions());
function unsafe(r: RecordedRequest): boolean {
  if (/\/providers\/Microsoft\.Compute\/skus$/i.test(r.path)) {
    const m = /^location eq '([a-z0-9]+)'$/.exec(r.query.$filter ?? "");
    return !m || !KNOWN.has(m[1] as string);
  }
  const usage = /\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/usages$/i.exec(r.path);
  return usage ? !KNOWN.has(usage[1] as string) : false;
}

let rejections = 0;
process.on("unhandledRejection", () => {
  rejections++;
});

const fake = await startFakeAzure();
// Resource Graph's per-user quota is a fault of its own (soak-faults); here it would only make inputs wait.
fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5_000 };
fake.fleet.knobs.qpu = { short: 1e9, shortMs: 10_000, long: 1e9, longMs: 60_000 };
const app = await demoApp(fake, { GPUOPS_REGIONS: "eastus,swedencentral,westus", GPUOPS_AZURE_CONCURRENCY: "32" });
let throws = 0;
let unsafeQueries = 0;
let overLimit = 0;
const firstThrows: string[] = [];
const outcomes = new Map<string, number>();
const surfaces = ["slack", "teams", "console", "cli"] as const;
const started = performance.now();
await pool(texts, 32, async (text, i) => {
  try {
    const reply = await runCommand(request(text, i, surfaces[i % surfaces.length]), app.context());
    outcomes.set(reply.outcome, (outcomes.get(reply.outcome) ?? 0) + 1);
    const slack = renderSlack(reply);
    if (checkSlackLimits(slack).length > 0) overLimit++;
    renderSlack(reply, { maxBlocks: 100 });
    renderAdaptiveCard(reply);
    renderText(reply);
    renderJson(reply);
  } catch (err) {
    throws++;
    if (firstThrows.length < 5) firstThrows.push(`${JSON.stringify(text).slice(0, 80)} → ${err instanceof Error ? err.message : String(err)}`);
  }
  if (fake.requests.length > 2_000) {
    unsafeQueries += fake.requests.filter(unsafe).length;
    fake.requests.length = 0;
  }
});
unsafeQueries += fake.requests.filter(unsafe).length;
const seconds = (performance.now() - started) / 1000;
await app.close();
await fake.close();
await new Promise((r) => setTimeout(r, 50));

process.stdout.write(`fuzz ${texts.length} inputs / ${throws} throws\n`);
process.stdout.write(
  `  renderers: slack, teams, text, json · unhandled rejections ${rejections} · unsafe queries ${unsafeQueries} · over Slack limits ${overLimit} · ${Math.round(texts.length / seconds)} inputs/s · outcomes ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(", ")}\n`,
);
for (const t of firstThrows) process.stdout.write(`  throw: ${t}\n`);
const ok = throws === 0 && rejections === 0 && unsafeQueries === 0 && overLimit === 0 && texts.length === inputs;
process.stdout.write(`fuzz: ${ok ? "ok" : "FAILED"}\n`);
process.exit(ok ? 0 : 1);

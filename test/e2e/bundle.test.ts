/**
 * The production bundle (scripts/build.ts, what the container image runs), built into a temp dir
 * under .cache/ and run as its own process: as deployed, against a fake Azure in another process's place and
 * the fake Slack, it answers a signed `/gpu skus swedencentral` with the region's sizes (the Slack
 * door's lazily loaded Bolt, the Azure SDK chunks); in demo mode it serves the console page and
 * answers a console command from the demo tenant's seed data (files found beside the sources)
 * and a Teams message (the Agents SDK chunk, loaded on first use). The Dockerfile runs this
 * entry with a compile cache filled at build time that holds what a start compiles, and the
 * source maps lead back to the sources.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { SourceMap } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle } from "../../scripts/build.ts";
import { createDemoTenant } from "../../src/fake-azure/demo-tenant.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { remoteAzureEnv } from "../support/remote-azure-env.ts";
import { personalMessage, postActivity } from "../support/teams-activities.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "bundle-signing-secret";
let dir: string;
let entry: string;

interface Running {
  url: string;
  banner: string;
  stop(): Promise<number | null>;
}

/** Runs the bundle with only the given environment (no developer settings leak in), resolving once it printed its URL. */
function runBundle(env: Record<string, string>): Promise<Running> {
  const proc: ChildProcess = spawn(process.execPath, [entry], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", PORT: "0", GPUOPS_HOST: "127.0.0.1", GPUOPS_DATA_DIR: ":memory:", GPUOPS_LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bundle did not start:\n${out}`)), 45_000);
    proc.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/(?:127\.0\.0\.1|localhost):\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: (m[1] as string).replace("localhost", "127.0.0.1"),
        banner: out,
        stop: () => {
          proc.kill("SIGTERM");
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the bundle exited (${code}) before it listened:\n${out}`));
    });
  });
}

/** The A100 sizes the demo tenant's Sweden Central seed offers, as answers name them. */
function seedA100Sizes(): string[] {
  return createDemoTenant()
    .skus("swedencentral")
    .map((s) => s.name.replace(/^Standard_/, ""))
    .filter((n) => /A100/.test(n));
}

beforeAll(async () => {
  // Inside the checkout, as dist/ is in the image: the packages left out of the bundle are found
  // in the node_modules of a folder above it.
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  dir = mkdtempSync(join(ROOT, ".cache", "bundle-test-"));
  entry = await buildBundle(join(dir, "dist"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the image runs this bundle", () => {
  it("deploy/Dockerfile builds it with `npm run build` in a stage of its own and runs its entry", () => {
    const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
    const stage = /^FROM \S+ AS build$([\s\S]*?)^FROM /m.exec(dockerfile)?.[1] ?? "";
    expect(stage).toMatch(/^RUN npm ci\b(?!.*--omit=dev)/m);
    expect(stage).toMatch(/^RUN .*npm run build$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(JSON.parse(/^CMD (.*)$/m.exec(dockerfile)?.[1] ?? "null")).toEqual(["node", `dist/${basename(entry)}`]);
    expect(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build).toContain("scripts/build.ts");
  });

  it("its build stage has every folder the bundle was built from (as the source maps list them)", () => {
    const stage = /^FROM \S+ AS build$([\s\S]*?)^FROM /m.exec(readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8"))?.[1] ?? "";
    const copied = new Set([...stage.matchAll(/^COPY (\S+) \.\/\S*$/gm)].map((m) => m[1]));
    const outdir = dirname(entry);
    const folders = new Set<string>();
    for (const map of readdirSync(outdir).filter((f) => f.endsWith(".js.map"))) {
      for (const source of (JSON.parse(readFileSync(join(outdir, map), "utf8")) as { sources: string[] }).sources) {
        // node_modules comes from `npm ci`; the entry (no folder) is written by scripts/build.ts itself.
        const path = relative(ROOT, join(outdir, source));
        if (source.includes("node_modules/") || !path.includes("/")) continue;
        folders.add(path.split("/")[0] as string);
      }
    }
    expect([...folders].sort()).toEqual(expect.arrayContaining(["cards", "src"]));
    for (const folder of folders) expect(copied, `COPY ${folder} in the build stage`).toContain(folder);
    expect(copied).toContain("tsconfig.json");
  });
});

describe("the image's compile cache", () => {
  it("deploy/Dockerfile fills it for the CMD's entry, as the user that runs it, in the folder it runs with", () => {
    const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
    const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    const cache = /^ENV NODE_COMPILE_CACHE=(\S+)$/m.exec(final)?.[1];
    expect(cache).toBeDefined();
    // Node keeps a cache per uid: filled as root, it would serve no start as "node".
    const user = final.search(/^USER node$/m);
    const fill = final.search(new RegExp(`^RUN node scripts/compile-cache\\.ts dist/${basename(entry)}$`, "m"));
    expect(user).toBeGreaterThan(0);
    expect(fill).toBeGreaterThan(user);
    expect(final.search(/^ENV NODE_COMPILE_CACHE=/m)).toBeLessThan(fill);
    expect(final).toMatch(new RegExp(`^RUN mkdir -p .*${cache}.* && chown node:node .*${cache}`, "m"));
    expect(final).toMatch(/^COPY scripts\/compile-cache\.ts \.\/scripts\/compile-cache\.ts$/m);
  });

  it("holds what a start compiles: a start with it writes almost nothing more, one without writes the whole bundle", async () => {
    const fill = (cache: string) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ["scripts/compile-cache.ts", entry], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", NODE_COMPILE_CACHE: cache } });
        let out = "";
        p.stdout.on("data", (d) => {
          out += d;
        });
        p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`compile-cache exited ${code}`))));
      });
    const bytes = (cache: string) =>
      readdirSync(cache, { recursive: true, withFileTypes: true }).reduce((n, e) => n + (e.isFile() ? statSync(join(e.parentPath, e.name)).size : 0), 0);
    const startAndStop = async (cache: string) => {
      const run = await runBundle({ GPUOPS_DEMO: "true", NODE_COMPILE_CACHE: cache });
      expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
      expect(await run.stop()).toBe(0);
    };
    const filled = join(dir, "compile-cache-filled");
    const empty = join(dir, "compile-cache-empty");
    const chunks = readdirSync(dirname(entry)).filter((f) => f.endsWith(".js")).length;
    expect(await fill(filled)).toContain(`${chunks - 1} chunks compiled`);
    const before = bytes(filled);
    await startAndStop(filled);
    // The entry itself (two lines) is the one file the fill leaves out.
    expect(bytes(filled) - before).toBeLessThan(4_000);
    mkdirSync(empty);
    await startAndStop(empty);
    expect(bytes(empty)).toBeGreaterThan(500_000);
  });
});

describe("the bundle's source maps", () => {
  it("lead from the minified code back to our sources, for `node --enable-source-maps`", () => {
    expect(readFileSync(entry, "utf8").trimEnd().endsWith("//# sourceMappingURL=gpuops.js.map")).toBe(true);
    // The chunk that holds the server's code (the entry imports it).
    const chunk = readdirSync(dirname(entry))
      .filter((f) => f.endsWith(".js"))
      .map((f) => join(dirname(entry), f))
      .find((f) => readFileSync(f, "utf8").includes("gpuops could not start: ")) as string;
    const code = readFileSync(chunk, "utf8");
    expect(code.trimEnd().endsWith(`//# sourceMappingURL=${basename(chunk)}.map`)).toBe(true);
    const map = new SourceMap(JSON.parse(readFileSync(`${chunk}.map`, "utf8")));
    // Where server.ts words its start-up failure, located in the bundle and mapped back.
    const at = code.indexOf("gpuops could not start: ");
    const before = code.slice(0, at).split("\n");
    const found = map.findEntry(before.length - 1, (before.at(-1) as string).length);
    expect("originalSource" in found && found.originalSource).toMatch(/\/src\/server\.ts$/);
    const source = readFileSync(join(ROOT, "src/server.ts"), "utf8").split("\n");
    expect("originalLine" in found && source[found.originalLine]).toContain("gpuops could not start: ");
  });
});

describe("the bundle as deployed: Azure in another process, Slack over HTTP", () => {
  let azure: FakeAzure;
  let slack: FakeSlack;
  let gpuops: Running;

  beforeAll(async () => {
    [azure, slack] = await Promise.all([startFakeAzure({ certCacheDir: null }), startFakeSlack()]);
    gpuops = await runBundle({
      ...remoteAzureEnv(azure, dir),
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
    });
  });

  afterAll(async () => {
    if (gpuops) expect(await gpuops.stop()).toBe(0);
    await Promise.all([azure?.close(), slack?.close()]);
  });

  it("is healthy and ready", async () => {
    const health = await fetch(`${gpuops.url}/healthz`);
    expect(health.status).toBe(200);
    await slack.waitFor(async () => (await fetch(`${gpuops.url}/readyz`)).ok, 15_000);
    // Bolt (bundled, loaded on first use) checked the bot token against the fake Slack.
    expect(slack.callsOf("auth.test").length).toBeGreaterThanOrEqual(1);
  });

  it("answers a signed `/gpu skus swedencentral` with the region's GPU sizes, read from Azure", async () => {
    const res = await postSigned(gpuops.url, SECRET, slashCommandBody({ text: "skus swedencentral", responseUrl: slack.responseUrl("skus") }));
    expect(res.status).toBe(200);
    const ack = await res.text();
    // The answer comes in the ack when Azure is quick, else through response_url.
    const answer = ack.includes("blocks") ? ack : JSON.stringify((await slack.waitFor(() => slack.responsesTo("skus")[0], 15_000)).body);
    const a100s = seedA100Sizes();
    expect(a100s.length).toBeGreaterThan(0);
    for (const size of a100s) expect(answer).toContain(size);
    expect(answer).toContain("Sweden Central");
    expect(answer).not.toContain("Demo data");
    expect(azure.requests.some((r) => r.path.includes("/providers/Microsoft.Compute/skus"))).toBe(true);
  });
});

describe("the bundle in demo mode", () => {
  let gpuops: Running;
  let connector: FakeBotConnector;

  beforeAll(async () => {
    connector = await startFakeBotConnector();
    gpuops = await runBundle({ GPUOPS_DEMO: "true" });
  });

  afterAll(async () => {
    if (gpuops) expect(await gpuops.stop()).toBe(0);
    await connector?.close();
  });

  it("serves the console page and its vendored renderer, found beside the sources", async () => {
    expect(gpuops.banner).toContain("gpuops console (demo data)");
    const page = await fetch(`${gpuops.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/console/vendor/adaptivecards.min.js");
    expect(html).toContain('id="command"');
    const vendor = await fetch(`${gpuops.url}/console/vendor/adaptivecards.min.js`);
    expect(vendor.status).toBe(200);
    expect(await vendor.text()).toContain("AdaptiveCards");
  });

  it("answers a console command from the demo tenant's seed data", async () => {
    const res = await fetch(`${gpuops.url}/console/api/command`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "skus swedencentral a100", actor: "dana" }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reply: { outcome: string } };
    expect(body.reply.outcome).toBe("ok");
    const text = JSON.stringify(body.reply);
    const a100s = seedA100Sizes();
    for (const size of a100s) expect(text).toContain(size);
    expect(text).not.toContain("H100");
  });

  it("answers a Teams message with a card, through the Agents SDK loaded on first use", async () => {
    const activity = personalMessage(connector.url, "quota westus");
    expect((await postActivity(gpuops.url, activity)).status).toBe(200);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id), 15_000);
    const reply = connector.calls.find((c) => c.activityId === activity.id);
    const attachments = reply?.activity.attachments as Array<{ contentType: string; content: unknown }>;
    expect(attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = JSON.stringify(attachments[0]?.content);
    expect(card).toContain("GPU quota in westus (West US)");
    expect(card).toContain("Standard NCASv3_T4 Family");
  });
});

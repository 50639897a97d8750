// `gpuops` as a user runs it: a child process of bin/gpuops.js, exit codes and output checked.
// Most cases use --demo (the CLI's own in-process fake Azure); the last block points the CLI at a
// fake Azure started here, through GPUOPS_AZURE_URL + NODE_EXTRA_CA_CERTS like any external
// ARM-compatible endpoint, so the test can see exactly which requests the CLI made.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answersWithoutAzure, main } from "../../src/cli.ts";
import { ENV_KEYS } from "../../src/config.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import type { Reply } from "../../src/reply/reply.ts";
import { verbs } from "../support/router.ts";

const BIN = fileURLToPath(new URL("../../bin/gpuops.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "gpuops-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment (nothing inherited that could switch off demo mode). */
function gpuops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: work,
        timeout: 80_000,
        env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, HOME: work, GPUOPS_DATA_DIR: join(work, "data"), ...env },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Each case spawns Node (about a second, more on a busy machine): generous per-test timeouts.
describe("gpuops CLI on the demo tenant", { timeout: 90_000 }, () => {
  it("`skus swedencentral a100 --demo` lists the A100 sizes with GPU count and memory", async () => {
    const r = await gpuops(["skus", "swedencentral", "a100", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const size of ["NC24ads_A100_v4", "NC48ads_A100_v4", "NC96ads_A100_v4", "ND96amsr_A100_v4"]) expect(r.stdout).toContain(size);
    expect(r.stdout).toMatch(/NC24ads_A100_v4\s+1 × A100 80 GB\s+80 GB/);
    expect(r.stdout).toMatch(/ND96amsr_A100_v4\s+8 × A100 80 GB\s+640 GB/);
    expect(r.stdout).toContain("Demo data");
  });

  it("`quota westus --demo` shows family usage with VM and GPU headroom", async () => {
    const r = await gpuops(["quota", "westus", "--demo"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("GPU quota in westus (West US)");
    expect(r.stdout).toMatch(/regional cap: \d+ \/ \d+ vCPUs used/);
    expect(r.stdout).toContain("You can still start");
    // Shares of one GPU stay fractions (1/3 GPU); several GPUs' worth read as a decimal (3.5 GPUs), never "7/2".
    expect(r.stdout).toMatch(/\d+ × NV6ads_A10_v5 \((\d+\/\d+ GPU|(≈ )?\d+(\.\d+)? GPUs?)\)/);
    expect(r.stdout).not.toMatch(/\(\d+\/\d+ GPUs\)|\(= \d+\/\d+/);
  });

  it('`explain "what is a PTU"` answers (demo is the default with no Azure scope)', async () => {
    const r = await gpuops(["explain", "what is a PTU"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PTU/);
    expect(r.stdout).toContain("Why infra cares");
  });

  it("`skus eastus' or 1 eq 1` exits 1 with a clear message", async () => {
    const r = await gpuops(["skus eastus' or 1 eq 1"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`I don't know the region or GPU "eastus' or 1 eq 1"`);
    expect(r.stdout).toContain("Try: skus eastus");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("--json prints the Reply", async () => {
    const r = await gpuops(["skus", "swedencentral", "a100", "--json", "--demo"]);
    expect(r.code).toBe(0);
    const reply = JSON.parse(r.stdout) as Reply;
    expect(reply.outcome).toBe("ok");
    expect(reply.title).toContain("swedencentral");
    const table = reply.parts.find((p) => p.kind === "table");
    expect(table?.kind === "table" && table.rows.map((row) => row.size)).toContain("NC24ads_A100_v4");
    const bad = JSON.parse((await gpuops(["skus", "mars", "--json"])).stdout) as Reply;
    expect(bad).toMatchObject({ outcome: "user_error", code: "unknown_region" });
  });

  it("--help lists every verb and every config key", async () => {
    const r = await gpuops(["--help"]);
    expect(r.code).toBe(0);
    for (const v of verbs()) expect(r.stdout).toContain(v.usage);
    for (const key of Object.keys(ENV_KEYS)) expect(r.stdout).toContain(key);
    expect(r.stdout).toContain("--json");
    expect(r.stdout).toContain("--demo");
  });

  it("a bad config value exits 1 naming the key and an example", async () => {
    const r = await gpuops(["skus", "eastus"], { GPUOPS_CURRENCY: "dollars" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("GPUOPS_CURRENCY");
    expect(r.stdout).toContain("example: GPUOPS_CURRENCY=USD");
  });

  it("a bad gpuops.yaml value exits 1 too", async () => {
    const file = join(work, "bad.yaml");
    writeFileSync(file, "server:\n  port: abc\n");
    const r = await gpuops(["help"], { GPUOPS_CONFIG: file });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("PORT");
  });

  it("verbs that declare no Azure answer every example without it (their Azure ports refuse if touched)", async () => {
    const offline = verbs().filter((v) => answersWithoutAzure(v));
    expect(offline.map((v) => v.name)).toEqual(expect.arrayContaining(["help", "explain"]));
    expect(offline.map((v) => v.name)).not.toContain("skus");
    expect(offline.map((v) => v.name)).not.toContain("requests");
    expect(answersWithoutAzure(undefined)).toBe(true);
    const texts = [...offline.flatMap((v) => v.examples), "what is a PTU?", "frobnicate"];
    for (const text of texts) {
      let printed = "";
      const code = await main([...text.split(" "), "--json"], { GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: join(work, "data") }, (s) => {
        printed += s;
      });
      const reply = JSON.parse(printed) as Reply;
      // Subscriptions need a chat channel (user_error in the terminal), but nothing may fail on our side.
      expect(reply.code ?? "", text).not.toBe("internal");
      expect(code, text).toBeLessThan(2);
    }
  });

  it("an unknown option exits 1 and points at --help", async () => {
    const r = await gpuops(["skus", "--frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("gpuops --help");
  });
});

describe("gpuops CLI against an external ARM endpoint (GPUOPS_AZURE_URL)", { timeout: 90_000 }, () => {
  let fake: FakeAzure;
  let env: Record<string, string>;
  beforeAll(async () => {
    fake = await startFakeAzure();
    const ca = join(work, "fake-azure-ca.pem");
    writeFileSync(ca, fake.ca);
    env = {
      GPUOPS_AZURE_URL: fake.url,
      GPUOPS_AZURE_TOKEN: fake.token,
      AZURE_SUBSCRIPTION_IDS: fake.tenant.subscriptions[0]?.id as string,
      NODE_EXTRA_CA_CERTS: ca,
      GPUOPS_AZURE_MAX_RETRIES: "0",
      // List prices (skus) come from the Retail Prices API: the fake stands in for it too, so nothing leaves loopback.
      GPUOPS_PRICES_URL: fake.url,
    };
  });
  afterAll(async () => fake?.close());

  it("answers from the endpoint, with the location filter, and no demo notice", async () => {
    const before = fake.requests.length;
    const r = await gpuops(["skus", "Sweden", "Central", "a100"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("NC24ads_A100_v4");
    expect(r.stdout).not.toContain("Demo data");
    const calls = fake.requests.slice(before);
    const prices = calls.filter((c) => c.path === "/api/retail/prices");
    expect(calls.filter((c) => !prices.includes(c)).map((c) => c.query.$filter)).toEqual(["location eq 'swedencentral'"]);
    // One Retail Prices read for the region (its pages), not one per row.
    expect(prices.length).toBeGreaterThan(0);
    expect(prices.every((c) => c.query.$filter?.includes("armRegionName eq 'swedencentral'"))).toBe(true);
    expect(prices.filter((c) => !c.query.$skip).length).toBe(1);
    expect(r.stdout).toMatch(/NC24ads_A100_v4 .* \$\d+\.\d\d\/h/);
  });

  it("refuses the OData injection without sending a single request", async () => {
    const before = fake.requests.length;
    const texts = ["skus eastus' or 1 eq 1", "skus eastus' or '1'='1", "quota westus' or 1 eq 1"];
    const runs = await Promise.all(texts.map((text) => gpuops([text], env)));
    runs.forEach((r, i) => {
      expect(r.code, texts[i]).toBe(1);
    });
    expect(fake.requests.length).toBe(before);
  });

  it("help and explain never reach the endpoint", async () => {
    const before = fake.requests.length;
    for (const args of [["help"], ["explain", "ptu"], ["what", "is", "MIG?"]]) expect((await gpuops(args, env)).code, args.join(" ")).toBe(0);
    expect(fake.requests.length).toBe(before);
  });

  it("exits 2 when Azure fails", async () => {
    fake.addFault({ match: "/usages", status: 500 });
    try {
      const r = await gpuops(["quota", "westus"], env);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stdout).toContain("HTTP 500");
    } finally {
      fake.clearFaults();
    }
  });
});

/**
 * The real server process gives back what start-up left in V8's young generation once start-up
 * work has settled (demo mode: module loading, the SDK warm-up and the first idle scan), and
 * keeps it when GPUOPS_MEMORY_TRIM=false. Read from its own log and its /metrics.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const MB = 1024 * 1024;

interface Running {
  proc: ChildProcess;
  url: string;
  /** stderr's JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function start(env: Record<string, string>): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), "gpuops-idle-memory-"));
  const proc = spawn(process.execPath, [join(ROOT, "src/server.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: dataDir, PORT: "0", GPUOPS_CONSOLE: "off", GPUOPS_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/[\d.]+:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    proc.on("exit", (code) => reject(new Error(`server exited ${code}: ${stderr.slice(-2000)}`)));
  });
  const r: Running = {
    proc,
    url,
    logs: () =>
      stderr
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  running.push(r);
  return r;
}

/** The young generation's size (V8 new space, bytes) as /metrics reports it. */
async function youngSpace(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /gpuops_nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/.exec(text);
  if (!m) throw new Error("no new-space size in /metrics");
  return Number(m[1]);
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("idle memory", () => {
  it("gives the young generation back once start-up has settled", async () => {
    const server = await start({});
    const trimmed = await until("the start-up trim", () => server.logs().find((l) => l.msg === "gave idle memory back"));
    expect(trimmed).toMatchObject({ reason: "start-up" });
    expect(trimmed.youngMbBefore).toBeGreaterThanOrEqual(8);
    expect(trimmed.rssMbAfter).toBeLessThan(trimmed.rssMbBefore as number);
    expect(await youngSpace(server.url)).toBeLessThanOrEqual(4 * MB);
  }, 60_000);

  it("keeps it with GPUOPS_MEMORY_TRIM=false", async () => {
    const server = await start({ GPUOPS_MEMORY_TRIM: "false" });
    expect(await youngSpace(server.url)).toBeGreaterThan(8 * MB);
    await server.stop();
    running.splice(0);
    expect(server.logs().filter((l) => l.msg === "gave idle memory back")).toEqual([]);
  }, 60_000);
});

/**
 * Servers under test and the load generator, each in its own process: `startTarget` spawns a
 * server, waits for the URL it prints, and times spawn → first /healthz 200; `load` runs
 * bench/load.ts in a child process and returns its figures.
 *
 * @example
 * const gpuops = await startTarget("gpuops", ["src/server.ts"], gpuopsEnv(fakeSlack));
 * const r = await load({ url: gpuops.url, kind: "slack", text: "help", requests: 2000, concurrency: 200, secret });
 * await gpuops.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { LoadPlan, LoadResult } from "./load.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface Target {
  name: string;
  url: string;
  pid: number;
  /** Spawn until the first /healthz answered 200. */
  startMs: number;
  /** Resident set size now, from /proc (MB). */
  rssMb(): number;
  stop(): Promise<void>;
}

/** CPU time (user + system, all threads) a process has used so far, from /proc (ms, in 10 ms ticks). */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Spawns `node <args>` and resolves once it printed a URL and /healthz answers. */
export async function startTarget(name: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Target> {
  // A known free port, so /healthz is polled from the moment of spawn (the server may answer it
  // before it prints its URL: jobs start after listen).
  const port = await freePort();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let healthyAt: number | undefined;
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const polling = (async () => {
    while (healthyAt === undefined && !exited) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (res?.ok) healthyAt = performance.now();
      else await new Promise((r) => setTimeout(r, 5));
      await res?.text().catch(() => "");
    }
  })();
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name}: no URL within 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  await polling;
  const startMs = Math.round((healthyAt ?? performance.now()) - t0);
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    startMs,
    rssMb: () => rssOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs one load plan from a separate process (bench/load.ts) and returns what it measured. */
export function load(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bench/load.ts", JSON.stringify(plan)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out) as LoadResult);
    });
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

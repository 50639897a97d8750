// `npm start` as a newcomer meets it: the server as a real process, and what it says when it
// cannot start. Each failure is one line that names the cause, a non-zero exit, no stack trace.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("../../src/server.ts", import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "gpuops-startup-"));
  dirs.push(d);
  return d;
};

/** Runs the server until it exits (or 30 s pass); stdout, stderr's human lines and the exit code. */
function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; lines: string[] }> {
  return new Promise((resolve) => {
    const home = tempDir();
    const child = spawn(process.execPath, [SERVER], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "", HOME: home, GPUOPS_DATA_DIR: join(home, "data"), GPUOPS_LOG_LEVEL: "silent", GPUOPS_SCHEDULER: "false", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, lines: stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("{")) });
    });
  });
}

let busy: Server;
let busyPort = 0;
/** A port nothing listens on (taken, then given back): connecting to it is refused. */
let closedPort = 0;
beforeAll(async () => {
  busy = createServer((socket) => socket.destroy());
  await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
  busyPort = (busy.address() as { port: number }).port;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => busy.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("start-up failures", () => {
  it("a port in use: exit 1 with one line naming the port", async () => {
    const r = await run({ PORT: String(busyPort) });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([`gpuops could not start: port ${busyPort} is in use; set PORT to a free port`]);
    expect(r.stdout).not.toMatch(/console/);
  }, 40_000);

  it("a store that cannot be opened: one line naming the data dir", async () => {
    const dir = tempDir();
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "x");
    const r = await run({ PORT: "0", GPUOPS_DATA_DIR: join(file, "data") });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^gpuops could not start: GPUOPS_DATA_DIR: SQLite file .*not-a-folder\/data\/gpuops\.db: could not open the store \(/);
  }, 40_000);

  it("PostgreSQL that does not answer: one line naming where, without the password", async () => {
    const r = await run({ PORT: "0", DATABASE_URL: `postgres://gpuops:s3cret-pw@127.0.0.1:${closedPort}/nowhere` });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^gpuops could not start: DATABASE_URL: PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/nowhere: could not open the store`));
    expect(r.lines[0]).not.toContain("s3cret-pw");
  }, 40_000);

  it("an unreachable Slack API is said as unreachable, not as a refused token", async () => {
    const r = await run({
      PORT: "0",
      SLACK_BOT_TOKEN: "xoxb-not-checked-offline",
      SLACK_SIGNING_SECRET: "test-signing-secret",
      SLACK_API_URL: `http://127.0.0.1:${closedPort}/api/`,
    });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^gpuops could not start: SLACK_API_URL: could not reach the Slack API at http://127\\.0\\.0\\.1:${closedPort}/api/ \\(`));
    expect(r.lines[0]).not.toMatch(/did not accept/);
    expect(r.lines[0]).not.toContain("xoxb-not-checked-offline");
  }, 60_000);
});

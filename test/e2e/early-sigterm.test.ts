/**
 * SIGTERM in the first moments of a start (the server already answers /healthz, its first
 * scheduler run is still going) is a graceful stop like any other: a rolling restart or a
 * scale-in can send it then. The real server process, demo mode.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("a SIGTERM while the server is still starting", () => {
  it("drains and exits 0 once the server is up, instead of dying on the signal", async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "gpuops-early-sigterm-"));
    const proc = spawn(process.execPath, [join(ROOT, "src/server.ts")], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        GPUOPS_DEMO: "true",
        GPUOPS_DATA_DIR: dataDir,
        PORT: String(port),
        GPUOPS_CONSOLE: "off",
        GPUOPS_LOG_LEVEL: "info",
        GPUOPS_DRAIN_DELAY: "0s",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
    try {
      // The signal goes the moment /healthz first answers: listen is done, start-up is not.
      for (let i = 0; i < 4000; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      proc.kill("SIGTERM");
      expect(await exited, out).toEqual({ code: 0, signal: null });
      expect(out).toContain("shutting down");
      expect(out).toContain('"msg":"stopped"');
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * A real Prometheus server for tests: Debian's `/usr/bin/prometheus` started as a child process
 * with a temporary config and storage directory, on a free loopback port, scraping the given
 * targets every second; killed and cleaned up by close(). Never the systemd service.
 *
 * @example
 * const prom = await startPrometheus({ targets: [exporter.target] });
 * await prom.waitForSeries('DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-vm-1"}');
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROMETHEUS_BIN = process.env.GPUOPS_PROMETHEUS_BIN ?? "/usr/bin/prometheus";

export interface RunningPrometheus {
  url: string;
  /** Resolves once a query for `selector` returns at least one series. */
  waitForSeries(selector: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPrometheus(opts: { targets: string[]; scrapeIntervalSeconds?: number }): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} not found: install Debian's prometheus package (scripts/test-services.sh does)`);
  const dir = mkdtempSync(join(tmpdir(), "gpuops-prom-"));
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const config = [
    "global:",
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    "scrape_configs:",
    "  - job_name: dcgm",
    `    scrape_interval: ${interval}`,
    `    scrape_timeout: ${interval}`,
    "    static_configs:",
    `      - targets: [${opts.targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config);

  let child: ChildProcess | undefined;
  let url = "";
  let stderr = "";
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    const port = await freePort();
    const proc = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
        "--storage.tsdb.retention.time=1h",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    proc.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const candidate = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    let ready = false;
    while (Date.now() < deadline && proc.exitCode === null) {
      try {
        const res = await fetch(`${candidate}/-/ready`);
        if (res.ok) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (ready) {
      child = proc;
      url = candidate;
    } else {
      proc.kill("SIGKILL");
    }
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Prometheus did not start: ${stderr}`);
  }
  const proc = child;

  return {
    url,
    async waitForSeries(selector, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(selector)}`);
        const body = (await res.json()) as { data?: { result?: unknown[] } };
        if ((body.data?.result?.length ?? 0) > 0) return;
        await sleep(200);
      }
      throw new Error(`no series for ${selector} after ${timeoutMs} ms`);
    },
    async close() {
      if (proc.exitCode === null) {
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGTERM");
        await Promise.race([exited, sleep(5000)]);
        if (proc.exitCode === null) proc.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

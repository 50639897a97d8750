/**
 * A fake NVIDIA DCGM exporter: GET /metrics in the Prometheus text format, with the exporter's
 * metric names and labels (gpu, UUID, device, modelName, Hostname, DCGM_FI_DRIVER_VERSION) and
 * values the test controls. A host can replay a phase of the real H200 trace
 * (test/fixtures/gpu-telemetry): each scrape serves the phase's next measured row.
 *
 * @example
 * const exporter = await startFakeDcgmExporter();
 * exporter.playPhase("gpu-vm-1", "parked");   // 0 % util, 58,555 MiB held, ~126 W
 * exporter.set("gpu-vm-2", { util: 97, fbUsedMib: 60000, powerW: 690 }, 8);
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface TraceRow {
  tS: number;
  phase: string;
  utilGpuPct: number;
  utilMemPct: number;
  powerW: number;
  memUsedMib: number;
  memTotalMib: number;
}

/** The real H200 NVML trace (0.5 s samples; phases idle, light, parked, heavy, after). */
export function loadH200Trace(): TraceRow[] {
  const text = readFileSync(new URL("../fixtures/gpu-telemetry/h200-nvml-trace.csv", import.meta.url), "utf8");
  const [header, ...lines] = text.trim().split("\n");
  const cols = (header as string).split(",");
  const at = (name: string) => cols.indexOf(name);
  return lines.map((line) => {
    const f = line.split(",");
    return {
      tS: Number(f[at("t_s")]),
      phase: f[at("phase")] as string,
      utilGpuPct: Number(f[at("util_gpu_pct")]),
      utilMemPct: Number(f[at("util_mem_pct")]),
      powerW: Number(f[at("power_w")]),
      memUsedMib: Number(f[at("mem_used_mib")]),
      memTotalMib: Number(f[at("mem_total_mib")]),
    };
  });
}

export interface GpuReading {
  /** DCGM_FI_DEV_GPU_UTIL, percent. */
  util: number;
  /** DCGM_FI_DEV_FB_USED, MiB. */
  fbUsedMib: number;
  /** DCGM_FI_DEV_POWER_USAGE, W. */
  powerW: number;
}

type HostSource = { kind: "fixed"; reading: GpuReading; gpus: number } | { kind: "phase"; rows: TraceRow[]; next: number; gpus: number };

export interface FakeDcgmExporter {
  url: string;
  /** host:port, for a Prometheus static target. */
  target: string;
  /** Fixed values for every GPU of a host (the exporter runs on it; Hostname is this name). */
  set(host: string, reading: GpuReading, gpus?: number): void;
  /** Replay a phase of the real H200 trace on every GPU of the host, one row per scrape. */
  playPhase(host: string, phase: "idle" | "light" | "parked" | "heavy" | "after", gpus?: number): void;
  /** The host's exporter goes away (its series stop). */
  remove(host: string): void;
  /** Also expose DCGM_FI_PROF_GR_ENGINE_ACTIVE (profiling metrics enabled), derived as util / 100. */
  profiling: boolean;
  scrapes(): number;
  close(): Promise<void>;
}

const HELP: Array<[string, string]> = [
  ["DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %)."],
  ["DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB)."],
  ["DCGM_FI_DEV_POWER_USAGE", "Power draw (in W)."],
  ["DCGM_FI_PROF_GR_ENGINE_ACTIVE", "Ratio of time the graphics engine is active."],
];

export async function startFakeDcgmExporter(opts: { trace?: TraceRow[] } = {}): Promise<FakeDcgmExporter> {
  const trace = opts.trace ?? loadH200Trace();
  const hosts = new Map<string, HostSource>();
  let scrapes = 0;
  const state = { profiling: false };

  const readingOf = (src: HostSource): GpuReading => {
    if (src.kind === "fixed") return src.reading;
    const row = src.rows[src.next % src.rows.length] as TraceRow;
    src.next++;
    return { util: row.utilGpuPct, fbUsedMib: row.memUsedMib, powerW: row.powerW };
  };

  const render = (): string => {
    const samples = new Map<string, string[]>(HELP.map(([m]) => [m, []]));
    for (const [host, src] of hosts) {
      const r = readingOf(src);
      for (let gpu = 0; gpu < src.gpus; gpu++) {
        const labels = `gpu="${gpu}",UUID="GPU-00000000-0000-0000-0000-${String(gpu).padStart(12, "0")}",device="nvidia${gpu}",modelName="NVIDIA H200",Hostname="${host}",DCGM_FI_DRIVER_VERSION="580.159.04"`;
        samples.get("DCGM_FI_DEV_GPU_UTIL")?.push(`DCGM_FI_DEV_GPU_UTIL{${labels}} ${Math.round(r.util)}`);
        samples.get("DCGM_FI_DEV_FB_USED")?.push(`DCGM_FI_DEV_FB_USED{${labels}} ${Math.round(r.fbUsedMib)}`);
        samples.get("DCGM_FI_DEV_POWER_USAGE")?.push(`DCGM_FI_DEV_POWER_USAGE{${labels}} ${r.powerW.toFixed(3)}`);
        if (state.profiling) samples.get("DCGM_FI_PROF_GR_ENGINE_ACTIVE")?.push(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels}} ${(r.util / 100).toFixed(6)}`);
      }
    }
    const out: string[] = [];
    for (const [metric, help] of HELP) {
      const lines = samples.get(metric) ?? [];
      if (lines.length === 0) continue;
      out.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} gauge`, ...lines);
    }
    return `${out.join("\n")}\n`;
  };

  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end("not found\n");
      return;
    }
    scrapes++;
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(render());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/metrics`,
    target: `127.0.0.1:${port}`,
    set(host, reading, gpus = 1) {
      hosts.set(host, { kind: "fixed", reading, gpus });
    },
    playPhase(host, phase, gpus = 1) {
      // A phase's first two rows still show the previous phase settling (e.g. "after" opens at 67 %).
      const rows = trace.filter((r) => r.phase === phase).slice(2);
      if (rows.length === 0) throw new Error(`no rows for phase ${phase} in the trace`);
      hosts.set(host, { kind: "phase", rows, next: 0, gpus });
    },
    remove(host) {
      hosts.delete(host);
    },
    get profiling() {
      return state.profiling;
    },
    set profiling(on: boolean) {
      state.profiling = on;
    },
    scrapes: () => scrapes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

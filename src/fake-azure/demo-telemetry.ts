/**
 * GPU telemetry for the demo tenant, as Telegraf's nvidia_smi input would publish it to Azure
 * Monitor (`utilization_gpu` %, `memory_used` MiB, one sample a minute). Every running GPU VM
 * and scale set of the demo fleet gets a deterministic story: busy, idle for some hours,
 * parked (memory held, no work), idle only minutes ago, or no agent at all (unknown).
 *
 * Reading shapes come from the real H200 trace (shared/fixtures/gpu-telemetry, NVML 0.5 s
 * samples): busy ≈ 99–100 %, idle 0 % (a light loop shows 0–1 %), memory 615 MiB with no
 * process, 1,333 MiB with a CUDA context, 58,555 MiB with a parked 60 GB allocation.
 *
 * Tests rewrite a VM's timeline with `set(id, profile, from)`: the profile applies from `from`
 * (epoch ms) on, so "busy, then idle at T1, then busy at T2" is three calls.
 */
import { findSize } from "../domain/gpu-catalogue.ts";
import type { DemoFleet } from "./demo-fleet.ts";

/** `memoryMib` is what the fullest GPU holds; a profile without it scales the H200 readings to the VM's GPU. */
export type GpuProfile = { kind: "busy" } | { kind: "idle"; memoryMib?: number; parked?: boolean } | { kind: "none" };

export interface GpuSample {
  util: number;
  memoryMib: number;
}

export interface DemoTelemetry {
  /** The profile in force for a resource at a time. */
  profileAt(resourceId: string, at: number): GpuProfile;
  /** From `from` on (default: always), the resource behaves as `profile`. */
  set(resourceId: string, profile: GpuProfile, from?: number): void;
  /** The VM was deallocated at `at`: no samples from then on. */
  stop(resourceId: string, at: number): void;
  /** One minute's sample, or undefined when nothing was published. */
  sample(resourceId: string, minuteStart: number): GpuSample | undefined;
  /** `count` consecutive minutes from `firstMinute`, each as `sample` gives it (one lookup of the resource for all). */
  samples(resourceId: string, firstMinute: number, count: number): Array<GpuSample | undefined>;
}

/** Measured on the real H200 (see the file comment). */
export const H200_READINGS = {
  busyUtil: [99, 100, 99, 100, 98],
  idleUtil: [0, 0, 0, 1, 0],
  memoryIdleMib: 615,
  memoryContextMib: 1333,
  memoryParkedMib: 58_555,
  memoryBusyMib: 58_811,
} as const;

const HOUR = 3_600_000;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Segment {
  from: number;
  profile: GpuProfile;
}

/** The demo's stories, by a stable hash of the resource id: half busy, a third idle or parked. */
function defaultTimeline(id: string, now: number): Segment[] {
  const h = hash(id);
  const slot = h % 20;
  const busy: Segment = { from: Number.NEGATIVE_INFINITY, profile: { kind: "busy" } };
  if (slot < 10) return [busy];
  if (slot < 14) return [busy, { from: now - (2 + (h % 47)) * HOUR - ((h >>> 8) % 60) * 60_000, profile: { kind: "idle" } }];
  if (slot < 16) return [busy, { from: now - (1 + (h % 30)) * HOUR, profile: { kind: "idle", parked: true } }];
  if (slot < 17) return [busy, { from: now - 20 * 60_000, profile: { kind: "idle" } }];
  return [{ from: Number.NEGATIVE_INFINITY, profile: { kind: "none" } }];
}

export function createDemoTelemetry(fleet: DemoFleet): DemoTelemetry {
  const timelines = new Map<string, Segment[]>();
  const stopped = new Map<string, number>();
  const createdAt = fleet.now().getTime();
  const known = new Set(fleet.resources.map((r) => r.id.toLowerCase()));
  // Memory readings scaled from the H200 (141 GB) to each VM's GPU, so a T4 never "holds 57 GiB".
  const scale = new Map<string, number>();
  for (const r of fleet.resources) {
    const size = (r.properties.hardwareProfile as { vmSize?: string } | undefined)?.vmSize ?? r.sku?.name;
    const gb = size ? findSize(size)?.gpu.memoryGbPerGpu : undefined;
    scale.set(r.id.toLowerCase(), gb ? Math.min(1, gb / 141) : 1);
  }
  const idHashes = new Map<string, number>();
  const idHash = (id: string) => {
    let h = idHashes.get(id);
    if (h === undefined) {
      h = hash(id.toLowerCase());
      idHashes.set(id, h);
    }
    return h;
  };

  const timeline = (id: string): Segment[] => {
    const key = id.toLowerCase();
    let t = timelines.get(key);
    if (!t) {
      t = known.has(key) ? defaultTimeline(key, createdAt) : [{ from: Number.NEGATIVE_INFINITY, profile: { kind: "none" } }];
      timelines.set(key, t);
    }
    return t;
  };

  const profileIn = (segments: Segment[], at: number): GpuProfile => {
    let p: GpuProfile = { kind: "none" };
    for (const s of segments) if (s.from <= at) p = s.profile;
    return p;
  };
  const profileAt = (id: string, at: number): GpuProfile => profileIn(timeline(id), at);

  // The minute's reading for a resource whose key, hash, timeline, stop and memory scale were looked up once.
  const reading = (r: { h: number; segments: Segment[]; stop: number | undefined; scale: number }, minuteStart: number): GpuSample | undefined => {
    if (r.stop !== undefined && minuteStart >= r.stop) return undefined;
    const p = profileIn(r.segments, minuteStart);
    if (p.kind === "none") return undefined;
    // A cheap per-minute pick (the benchmark asks for millions of samples).
    const i = (Math.imul(r.h ^ Math.floor(minuteStart / 60_000), 0x9e3779b1) >>> 27) % 5;
    if (p.kind === "busy") return { util: H200_READINGS.busyUtil[i] as number, memoryMib: Math.round(H200_READINGS.memoryBusyMib * r.scale) };
    const held = p.memoryMib ?? (p.parked ? Math.round(H200_READINGS.memoryParkedMib * r.scale) : H200_READINGS.memoryContextMib);
    return { util: H200_READINGS.idleUtil[i] as number, memoryMib: held };
  };
  const resource = (id: string) => {
    const key = id.toLowerCase();
    return { h: idHash(id), segments: timeline(key), stop: stopped.get(key), scale: scale.get(key) ?? 1 };
  };

  return {
    profileAt,
    set(id, profile, from = Number.NEGATIVE_INFINITY) {
      const key = id.toLowerCase();
      const kept = from === Number.NEGATIVE_INFINITY ? [] : timeline(key).filter((s) => s.from < from);
      timelines.set(key, [...kept, { from, profile }]);
      if (from === Number.NEGATIVE_INFINITY) stopped.delete(key);
    },
    stop(id, at) {
      stopped.set(id.toLowerCase(), at);
    },
    sample(id, minuteStart) {
      return reading(resource(id), minuteStart);
    },
    samples(id, firstMinute, count) {
      const r = resource(id);
      const out: Array<GpuSample | undefined> = new Array(count);
      for (let k = 0; k < count; k++) out[k] = reading(r, firstMinute + k * 60_000);
      return out;
    },
  };
}

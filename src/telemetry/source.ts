/**
 * What a telemetry source (Prometheus, Azure Monitor) is asked and answers, in gpuops' words.
 * A target is one inventory resource: a VM (matched by name), an AKS node pool or a scale set
 * (matched by their nodes' names). A source answers per host: one series per VM or node.
 */
import type { ActivityBucket, ActivitySignal } from "../domain/idle-rule.ts";
import type { GpuResource } from "../services/ports.ts";

export interface Target {
  resource: GpuResource;
  /** VMs: the host name the exporter reports (the VM name, lower-cased). */
  host?: string;
  /** AKS pools: the pool name; nodes are aks-<pool>-<n>-vmss<id>. */
  pool?: string;
  /** Scale sets: the computer-name prefix; instances are <prefix><6 base-36 chars>. */
  scaleSetPrefix?: string;
}

export interface FetchRange {
  /** Epoch ms. */
  from: number;
  to: number;
  /** Bucket length asked for; a source may round up to what it supports. */
  stepSeconds: number;
}

/** One VM's or node's readings from one source. */
export interface HostSeries {
  target: Target;
  /** The VM or node name the series carry (lower-case). */
  host: string;
  signal: ActivitySignal;
  buckets: ActivityBucket[];
  memoryUsedMib?: number;
  powerW?: number;
  /** Start of the range the buckets were asked for (set when the look back was read). */
  rangeStart?: number;
}

export interface SourceAnswer {
  series: HostSeries[];
  /** Targets the source could not answer for (the query failed), with why. */
  failed: Array<{ target: Target; detail: string }>;
}

export interface TelemetrySource {
  /** "prometheus", "azure-monitor". */
  readonly name: string;
  /** Whether this source can say anything about the target at all. */
  covers(target: Target): boolean;
  /** Activity buckets over the range; with `support`, the supporting signals over the same span. */
  fetch(targets: Target[], range: FetchRange, support: boolean): Promise<SourceAnswer>;
  /** Queries sent so far (a Prometheus HTTP query, a Monitor batch call). */
  queries(): number;
  /** How to say "this source has nothing for that target", for the unknown list. */
  describeMissing(target: Target): string;
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

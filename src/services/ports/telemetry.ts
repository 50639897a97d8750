/**
 * The telemetry port: GPU utilisation of running VMs and AKS nodes (Prometheus, Azure Monitor),
 * for `idle`, the idle scan and the digest.
 */
import type { VmTelemetry } from "../../domain/idle-rule.ts";
import type { GpuResource } from "./azure.ts";

/** One VM, or one node of an AKS pool / instance of a scale set, with its GPU telemetry. */
export interface UtilizationReading {
  /** Stable id: the VM's ARM id, or "<pool or scale set id>/nodes/<node name>". */
  key: string;
  resource: GpuResource;
  /** VM or node name. */
  host: string;
  telemetry: VmTelemetry;
}

export interface UtilizationQuery {
  now: Date;
  /** The longest idle window in use (subscriptions may override it). */
  windowSeconds: number;
  /** How far back to look for the start of an idle stretch. */
  lookbackSeconds: number;
  /** The highest thresholds in use: only hosts below them get the (costlier) look back. */
  idleBelow: { utilPercent: number; engineActive: number };
}

export interface UtilizationResult {
  readings: UtilizationReading[];
  /** Queries sent per source for this read, e.g. { prometheus: 2, "azure-monitor": 3 }. */
  queries: Record<string, number>;
  /** The sources asked, in order ("prometheus", "azure-monitor"). */
  sources: string[];
}

export interface UtilizationPort {
  /** GPU activity of every VM and node of these (running) resources; missing telemetry is a value, never an error. */
  read(resources: GpuResource[], query: UtilizationQuery): Promise<UtilizationResult>;
}

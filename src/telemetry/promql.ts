/**
 * PromQL built only from validated identifiers. Host names come from the Azure inventory and
 * label names from configuration; neither is trusted: a value outside the strict alphabet below
 * is refused before any query exists, so no text can close a string, add a matcher or inject
 * an expression. The only regex metacharacter a valid value can carry is ".", which is escaped.
 *
 * @example
 * activityQuery({ hostLabels: ["Hostname"], hosts: ["gpu-vm-1"], pools: ["gpupool"], rangeSeconds: 120 })
 * // label_replace(max by (Hostname) (max_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE{Hostname=~"(?i)(?:gpu-vm-1|aks-gpupool-[0-9]+-vmss[0-9a-z]+)"}[120s])), ...) or ...
 */

/** DCGM exporter series: engine activity (preferred), utilisation (fallback), supporting signals. */
export const DCGM = {
  engineActive: "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
  gpuUtil: "DCGM_FI_DEV_GPU_UTIL",
  fbUsed: "DCGM_FI_DEV_FB_USED",
  power: "DCGM_FI_DEV_POWER_USAGE",
} as const;

/** The label gpuops adds (label_replace) to tell the signals apart in one answer. */
export const SIGNAL_LABEL = "gpuops_signal";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;
/** Host names (VM names, node names): letters, digits, ".", "_" and "-", starting and ending alphanumeric. */
const HOST_VALUE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
/** AKS node pool names: lowercase letters and digits, starting with a letter, at most 12. */
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

export const isMetricName = (s: string): boolean => METRIC_NAME.test(s);
export const isLabelName = (s: string): boolean => LABEL_NAME.test(s) && !s.startsWith("__");
export const isHostLabelValue = (s: string): boolean => HOST_VALUE.test(s);
export const isPoolName = (s: string): boolean => POOL_NAME.test(s);

export class UnsafePromqlError extends Error {
  readonly code = "unsafe_promql";
  constructor(what: string) {
    super(`refused to build PromQL from an unvalidated ${what}`);
    this.name = "UnsafePromqlError";
  }
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new UnsafePromqlError(what);
}

const escapeDots = (s: string) => s.replace(/\./g, "\\.");

/** The node-name pattern of an AKS pool: aks-<pool>-<digits>-vmss<base36 instance>. */
export const aksNodePattern = (pool: string): string => `aks-${pool}-[0-9]+-vmss[0-9a-z]+`;

/** The computer names of a scale set's instances: <prefix><6 base-36 characters>. */
export const scaleSetInstancePattern = (prefix: string): string => `${escapeDots(prefix)}[0-9a-z]{6}`;

/**
 * Regex (RE2 source) matching any of the hosts exactly, or any node of the pools; case-insensitive,
 * because Azure names are. Values are validated here, whoever called.
 */
export function hostRegex(hosts: readonly string[], pools: readonly string[] = [], scaleSets: readonly string[] = []): string {
  for (const h of hosts) must(isHostLabelValue(h), "host name");
  for (const p of pools) must(isPoolName(p), "node pool name");
  for (const s of scaleSets) must(isHostLabelValue(s), "scale set name");
  const alternatives = [...hosts.map(escapeDots), ...pools.map(aksNodePattern), ...scaleSets.map(scaleSetInstancePattern)];
  if (alternatives.length === 0) throw new UnsafePromqlError("empty host list");
  return `(?i)(?:${alternatives.join("|")})`;
}

/** A PromQL double-quoted string literal; only the backslashes of our own regex need escaping. */
function stringLiteral(s: string): string {
  must(!/["\n\r]/.test(s), "string");
  return `"${s.replace(/\\/g, "\\\\")}"`;
}

/** The `instance` label carries host:port; other labels carry the bare host. */
function matcherFor(label: string, regex: string): string {
  must(isLabelName(label), "label name");
  return `${label}=~${stringLiteral(label === "instance" ? `${regex}(?::[0-9]+)?` : regex)}`;
}

function perLabel(metric: string, hostLabels: readonly string[], regex: string, inner: (selector: string) => string, by: "max" | "sum"): string[] {
  must(isMetricName(metric), "metric name");
  must(hostLabels.length > 0, "host label list");
  return hostLabels.map((label) => `${by} by (${label}) (${inner(`${metric}{${matcherFor(label, regex)}}`)})`);
}

const tag = (expr: string, value: string) => `label_replace(${expr}, "${SIGNAL_LABEL}", "${value}", "", "")`;

export interface HostSelection {
  /** Label names that may carry the host (e.g. Hostname, node, instance), tried in this order. */
  hostLabels: readonly string[];
  hosts: readonly string[];
  pools?: readonly string[];
  /** Scale-set computer-name prefixes. */
  scaleSets?: readonly string[];
}

/**
 * One range query for both activity signals: per host, the busiest GPU's highest reading over
 * each `rangeSeconds` bucket, tagged engine_active or gpu_util.
 */
export function activityQuery(sel: HostSelection & { rangeSeconds: number }): string {
  must(Number.isInteger(sel.rangeSeconds) && sel.rangeSeconds > 0, "range");
  const regex = hostRegex(sel.hosts, sel.pools, sel.scaleSets);
  const over = (s: string) => `max_over_time(${s}[${sel.rangeSeconds}s])`;
  return [
    ...perLabel(DCGM.engineActive, sel.hostLabels, regex, over, "max").map((e) => tag(e, "engine_active")),
    ...perLabel(DCGM.gpuUtil, sel.hostLabels, regex, over, "max").map((e) => tag(e, "gpu_util")),
  ].join(" or ");
}

/** One instant query for the supporting signals over the window: fullest GPU's memory, total power. */
export function supportQuery(sel: HostSelection & { windowSeconds: number }): string {
  must(Number.isInteger(sel.windowSeconds) && sel.windowSeconds > 0, "window");
  const regex = hostRegex(sel.hosts, sel.pools, sel.scaleSets);
  return [
    ...perLabel(DCGM.fbUsed, sel.hostLabels, regex, (s) => `max_over_time(${s}[${sel.windowSeconds}s])`, "max").map((e) => tag(e, "fb_used")),
    ...perLabel(DCGM.power, sel.hostLabels, regex, (s) => `avg_over_time(${s}[${sel.windowSeconds}s])`, "sum").map((e) => tag(e, "power")),
  ].join(" or ");
}

/** The host a series belongs to: the first configured label it carries, port stripped, lower-cased. */
export function hostOfSeries(labels: Readonly<Record<string, string>>, hostLabels: readonly string[]): string | undefined {
  for (const label of hostLabels) {
    const v = labels[label];
    if (v === undefined || v === "") continue;
    return (label === "instance" ? v.replace(/:\d+$/, "") : v).toLowerCase();
  }
  return undefined;
}

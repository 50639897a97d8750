/** `quota [region] [gpu|family]`: vCPU quota per GPU family, the regional cap, and what still fits. */
import { formatFraction } from "../domain/fraction.ts";
import { findSeriesByFamily, isLegacyGpuFamily, normaliseFamily, sizesInFamily } from "../domain/gpu-catalogue.ts";
import { headroom } from "../domain/quota-headroom.ts";
import { type Fact, facts, type Row, reply, table, text } from "../reply/reply.ts";
import type { Usage } from "../services/ports.ts";
import { percent, regionLabel, shortSize } from "./format.ts";
import { gather, partialNotes } from "./partial.ts";
import { parseRegionAndFilter } from "./region-and-filter.ts";
import type { Verb } from "./types.ts";

export const REGIONAL_CAP = "cores";

/** GPU families: catalogue families, legacy N-series families, and anything spelled like one. */
export function isGpuFamily(name: string): boolean {
  return findSeriesByFamily(name) !== undefined || isLegacyGpuFamily(name) || /^standard\s*n[cdvg]/i.test(name);
}

/** "2 × NC24ads_A100_v4 (= 2 GPUs)" for each current size of the family, smallest first. */
export function whatStillFits(usage: Usage, regional: Usage | undefined): string {
  const sizes = sizesInFamily(usage.name).filter((s) => s.status.kind !== "retired");
  if (sizes.length === 0) return "—";
  return sizes
    .sort((a, b) => a.vcpus - b.vcpus)
    .map((s) => {
      const h = headroom(usage, regional, { vcpus: s.vcpus, gpus: s.gpus });
      const gpus = h.gpus ? formatFraction(h.gpus) : "?";
      return `${h.vms} × ${shortSize(s.size)} (= ${gpus} GPU${gpus === "1" ? "" : "s"})`;
    })
    .join("; ");
}

export const quotaVerb: Verb = {
  name: "quota",
  summary: "GPU family vCPU quota (used / limit), the regional cap, and how many more VMs and GPUs fit",
  usage: "quota [region] [gpu|family]",
  examples: ["quota westus", "quota eastus a100", "quota h100"],
  details: 'Quota is counted in vCPUs per family, and every family also shares the regional "Total Regional vCPUs" cap; the smaller of the two decides.',
  async run(args, _req, ctx) {
    const parsed = parseRegionAndFilter(args, "quota", ctx.settings.regions);
    if ("reply" in parsed) return parsed.reply;
    const { regions, filter } = parsed;
    const subs = await ctx.services.scope.subscriptions();
    const keys = subs.flatMap((sub) => regions.map((region) => ({ sub, region })));
    const g = await gather(keys, (k) => ctx.services.usages.listUsages(k.sub.id, k.region));
    const wanted = filter
      ? new Set(
          filter.sizes
            .map((s) => s.family)
            .filter((f): f is string => f !== null)
            .map(normaliseFamily),
        )
      : undefined;
    const rows: Row[] = [];
    const caps: Fact[] = [];
    for (const { key, value } of g.ok) {
      const regional = value.find((u) => u.name === REGIONAL_CAP);
      const families = value.filter((u) => isGpuFamily(u.name) && (wanted ? wanted.has(normaliseFamily(u.name)) : u.limit > 0 || u.current > 0));
      if (families.length === 0 && !wanted) continue;
      if (regional)
        caps.push({
          label: `${subs.length > 1 ? `${key.sub.name} · ` : ""}${key.region} regional cap`,
          value: `${regional.current} / ${regional.limit} vCPUs used (${percent(regional.current, regional.limit)})`,
        });
      for (const u of families.sort((a, b) => a.name.localeCompare(b.name))) {
        const h = headroom(u, regional, { vcpus: 1, gpus: null });
        rows.push({
          subscription: key.sub.name,
          region: key.region,
          family: u.name,
          used: `${u.current} / ${u.limit}`,
          pct: percent(u.current, u.limit),
          free: `${h.freeVcpus}${h.binding === "regional" && h.familyFree > h.freeVcpus ? " (regional cap)" : ""}`,
          fits: isLegacyGpuFamily(u.name) ? "retired family: no sizes to start" : whatStillFits(u, regional),
        });
      }
    }
    const { notes, outcome } = partialNotes(g, (k) => `${k.sub.name} in ${k.region}`);
    const title = `GPU quota${filter ? ` for ${filter.label}` : ""} ${regions.length === 1 ? `in ${regionLabel(regions[0] as string)}` : `in ${regions.length} regions`}`;
    const context = [
      `vCPU quota per family; a VM also needs room under the regional cap. ${subs.length > 1 ? `${subs.length} subscriptions.` : `Subscription ${subs[0]?.name ?? "?"}.`}`,
      ...notes,
    ];
    if (rows.length === 0) {
      const msg =
        outcome === "azure_error"
          ? "Azure did not answer for any region."
          : filter
            ? `No quota for ${filter.label} in the regions asked: request a quota increase first.`
            : "No GPU family has any quota or usage in the regions asked.";
      return reply(title, [text(msg, outcome === "azure_error" ? "error" : "info")], {
        context,
        outcome,
        ...(outcome === "azure_error" ? { code: g.failed[0]?.error.code ?? "azure_error" } : {}),
      });
    }
    const columns = [
      ...(subs.length > 1 ? [{ key: "subscription", label: "Subscription" }] : []),
      ...(regions.length > 1 ? [{ key: "region", label: "Region" }] : []),
      { key: "family", label: "GPU family" },
      { key: "used", label: "Used / limit (vCPUs)", align: "right" as const },
      { key: "pct", label: "Used", align: "right" as const },
      { key: "free", label: "Free vCPUs", align: "right" as const },
      { key: "fits", label: "You can still start" },
    ];
    return reply(title, [facts(caps), table(columns, rows, { narrowHint: "quota <region> <gpu>" })], { context, outcome });
  },
};

/** `quota [region] [gpu|family|size]`: vCPU quota per GPU family, the regional cap, and what still fits. */
import { findSeriesByFamily, isLegacyGpuFamily, normaliseFamily, sizesInFamily } from "../domain/gpu-catalogue.ts";
import { headroom } from "../domain/quota-headroom.ts";
import { type Fact, facts, type Row, reply, table, text } from "../reply/reply.ts";
import type { Usage } from "../services/ports.ts";
import { gpusPhrase, percent, regionLabel, shortSize } from "./format.ts";
import { gather, partialNotes } from "./partial.ts";
import { parseRegionAndFilter } from "./region-and-filter.ts";
import type { Verb } from "./types.ts";

export const REGIONAL_CAP = "cores";

/** GPU families: catalogue families, legacy N-series families, and anything spelled like one. */
export function isGpuFamily(name: string): boolean {
  return findSeriesByFamily(name) !== undefined || isLegacyGpuFamily(name) || /^standard\s*n[cdvg]/i.test(name);
}

/**
 * "2 × NC24ads_A100_v4 (2 GPUs); 1 × NC48ads_A100_v4 (2 GPUs)" for each current size of the
 * family that still fits, smallest first; when none fits, "nothing:" and which limit is in the way.
 */
export function whatStillFits(usage: Usage, regional: Usage | undefined): string {
  const sizes = sizesInFamily(usage.name)
    .filter((s) => s.status.kind !== "retired")
    .sort((a, b) => a.vcpus - b.vcpus);
  const smallest = sizes[0];
  if (!smallest) return "—";
  const fits = sizes.map((s) => ({ s, h: headroom(usage, regional, { vcpus: s.vcpus, gpus: s.gpus }) })).filter(({ h }) => h.vms > 0);
  if (fits.length > 0) return fits.map(({ s, h }) => `${h.vms} × ${shortSize(s.size)} (${h.gpus ? gpusPhrase(h.gpus) : "? GPUs"})`).join("; ");
  const h = headroom(usage, regional, { vcpus: smallest.vcpus, gpus: null });
  if (usage.limit === 0) return "nothing: no quota in this family (limit 0)";
  if (h.freeVcpus === 0) return h.binding === "regional" ? "nothing: the regional cap is used up" : "nothing: the family quota is used up";
  return `nothing: ${h.freeVcpus} vCPUs free (${h.binding === "regional" ? "regional cap" : "family quota"}), the smallest size (${shortSize(smallest.size)}) needs ${smallest.vcpus}`;
}

export const quotaVerb: Verb = {
  name: "quota",
  summary: "GPU family vCPU quota (used / limit), the regional cap, and how many more VMs and GPUs fit",
  usage: "quota [region] [gpu|family|size]",
  examples: ["quota westus", "quota eastus a100", "quota h100"],
  details: 'Quota is counted in vCPUs per family, and every family also shares the regional "Total Regional vCPUs" cap; the smaller of the two decides.',
  async run(args, _req, ctx) {
    const parsed = parseRegionAndFilter(args, "quota", ctx.settings.regions);
    if ("reply" in parsed) return parsed.reply;
    const { regions, filter } = parsed;
    const filterText = parsed.filterText ?? filter?.label ?? "";
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
    // Where the answer has no row at all for the asked-for families (not "limit 0": absent).
    const noRow = new Map<string, string[]>();
    for (const { key, value } of g.ok) {
      const regional = value.find((u) => u.name === REGIONAL_CAP);
      const families = value.filter((u) => isGpuFamily(u.name) && (wanted ? wanted.has(normaliseFamily(u.name)) : u.limit > 0 || u.current > 0));
      if (families.length === 0) {
        if (wanted) noRow.set(key.region, [...(noRow.get(key.region) ?? []), key.sub.name]);
        continue;
      }
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
    const familyNames = filter ? [...new Set(filter.sizes.map((s) => s.family).filter((f): f is string => f !== null))].join(", ") : "";
    // Azure lists a usage row for every family a region offers the subscription, even at limit 0; no row usually means not offered there.
    const notOffered = (where: string) =>
      `Azure's quota list has no ${filter?.label} family row (${familyNames}) ${where}, which usually means ${filter?.label} is not offered there: a quota increase would not help.`;
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
            ? notOffered(regions.length === 1 ? `in ${regions[0]}` : "in any of the regions asked")
            : "No GPU family has any quota or usage in the regions asked.";
      const hint =
        filter && outcome !== "azure_error"
          ? [
              text(
                `Try \`${regions.length === 1 ? `skus ${regions[0]} ${filterText}` : `skus ${filterText}`}\` to see what is offered, or \`where ${filterText}\` for regions that offer it.`,
              ),
            ]
          : [];
      return reply(title, [text(msg, outcome === "azure_error" ? "error" : "info"), ...hint], {
        context,
        outcome,
        ...(outcome === "azure_error" ? { code: g.failed[0]?.error.code ?? "azure_error" } : {}),
      });
    }
    if (filter && noRow.size > 0) {
      // "eastus, westus3 (ml-research-dev)": a region alone when no subscription has the row there.
      const where = [...noRow].map(([region, names]) => (names.length === subs.length ? region : `${region} (${names.join(", ")})`)).join(", ");
      context.push(notOffered(`in ${where}`));
    }
    const columns = [
      ...(subs.length > 1 ? [{ key: "subscription", label: "Subscription", priority: 3 as const, kind: "name" as const }] : []),
      ...(regions.length > 1 ? [{ key: "region", label: "Region", priority: 1 as const, kind: "name" as const }] : []),
      { key: "family", label: "GPU family", priority: 1 as const, kind: "name" as const },
      { key: "used", label: "Used / limit (vCPUs)", align: "right" as const, priority: 2 as const, kind: "number" as const },
      { key: "pct", label: "Used", align: "right" as const, priority: 1 as const, kind: "number" as const },
      { key: "free", label: "Free vCPUs", align: "right" as const, priority: 2 as const, kind: "number" as const },
      { key: "fits", label: "You can still start", priority: 2 as const, kind: "text" as const },
    ];
    return reply(title, [facts(caps), table(columns, rows, { narrowHint: "quota <region> <gpu>" })], { context, outcome });
  },
};

/**
 * Quota headroom: how many more VMs of a size fit, given its family's vCPU quota and the
 * regional "Total Regional vCPUs" cap (both must allow it; quota counts vCPUs, not GPUs).
 */
import { type Fraction, multiply } from "./fraction.ts";

export interface QuotaLine {
  current: number;
  limit: number;
}

export interface Headroom {
  familyFree: number;
  /** Undefined when the regional cap is unknown (not in the usages answer). */
  regionalFree: number | undefined;
  freeVcpus: number;
  /** Which limit binds: the family quota or the regional cap. */
  binding: "family" | "regional";
  vms: number;
  /** GPUs those VMs carry; fractional shares stay exact (3 × 1/6 = 1/2). */
  gpus: Fraction | null;
}

const free = (q: QuotaLine) => Math.max(0, q.limit - q.current);

export function headroom(family: QuotaLine, regional: QuotaLine | undefined, size: { vcpus: number; gpus: Fraction | null }): Headroom {
  const familyFree = free(family);
  const regionalFree = regional ? free(regional) : undefined;
  const binding = regionalFree !== undefined && regionalFree < familyFree ? "regional" : "family";
  const freeVcpus = binding === "regional" ? (regionalFree as number) : familyFree;
  const vms = size.vcpus > 0 ? Math.floor(freeVcpus / size.vcpus) : 0;
  return { familyFree, regionalFree, freeVcpus, binding, vms, gpus: size.gpus ? multiply(size.gpus, vms) : null };
}

export interface Fit {
  fits: boolean;
  neededVcpus: number;
  freeVcpus: number;
  /** vCPUs of quota increase needed (0 when it fits), on whichever limit binds. */
  shortBy: number;
  binding: "family" | "regional";
}

/** Does `count` VMs of `vcpus` each fit? If not, by how much must quota grow. */
export function fitsQuota(count: number, vcpus: number, family: QuotaLine, regional: QuotaLine | undefined): Fit {
  const neededVcpus = count * vcpus;
  const h = headroom(family, regional, { vcpus, gpus: null });
  const familyShort = Math.max(0, neededVcpus - h.familyFree);
  const regionalShort = h.regionalFree === undefined ? 0 : Math.max(0, neededVcpus - h.regionalFree);
  const shortBy = Math.max(familyShort, regionalShort);
  return { fits: shortBy === 0, neededVcpus, freeVcpus: h.freeVcpus, shortBy, binding: regionalShort > familyShort ? "regional" : "family" };
}

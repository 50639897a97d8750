/**
 * Azure ports: what a region offers (SKUs, quota), the fleet of GPU resources, list prices,
 * spend, and the provisioning actions a GPU request runs on approval.
 */
import type { MaybePrice } from "../../domain/money.ts";

export interface SkuRestriction {
  type: "Location" | "Zone";
  reasonCode: string;
  /** Zones the restriction applies to (Zone restrictions). */
  zones: string[];
}

/** One Resource SKU of resourceType virtualMachines, reduced to what we use. */
export interface VmSku {
  name: string;
  family: string;
  region: string;
  zones: string[];
  restrictions: SkuRestriction[];
  capabilities: Array<{ name: string; value: string }>;
}

export interface SkuPort {
  /** Virtual-machine SKUs a region offers a subscription (restricted ones included, flagged). */
  listVmSkus(subscriptionId: string, region: string): Promise<VmSku[]>;
  /**
   * The list `listVmSkus` would answer from its cache right now, without asking Azure; undefined
   * when it would ask. The same object for as long as the cached entry lives (answers derived from
   * it are kept by its identity).
   */
  cachedVmSkus?(subscriptionId: string, region: string): VmSku[] | undefined;
}

export interface Usage {
  /** API spelling, e.g. "Standard NCASv3_T4 Family" or "cores". */
  name: string;
  localizedName: string;
  current: number;
  limit: number;
}

export interface UsagePort {
  listUsages(subscriptionId: string, region: string): Promise<Usage[]>;
}

/** Where gpuops looks: the configured subscriptions (resolved from a management group if needed). */
export interface ScopePort {
  subscriptions(): Promise<Array<{ id: string; name: string }>>;
}

/**
 * VM power state as Azure reports it (`PowerState/<state>`). "stopped" is stopped but still
 * allocated: the compute is still billed. Only "deallocated" stops the meter.
 */
export type PowerState = "running" | "starting" | "stopping" | "stopped" | "deallocating" | "deallocated" | "unknown";

export type GpuResourceKind = "vm" | "vmss" | "aks-pool";

/** One GPU VM, GPU VM scale set or AKS GPU node pool, as the fleet inventory reports it. */
export interface GpuResource {
  /** ARM id; for an AKS pool the cluster id + "/agentPools/<pool>". */
  id: string;
  name: string;
  kind: GpuResourceKind;
  subscriptionId: string;
  resourceGroup: string;
  region: string;
  /** ARM size name, e.g. "Standard_NC24ads_A100_v4". */
  size: string;
  /** 1 for a VM; a scale set's capacity; an AKS pool's node count. */
  instances: number;
  /** For scale sets and pools: "running" when instances are allocated, "deallocated" when scaled to zero or stopped. */
  powerState: PowerState;
  tags: Record<string, string>;
  owner?: string;
  team?: string;
  costCenter?: string;
  /** ISO time the resource was created, when Azure reports it. */
  createdAt?: string;
}

/** A part of the scope an answer could not cover, and the role that would fix it. */
export interface MissingScope {
  subscriptionId: string;
  reason: string;
  /** "Reader" (inventory) or "Cost Management Reader" (spend). */
  role: string;
}

export interface FleetInventory {
  resources: GpuResource[];
  missing: MissingScope[];
  /** ISO time the inventory was read. */
  fetchedAt: string;
}

export interface FleetPort {
  /** Every GPU VM, scale set and AKS GPU pool in these subscriptions (one paged Resource Graph query). */
  gpuInventory(subscriptionIds: string[]): Promise<FleetInventory>;
}

/** A list price that may be unknown; unknown is never 0. */
export type ListPrice = MaybePrice;

export interface PricePort {
  /** Pay-as-you-go Linux hourly list price of a size in a region (Spot, Low Priority and Windows excluded). */
  hourlyPrice(size: string, region: string): Promise<ListPrice>;
  /**
   * A token for the region's price list while `hourlyPrice` answers it from memory (the same
   * object until the list is read again); undefined when it would read it.
   */
  cachedPriceList?(region: string): object | undefined;
}

/** How spend is split: validated by the command parser before it reaches a query. */
export type CostGrouping = { kind: "rg" } | { kind: "size" } | { kind: "subscription" } | { kind: "tag"; key: string };

export type CostType = "ActualCost" | "AmortizedCost";

export type CostScope = { kind: "subscriptions"; subscriptionIds: string[] } | { kind: "managementGroup"; id: string };

export interface CostQuery {
  scope: CostScope;
  /** Inclusive ISO dates (billing days are UTC dates). */
  from: string;
  to: string;
  /** Daily rows, or one total per group. */
  granularity: "Daily" | "None";
  grouping: CostGrouping;
  type: CostType;
  /** Also list the one-off purchases (reservations, savings plans) of these inclusive dates, apart from the usage rows (ActualCost only). */
  purchases?: { from: string; to: string };
}

/** One row of GPU spend: a group on a day (or over the whole range when granularity is None). */
export interface CostRow {
  /** ISO date; absent for granularity None. */
  date?: string;
  /** Resource group, size ("NC24ads_A100_v4"), subscription id or tag value; "" when Azure has none. */
  group: string;
  amount: number;
  /** As returned by Cost Management. */
  currency: string;
  /** The subscription the row was billed to, when the query ran per subscription (lower-case). */
  subscriptionId?: string;
  /** "one": only one of the two GPU readings (meter subcategory pattern, catalogue) said GPU compute. */
  classifiedBy?: "one";
}

/** A one-off GPU purchase (ChargeType Purchase): a reservation or savings plan bought, kept apart from usage. */
export interface CostPurchase {
  date: string;
  amount: number;
  currency: string;
  /** As Cost Management names it: "Reservation", "SavingsPlan", or "" when it says nothing. */
  pricingModel: string;
  subscriptionId?: string;
}

export interface CostResult {
  /** Usage only (for ActualCost, purchases are not in these rows). */
  rows: CostRow[];
  missing: MissingScope[];
  /** Present when the query asked for purchases. */
  purchases?: CostPurchase[];
}

export interface CostPort {
  /** GPU compute spend (N-series meters of VMs, scale sets and AKS pools) for a scope and range. */
  gpuSpend(query: CostQuery): Promise<CostResult>;
}

/** A pool VM by resource group and name (within the request's subscription). */
export interface PoolVmRef {
  resourceGroup: string;
  name: string;
}

/** A VM of a pool of pre-provisioned GPU VMs (tagged), with its power state. */
export interface PoolVm {
  id: string;
  name: string;
  resourceGroup: string;
  size: string;
  region: string;
  powerState: PowerState;
}

/** The Azure side effects of an approval, each idempotent (safe to repeat after a crash). */
export interface ProvisioningPort {
  /** VMs tagged `<tag>` of a size in a region. */
  listPoolVms(subscriptionId: string, region: string, size: string, tag: string): Promise<PoolVm[]>;
  startVm(subscriptionId: string, resourceGroup: string, name: string): Promise<void>;
  deallocateVm(subscriptionId: string, resourceGroup: string, name: string): Promise<void>;
  nodePool(subscriptionId: string, resourceGroup: string, cluster: string, pool: string): Promise<{ count: number; vmSize: string; region: string | undefined }>;
  scaleNodePool(subscriptionId: string, resourceGroup: string, cluster: string, pool: string, count: number): Promise<void>;
  /** Files a Microsoft.Quota increase of a family's vCPU limit; returns the state Azure reports. */
  requestQuota(subscriptionId: string, region: string, family: string, limit: number): Promise<{ state: string; message?: string }>;
}

/** Stops a VM by its resource id and releases its compute (and GPUs), reporting progress as it goes (idle alerts' Deallocate). */
export interface VmPowerPort {
  deallocate(resourceId: string, onProgress: (status: string) => void): Promise<void>;
}

/**
 * The fake Azure's provisioning APIs used by approved GPU requests, in the real wire formats:
 *
 * - `POST …/virtualMachines/{vm}/start`: 200 OK (a documented response of VirtualMachines_Start),
 *   the VM's power state in the demo fleet becomes running. (Deallocate is served by
 *   compute-vm-actions.ts with its 202 + operation polling.)
 * - AKS `GET/PUT …/managedClusters/{c}/agentPools/{p}`: the PUT answers 200 with
 *   provisioningState "Updating" and an `Azure-AsyncOperation` header; the operation reports
 *   InProgress, then Succeeded, and the pool's count changes.
 * - Microsoft.Quota `PUT {scope}/providers/Microsoft.Quota/quotas/{family}` (platform-facts D8;
 *   spec example putComputeOneSkuQuotaRequest.json): 202 with `Location` to `operationsStatus`,
 *   which answers 202 until done and then the quota body; the demo tenant's usage limit is raised.
 *   `quotaOutcome: "contact-support"` answers as Azure often does for GPU families ⚠.
 *
 * Every call is recorded, so tests can count side effects (exactly once after a crash).
 */
import { type ArmResource, type DemoFleet, findVm } from "../demo-fleet.ts";
import type { DemoTenant } from "../demo-tenant.ts";
import type { FakeResponse, Route } from "../types.ts";

const GUID = "([0-9a-fA-F-]{36})";

export interface FakeNodePool {
  subscriptionId: string;
  resourceGroup: string;
  cluster: string;
  name: string;
  location: string;
  vmSize: string;
  count: number;
  provisioningState: string;
}

export interface ProvisioningKnobs {
  /** Operation polls answered InProgress before Succeeded (AKS and Quota). */
  pollsUntilDone: number;
  /** "grant" raises the limit; "contact-support" refuses as Azure does for many GPU families. */
  quotaOutcome: "grant" | "contact-support";
}

export interface ProvisioningCall {
  kind: "start" | "scale" | "quota";
  target: string;
  value?: number;
  at: number;
}

export interface ProvisioningFake {
  routes: Route[];
  knobs: ProvisioningKnobs;
  nodePools: FakeNodePool[];
  calls: ProvisioningCall[];
  /** Adds pre-provisioned GPU VMs tagged `<tag>=<pool>` to the demo fleet (deallocated unless said). */
  addPoolVms(opts: {
    subscriptionId: string;
    region: string;
    size: string;
    count: number;
    pool?: string;
    tag?: string;
    resourceGroup?: string;
    powerState?: string;
  }): ArmResource[];
  powerState(vm: ArmResource): string | undefined;
}

interface Operation {
  id: string;
  polls: number;
  done: boolean;
  finish(): void;
}

function setPowerState(vm: ArmResource, state: string): void {
  vm.properties.extended = { instanceView: { powerState: { code: `PowerState/${state}`, level: "Info", displayStatus: `VM ${state}` } } };
}

const notFound = (what: string): FakeResponse => ({ status: 404, body: { error: { code: "ResourceNotFound", message: `The Resource '${what}' was not found.` } } });

/** Long-running operations shared by the AKS and Quota fakes: each finishes after `knobs.pollsUntilDone` polls. */
interface Operations {
  start(finish: () => void): Operation;
  get(id: string): Operation | undefined;
  /** One poll: true once the operation is done (and its effect applied). */
  advance(op: Operation): boolean;
}

function createOperations(knobs: ProvisioningKnobs): Operations {
  const operations = new Map<string, Operation>();
  return {
    start(finish) {
      const op: Operation = { id: crypto.randomUUID(), polls: 0, done: false, finish };
      operations.set(op.id, op);
      return op;
    },
    get: (id) => operations.get(id.toLowerCase()) ?? operations.get(id),
    advance(op) {
      if (op.done) return true;
      op.polls++;
      if (op.polls <= knobs.pollsUntilDone) return false;
      op.done = true;
      op.finish();
      return true;
    },
  };
}

/** The demo tenant's one AKS GPU pool, scaled to zero. */
function demoNodePools(tenant: DemoTenant): FakeNodePool[] {
  return [
    {
      subscriptionId: tenant.subscriptions[0]?.id ?? "",
      resourceGroup: "rg-ml-aks",
      cluster: "aks-gpu",
      name: "gpua100",
      location: "swedencentral",
      vmSize: "Standard_NC24ads_A100_v4",
      count: 0,
      provisioningState: "Succeeded",
    },
  ];
}

function poolBody(p: FakeNodePool) {
  return {
    id: `/subscriptions/${p.subscriptionId}/resourcegroups/${p.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${p.cluster}/agentPools/${p.name}`,
    name: p.name,
    type: "Microsoft.ContainerService/managedClusters/agentPools",
    properties: {
      count: p.count,
      vmSize: p.vmSize,
      osDiskSizeGB: 128,
      osType: "Linux",
      mode: "User",
      type: "VirtualMachineScaleSets",
      provisioningState: p.provisioningState,
      powerState: { code: "Running" },
      orchestratorVersion: "1.30.6",
      nodeLabels: { accelerator: "nvidia" },
      nodeTaints: ["sku=gpu:NoSchedule"],
    },
  };
}

function findPool(nodePools: FakeNodePool[], sub: string, rg: string, cluster: string, name: string): FakeNodePool | undefined {
  return nodePools.find(
    (p) =>
      p.subscriptionId.toLowerCase() === sub.toLowerCase() &&
      p.resourceGroup.toLowerCase() === rg.toLowerCase() &&
      p.cluster.toLowerCase() === cluster.toLowerCase() &&
      p.name === name,
  );
}

function quotaBody(sub: string, region: string, family: string, limit: number) {
  return {
    name: family,
    type: "Microsoft.Quota/Quotas",
    id: `/subscriptions/${sub}/providers/Microsoft.Compute/locations/${region}/providers/Microsoft.Quota/Quotas/${family}`,
    properties: {
      name: { localizedValue: `${family} vCPUs`, value: family },
      isQuotaApplicable: true,
      limit: { limitObjectType: "LimitValue", limitType: "Independent", value: limit },
      unit: "Count",
    },
  };
}

/** VirtualMachines_Start: 200 OK, and the VM runs. */
function vmStartRoute(fleet: DemoFleet, calls: ProvisioningCall[]): Route {
  return {
    method: "POST",
    path: new RegExp(`^/subscriptions/${GUID}/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines/([^/]+)/start$`, "i"),
    handle(ctx): FakeResponse {
      const [sub, rg, name] = ctx.params as [string, string, string];
      const vm = findVm(fleet, sub, rg, name);
      if (!vm) return notFound(`Microsoft.Compute/virtualMachines/${name}`);
      calls.push({ kind: "start", target: vm.id, at: Date.now() });
      setPowerState(vm, "running");
      return { status: 200, headers: { "x-ms-ratelimit-remaining-subscription-writes": "1199" } };
    },
  };
}

const AGENT_POOL_PATH = new RegExp(`^/subscriptions/${GUID}/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerService/managedClusters/([^/]+)/agentPools/([^/]+)$`, "i");

/** AKS agent pools: read, scale (200 "Updating" + Azure-AsyncOperation), and the operation's status. */
function agentPoolRoutes(nodePools: FakeNodePool[], calls: ProvisioningCall[], ops: Operations): Route[] {
  return [
    {
      method: "GET",
      path: AGENT_POOL_PATH,
      handle(ctx): FakeResponse {
        const [sub, rg, cluster, name] = ctx.params as [string, string, string, string];
        const p = findPool(nodePools, sub, rg, cluster, name);
        return p ? { status: 200, body: poolBody(p) } : notFound(`Microsoft.ContainerService/managedClusters/${cluster}/agentPools/${name}`);
      },
    },
    {
      method: "PUT",
      path: AGENT_POOL_PATH,
      handle(ctx): FakeResponse {
        const [sub, rg, cluster, name] = ctx.params as [string, string, string, string];
        const p = findPool(nodePools, sub, rg, cluster, name);
        if (!p) return notFound(`Microsoft.ContainerService/managedClusters/${cluster}/agentPools/${name}`);
        const body = ctx.body as { properties?: { count?: unknown; vmSize?: unknown } } | undefined;
        const count = body?.properties?.count;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > 1000) {
          return {
            status: 400,
            body: {
              error: {
                code: "InvalidParameter",
                message: "The value of parameter agentPoolProfile.count is invalid. Please see https://aka.ms/aks-naming-rules for more details.",
              },
            },
          };
        }
        if (typeof body?.properties?.vmSize === "string" && body.properties.vmSize.toLowerCase() !== p.vmSize.toLowerCase()) {
          return { status: 400, body: { error: { code: "PropertyChangeNotAllowed", message: "Changing property 'vmSize' is not allowed." } } };
        }
        calls.push({ kind: "scale", target: `${p.cluster}/${p.name}`, value: count, at: Date.now() });
        p.provisioningState = "Updating";
        const op = ops.start(() => {
          p.count = count;
          p.provisioningState = "Succeeded";
        });
        const asyncOp = `${ctx.baseUrl}/subscriptions/${sub}/providers/Microsoft.ContainerService/locations/${p.location}/operations/${op.id}?api-version=${ctx.url.searchParams.get("api-version") ?? "2025-10-01"}`;
        return { status: 200, headers: { "azure-asyncoperation": asyncOp, "retry-after": "0" }, body: poolBody(p) };
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/providers/Microsoft\\.ContainerService/locations/([^/]+)/operations/([0-9a-fA-F-]{36})$`, "i"),
      handle(ctx): FakeResponse {
        const [, , id] = ctx.params as [string, string, string];
        const op = ops.get(id);
        if (!op) return notFound(`operations/${id}`);
        const done = ops.advance(op);
        return {
          status: 200,
          headers: done ? {} : { "retry-after": "0" },
          body: { id: ctx.url.pathname, name: op.id, status: done ? "Succeeded" : "InProgress", startTime: new Date().toISOString() },
        };
      },
    },
  ];
}

const QUOTA_PATH = new RegExp(`^/subscriptions/${GUID}/providers/Microsoft\\.Compute/locations/([^/]+)/providers/Microsoft\\.Quota/quotas/([^/]+)$`, "i");

/** Microsoft.Quota: read a family's limit, ask for more (202 + Location, or ContactSupport), and poll the request. */
function quotaRoutes(tenant: DemoTenant, knobs: ProvisioningKnobs, calls: ProvisioningCall[], ops: Operations): Route[] {
  return [
    {
      method: "GET",
      path: QUOTA_PATH,
      handle(ctx): FakeResponse {
        const [sub, region, family] = ctx.params as [string, string, string];
        const row = tenant.usages(sub, region.toLowerCase())?.find((u) => u.name.value.toLowerCase() === family.toLowerCase());
        if (!row) return notFound(`Microsoft.Quota/quotas/${family}`);
        return { status: 200, body: quotaBody(sub, region, row.name.value, row.limit) };
      },
    },
    {
      method: "PUT",
      path: QUOTA_PATH,
      handle(ctx): FakeResponse {
        const [sub, region, family] = ctx.params as [string, string, string];
        const body = ctx.body as { properties?: { limit?: { limitObjectType?: string; value?: unknown }; name?: { value?: string } } } | undefined;
        const value = body?.properties?.limit?.value;
        if (body?.properties?.limit?.limitObjectType !== "LimitValue" || typeof value !== "number" || !Number.isInteger(value) || value < 0) {
          return { status: 400, body: { error: { code: "InvalidQuotaRequest", message: "The request body must carry properties.limit { limitObjectType: LimitValue, value }." } } };
        }
        const usages = tenant.usages(sub, region.toLowerCase());
        const row = usages?.find((u) => u.name.value.toLowerCase() === family.toLowerCase());
        if (!row) return notFound(`Microsoft.Quota/quotas/${family}`);
        calls.push({ kind: "quota", target: `${sub}/${region}/${family}`, value, at: Date.now() });
        if (knobs.quotaOutcome === "contact-support") {
          return {
            status: 400,
            body: {
              error: {
                code: "ContactSupport",
                message: `Quota increase for ${family} in ${region} can't be processed automatically. Please create a support request for this resource.`,
              },
            },
          };
        }
        const op = ops.start(() => {
          tenant.setUsage(sub, region.toLowerCase(), row.name.value, row.currentValue, Math.max(row.limit, value));
        });
        const status = `${ctx.baseUrl}/subscriptions/${sub}/providers/Microsoft.Compute/locations/${region}/providers/Microsoft.Quota/operationsStatus/${op.id}?api-version=${ctx.url.searchParams.get("api-version") ?? "2023-02-01"}`;
        return { status: 202, headers: { location: status, "retry-after": "0" } };
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/providers/Microsoft\\.Compute/locations/([^/]+)/providers/Microsoft\\.Quota/operationsStatus/([0-9a-fA-F-]{36})$`, "i"),
      handle(ctx): FakeResponse {
        const [, , id] = ctx.params as [string, string, string];
        const op = ops.get(id);
        if (!op) return notFound(`operationsStatus/${id}`);
        return ops.advance(op)
          ? { status: 200, body: { name: op.id, properties: { provisioningState: "Succeeded", message: "Request completed" } } }
          : { status: 202, headers: { location: ctx.url.toString().replace(/^https?:\/\/[^/]+/, ctx.baseUrl), "retry-after": "0" } };
      },
    },
  ];
}

/** Pre-provisioned pool VMs named `<pool>-<size>-<i>`, skipping names the subscription already has. */
function addPoolVms(fleet: DemoFleet, opts: Parameters<ProvisioningFake["addPoolVms"]>[0]): ArmResource[] {
  const tag = opts.tag ?? "gpuops-pool";
  const pool = opts.pool ?? "gpu-pool";
  const rg = opts.resourceGroup ?? "rg-gpu-pool";
  const added: ArmResource[] = [];
  for (let i = 1; i <= opts.count; i++) {
    const name = `${pool}-${opts.size
      .replace(/^Standard_/, "")
      .toLowerCase()
      .replace(/_/g, "-")}-${i}`;
    if (fleet.resources.some((r) => r.name === name && r.subscriptionId === opts.subscriptionId)) continue;
    const vm: ArmResource = {
      id: `/subscriptions/${opts.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
      name,
      type: "microsoft.compute/virtualmachines",
      location: opts.region,
      resourceGroup: rg,
      subscriptionId: opts.subscriptionId,
      tags: { [tag]: pool },
      properties: { vmId: crypto.randomUUID(), hardwareProfile: { vmSize: opts.size }, provisioningState: "Succeeded", timeCreated: new Date(0).toISOString() },
    };
    setPowerState(vm, opts.powerState ?? "deallocated");
    fleet.resources.push(vm);
    added.push(vm);
  }
  return added;
}

export function createProvisioningFake(fleet: DemoFleet, tenant: DemoTenant): ProvisioningFake {
  const knobs: ProvisioningKnobs = { pollsUntilDone: 1, quotaOutcome: "grant" };
  const calls: ProvisioningCall[] = [];
  const ops = createOperations(knobs);
  const nodePools = demoNodePools(tenant);
  return {
    routes: [vmStartRoute(fleet, calls), ...agentPoolRoutes(nodePools, calls, ops), ...quotaRoutes(tenant, knobs, calls, ops)],
    knobs,
    nodePools,
    calls,
    addPoolVms: (opts) => addPoolVms(fleet, opts),
    powerState: (vm) =>
      ((vm.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code ?? "").replace("PowerState/", "") || undefined,
  };
}

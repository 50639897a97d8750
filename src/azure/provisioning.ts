/**
 * The Azure side effects of an approved GPU request, over the official SDK clients built by the
 * client factory: start / deallocate pre-provisioned pool VMs (Microsoft.Compute), read and scale
 * an AKS node pool (@azure/arm-containerservice) and file a Microsoft.Quota increase
 * (@azure/arm-quota; platform-facts D8). Every operation is idempotent: starting a running VM,
 * setting a pool to the count it has, or asking for a limit already granted changes nothing, so
 * a run resumed after a crash is safe.
 *
 * The AKS and Quota SDKs load at their first use (dynamic import): most processes never scale a
 * pool or file a quota request, and every one-shot CLI answer would pay ~60 ms to load them.
 */
import type { ContainerServiceClient } from "@azure/arm-containerservice";
import type { AzureQuotaExtensionAPI } from "@azure/arm-quota";
import { GpuopsError } from "../errors.ts";
import type { PoolVm, PowerState, ProvisioningPort, VmPowerPort } from "../services/ports.ts";
import { mapAzureError } from "./azure-errors.ts";
import type { AzureAccess } from "./client-factory.ts";

/** Microsoft.Quota api-version for compute quota (platform-facts D8: 2023-02-01 is the documented stable one). */
export const QUOTA_API_VERSION = "2023-02-01";

function powerStateOf(statuses: Array<{ code?: string }> | undefined): PowerState {
  const code = statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);
  const known: PowerState[] = ["running", "starting", "stopping", "stopped", "deallocating", "deallocated"];
  return known.find((k) => k === code) ?? "unknown";
}

const resourceGroupOf = (id: string) => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? "";
const norm = (s: string) => s.toLowerCase().replace(/\s+/g, "");

export interface ProvisioningOptions {
  /** LRO poll interval when Azure sends no Retry-After (tests use a small one). */
  pollIntervalMs?: number;
}

/** A VM's deallocation as a long-running operation: started, polled (progress reported), done. */
async function deallocate(azure: AzureAccess, sub: string, rg: string, name: string, poll: { updateIntervalInMs?: number }, onProgress?: (status: string) => void): Promise<void> {
  const poller = await azure.compute(sub).virtualMachines.beginDeallocate(rg, name, poll);
  if (onProgress) poller.onProgress((state) => onProgress(state.status));
  await poller.pollUntilDone();
}

export function createProvisioningAdapter(azure: AzureAccess, opts: ProvisioningOptions = {}): ProvisioningPort {
  const poll = opts.pollIntervalMs !== undefined ? { updateIntervalInMs: opts.pollIntervalMs } : {};
  const aks = async (sub: string): Promise<ContainerServiceClient> => {
    const sdk = await import("@azure/arm-containerservice");
    return azure.client(`aks:${sub}`, (cred, o) => new sdk.ContainerServiceClient(cred, sub, o));
  };
  const quota = async (): Promise<AzureQuotaExtensionAPI> => {
    const sdk = await import("@azure/arm-quota");
    return azure.client("quota", (cred, o) => new sdk.AzureQuotaExtensionAPI(cred, { ...o, apiVersion: QUOTA_API_VERSION }));
  };
  const call = async <T>(what: string, sub: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const e = err as { statusCode?: number; code?: string; message?: string };
      // A refusal (ContactSupport, OperationNotAllowed, ...) is worth saying in Azure's words.
      if (e?.statusCode === 400 || e?.statusCode === 409) {
        throw new GpuopsError("azure_error", `Azure refused to ${what}: ${e.code ?? "BadRequest"}: ${(e.message ?? "").slice(0, 300)}`, {
          cause: err,
          context: { subscriptionId: sub },
        });
      }
      throw mapAzureError(err, { api: what, subscriptionId: sub, role: "Virtual Machine Contributor (or Contributor)" });
    }
  };

  return {
    listPoolVms: (sub, region, size, tag) =>
      call("list pool VMs", sub, async () => {
        const out: PoolVm[] = [];
        for await (const vm of azure.compute(sub).virtualMachines.listAll({ statusOnly: "true" })) {
          if (!vm.id || !vm.name || !vm.tags || !(tag in vm.tags)) continue;
          if (norm(vm.location ?? "") !== norm(region)) continue;
          if ((vm.hardwareProfile?.vmSize ?? "").toLowerCase() !== size.toLowerCase()) continue;
          out.push({
            id: vm.id,
            name: vm.name,
            resourceGroup: resourceGroupOf(vm.id),
            size: vm.hardwareProfile?.vmSize ?? size,
            region,
            powerState: powerStateOf(vm.instanceView?.statuses),
          });
        }
        return out.sort((a, b) => a.name.localeCompare(b.name));
      }),
    startVm: (sub, rg, name) =>
      call(`start VM ${name}`, sub, async () => {
        await azure.compute(sub).virtualMachines.beginStartAndWait(rg, name, poll);
      }),
    deallocateVm: (sub, rg, name) =>
      call(`deallocate VM ${name}`, sub, async () => {
        await deallocate(azure, sub, rg, name, poll);
      }),
    nodePool: (sub, rg, cluster, pool) =>
      call(`read node pool ${cluster}/${pool}`, sub, async () => {
        const p = await (await aks(sub)).agentPools.get(rg, cluster, pool);
        return { count: p.count ?? 0, vmSize: p.vmSize ?? "", region: undefined };
      }),
    scaleNodePool: (sub, rg, cluster, pool, count) =>
      call(`scale node pool ${cluster}/${pool}`, sub, async () => {
        // PUT replaces the pool: send back what Azure has, with the new count.
        const client = await aks(sub);
        const current = await client.agentPools.get(rg, cluster, pool);
        const { id: _id, name: _name, type: _type, systemData: _sd, eTag: _etag, provisioningState: _ps, ...writable } = current as typeof current & { provisioningState?: string };
        await client.agentPools.createOrUpdate(rg, cluster, pool, { ...writable, count }, poll);
      }),
    requestQuota: (sub, region, family, limit) =>
      call(`raise the ${family} quota`, sub, async () => {
        const scope = `subscriptions/${sub}/providers/Microsoft.Compute/locations/${region}`;
        const result = await (await quota()).quota.beginCreateOrUpdateAndWait(
          family,
          scope,
          { properties: { limit: { limitObjectType: "LimitValue", value: limit }, name: { value: family }, resourceType: "dedicated" } },
          poll,
        );
        const granted = (result.properties?.limit as { value?: number } | undefined)?.value;
        return granted !== undefined && granted >= limit ? { state: "Succeeded" } : { state: "Submitted", message: `Azure reports a limit of ${granted ?? "?"}` };
      }),
  };
}

const VM_ID = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([A-Za-z0-9_().-]{1,90})\/providers\/Microsoft\.Compute\/virtualMachines\/([A-Za-z0-9_.-]{1,80})$/i;

/** VM power by resource id (the idle alerts' Deallocate button): `virtualMachines.beginDeallocate`, its progress reported. */
export function createVmPower(azure: AzureAccess, opts: ProvisioningOptions = {}): VmPowerPort {
  const poll = { updateIntervalInMs: opts.pollIntervalMs ?? 2000 };
  return {
    async deallocate(resourceId, onProgress) {
      const m = VM_ID.exec(resourceId);
      if (!m) throw new GpuopsError("bad_command", `not a virtual machine id: ${resourceId.slice(0, 200)}`);
      const [, sub, rg, name] = m as unknown as [string, string, string, string];
      try {
        await deallocate(azure, sub, rg, name, poll, onProgress);
      } catch (err) {
        throw mapAzureError(err, { api: "virtualMachines.deallocate", subscriptionId: sub, role: "Virtual Machine Contributor" });
      }
    },
  };
}

/**
 * Microsoft.Compute `virtualMachines` List All per subscription (`statusOnly=true` adds the
 * instance view statuses, as states-billing.md describes): the naive inventory path, one paged
 * listing per subscription, that the benchmark compares with Resource Graph. VM bodies follow
 * seed/spec-2024-07-01.VirtualMachine_ListBySubscription_ByLocation.json.
 */
import type { ArmResource, DemoFleet } from "../demo-fleet.ts";
import type { Route } from "../types.ts";
import { paged } from "./compute.ts";

function vmBody(r: ArmResource, statusOnly: boolean): Record<string, unknown> {
  const props = r.properties as {
    vmId?: string;
    hardwareProfile?: unknown;
    provisioningState?: string;
    timeCreated?: string;
    extended?: { instanceView?: { powerState?: unknown } };
  };
  const properties: Record<string, unknown> = {
    vmId: props.vmId,
    hardwareProfile: props.hardwareProfile,
    provisioningState: props.provisioningState ?? "Succeeded",
    timeCreated: props.timeCreated,
  };
  if (statusOnly) {
    const power = props.extended?.instanceView?.powerState;
    properties.instanceView = {
      statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" }, ...(power ? [power] : [])],
    };
  }
  return { properties, type: "Microsoft.Compute/virtualMachines", location: r.location, tags: r.tags, id: r.id, name: r.name };
}

export function registerVmListRoutes(fleet: DemoFleet): Route[] {
  let bySubscription: Map<string, ArmResource[]> | undefined;
  return [
    {
      method: "GET",
      path: /^\/subscriptions\/([0-9a-fA-F-]{36})\/providers\/Microsoft\.Compute\/virtualMachines$/i,
      handle(ctx) {
        const sub = (ctx.params[0] as string).toLowerCase();
        if (fleet.knobs.forbiddenGraph.has(sub)) {
          return {
            status: 403,
            body: {
              error: {
                code: "AuthorizationFailed",
                message: `The client does not have authorization to perform action 'Microsoft.Compute/virtualMachines/read' over scope '/subscriptions/${sub}'.`,
              },
            },
          };
        }
        if (!bySubscription) {
          bySubscription = new Map();
          for (const r of fleet.resources) {
            if (r.type !== "microsoft.compute/virtualmachines") continue;
            const list = bySubscription.get(r.subscriptionId.toLowerCase()) ?? [];
            list.push(r);
            bySubscription.set(r.subscriptionId.toLowerCase(), list);
          }
        }
        const statusOnly = ctx.url.searchParams.get("statusOnly") === "true";
        const vms = (bySubscription.get(sub) ?? []).map((r) => vmBody(r, statusOnly));
        return paged(ctx, vms, fleet.knobs.vmListPageSize);
      },
    },
  ];
}

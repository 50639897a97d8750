/**
 * Microsoft.Compute VM power actions as ARM runs them: `POST …/virtualMachines/{vm}/deallocate`
 * answers 202 Accepted with `Azure-AsyncOperation` and `Location` headers pointing at the
 * regional operation; polling the operation shows InProgress, then Succeeded (with endTime), and
 * the Location URL answers 202 until done, then 200. When the operation completes, the VM's power
 * state in the demo fleet becomes `PowerState/deallocated` (Resource Graph sees it) and its GPU
 * telemetry stops.
 */
import { type ArmResource, type DemoFleet, findVm } from "../demo-fleet.ts";
import type { DemoTelemetry } from "../demo-telemetry.ts";
import type { FakeResponse, Route } from "../types.ts";

export interface VmActionKnobs {
  /** Operation polls answered InProgress before Succeeded. */
  pollsUntilDone: number;
  /** Retry-After (seconds) on the 202s; 0 lets tests poll at once. */
  retryAfterSeconds: number;
}

interface Operation {
  id: string;
  vmId: string;
  startTime: string;
  endTime?: string;
  polls: number;
}

const GUID = "([0-9a-fA-F-]{36})";

function setPowerState(vm: ArmResource, state: string): void {
  vm.properties.extended = { instanceView: { powerState: { code: `PowerState/${state}`, level: "Info", displayStatus: `VM ${state}` } } };
}

export function registerComputeVmActionRoutes(fleet: DemoFleet, telemetry: DemoTelemetry, knobs: VmActionKnobs): Route[] {
  const operations = new Map<string, Operation>();

  const advance = (op: Operation): boolean => {
    if (op.endTime) return true;
    op.polls++;
    if (op.polls <= knobs.pollsUntilDone) return false;
    op.endTime = fleet.now().toISOString();
    const vm = fleet.resources.find((r) => r.id.toLowerCase() === op.vmId.toLowerCase());
    if (vm) setPowerState(vm, "deallocated");
    telemetry.stop(op.vmId, fleet.now().getTime());
    return true;
  };

  return [
    {
      method: "POST",
      path: new RegExp(`^/subscriptions/${GUID}/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines/([^/]+)/deallocate$`, "i"),
      handle(ctx): FakeResponse {
        const [sub, rg, name] = ctx.params as [string, string, string];
        const vm = findVm(fleet, sub, rg, name);
        if (!vm) {
          return {
            status: 404,
            body: { error: { code: "ResourceNotFound", message: `The Resource 'Microsoft.Compute/virtualMachines/${name}' under resource group '${rg}' was not found.` } },
          };
        }
        const id = crypto.randomUUID();
        operations.set(id, { id, vmId: vm.id, startTime: fleet.now().toISOString(), polls: 0 });
        setPowerState(vm, "deallocating");
        const op = `${ctx.baseUrl}/subscriptions/${sub}/providers/Microsoft.Compute/locations/${vm.location}/operations/${id}?p=${encodeURIComponent(vm.location)}&api-version=${ctx.url.searchParams.get("api-version") ?? "2024-07-01"}`;
        return {
          status: 202,
          headers: {
            "azure-asyncoperation": op,
            location: `${op}&monitor=true`,
            "retry-after": String(knobs.retryAfterSeconds),
            "x-ms-ratelimit-remaining-subscription-writes": "1199",
          },
        };
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/providers/Microsoft\\.Compute/locations/([^/]+)/operations/([0-9a-fA-F-]{36})$`, "i"),
      handle(ctx): FakeResponse {
        const [, , id] = ctx.params as [string, string, string];
        const op = operations.get(id.toLowerCase()) ?? operations.get(id);
        if (!op) return { status: 404, body: { error: { code: "NotFound", message: `Operation ${id} not found.` } } };
        const done = advance(op);
        if (ctx.url.searchParams.get("monitor") === "true") {
          return done
            ? { status: 200 }
            : { status: 202, headers: { location: ctx.url.toString().replace(/^https?:\/\/[^/]+/, ctx.baseUrl), "retry-after": String(knobs.retryAfterSeconds) } };
        }
        const body: Record<string, string> = { startTime: op.startTime, status: done ? "Succeeded" : "InProgress", name: op.id };
        if (op.endTime) body.endTime = op.endTime;
        return { status: 200, headers: done ? {} : { "retry-after": String(knobs.retryAfterSeconds) }, body };
      },
    },
  ];
}

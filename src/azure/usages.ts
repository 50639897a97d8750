/** Compute usages (vCPU quota per family and the regional cap) through `@azure/arm-compute`. */
import { assertSafeRegion } from "../domain/regions.ts";
import type { Usage, UsagePort } from "../services/ports.ts";
import { mapAzureError } from "./azure-errors.ts";
import type { AzureAccess } from "./client-factory.ts";

export function createUsageAdapter(azure: AzureAccess): UsagePort {
  return {
    async listUsages(subscriptionId, region) {
      assertSafeRegion(region);
      const out: Usage[] = [];
      try {
        for await (const u of azure.compute(subscriptionId).usage.list(region)) {
          out.push({ name: u.name.value ?? "", localizedName: u.name.localizedValue ?? u.name.value ?? "", current: u.currentValue, limit: u.limit });
        }
      } catch (err) {
        throw mapAzureError(err, { api: "Compute usages", subscriptionId, region });
      }
      return out;
    },
  };
}

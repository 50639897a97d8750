/**
 * The subscriptions gpuops looks at: the configured ids, or the subscriptions under a management
 * group (resolved through `resolveManagementGroup`, cached for an hour).
 */
import { GpuopsError } from "../errors.ts";
import type { ScopePort } from "../services/ports.ts";

export interface ScopeOptions {
  subscriptionIds: string[];
  managementGroup?: string | undefined;
  /** Display names when known (demo tenant; later the subscriptions API). */
  names?: Record<string, string>;
  resolveManagementGroup?: (group: string) => Promise<Array<{ id: string; name: string }>>;
}

export function createScope(opts: ScopeOptions): ScopePort {
  let cached: { at: number; subs: Array<{ id: string; name: string }> } | undefined;
  return {
    async subscriptions() {
      if (opts.subscriptionIds.length > 0) return opts.subscriptionIds.map((id) => ({ id, name: opts.names?.[id] ?? id }));
      if (!opts.managementGroup) return [];
      if (cached && Date.now() - cached.at < 3600_000) return cached.subs;
      if (!opts.resolveManagementGroup) {
        throw new GpuopsError("bad_config", `Management group scope (${opts.managementGroup}) needs Resource Graph access; set AZURE_SUBSCRIPTION_IDS instead for now.`);
      }
      const subs = await opts.resolveManagementGroup(opts.managementGroup);
      cached = { at: Date.now(), subs };
      return subs;
    },
  };
}

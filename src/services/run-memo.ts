/**
 * One read per scope per run: scheduled jobs that fire together (fifty channels' digests at
 * 09:00) ask Azure the same questions. This wraps the quota, telemetry and inventory ports, and
 * the Azure OpenAI reads the digest's PTU section makes (accounts, deployments, PTU utilisation),
 * so that identical asks within a short window share one call (also while it is in flight). A
 * failed call is forgotten at once, so the next asker tries again. Answers are shared, not
 * copied: consumers read them and never change them in place.
 *
 * @example
 * const memo = createRunMemo({ now });
 * digestJobs({ ..., context: () => memo.context(app.context()) });
 */
import type { FleetPort, GpuResource, OpenAiPort, Services, UsagePort, UtilizationPort, UtilizationQuery } from "./ports.ts";

export interface RunMemoOptions {
  /** The app's clock: a run's asks are shared while they are this close together. */
  now: () => Date;
  /** How long an answer is shared (default 2 minutes: one run of the jobs due at the same minute). */
  windowMs?: number;
}

export interface RunMemo {
  /** The same context with its usages, utilization, fleet and Azure OpenAI ports shared across the run. */
  context<C extends { services: Services }>(ctx: C): C;
  /** Azure reads this memo actually passed on (for tests and the bench). */
  misses(): number;
}

interface Entry {
  at: number;
  value: Promise<unknown>;
}

const DEFAULT_WINDOW_MS = 2 * 60_000;

export function createRunMemo(opts: RunMemoOptions): RunMemo {
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const entries = new Map<string, Entry>();
  let misses = 0;

  function shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const t = opts.now().getTime();
    const hit = entries.get(key);
    if (hit && t - hit.at >= 0 && t - hit.at < windowMs) return hit.value as Promise<T>;
    for (const [k, e] of entries) if (t - e.at >= windowMs || t < e.at) entries.delete(k);
    misses += 1;
    const value = read();
    entries.set(key, { at: t, value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  }

  const wrapped = new WeakMap<object, unknown>();
  function once<P extends object>(port: P, wrap: (p: P) => P): P {
    let w = wrapped.get(port) as P | undefined;
    if (!w) {
      w = wrap(port);
      wrapped.set(port, w);
    }
    return w;
  }

  const usages = (p: UsagePort): UsagePort => ({
    listUsages: (subscriptionId, region) => shared(`usages|${subscriptionId.toLowerCase()}|${region.toLowerCase()}`, () => p.listUsages(subscriptionId, region)),
  });
  const utilization = (p: UtilizationPort): UtilizationPort => ({
    read: (resources, query) => shared(`utilization|${utilizationKey(resources, query)}`, () => p.read(resources, query)),
  });
  const fleet = (p: FleetPort): FleetPort => ({
    gpuInventory: (subscriptionIds) =>
      shared(
        `fleet|${[...subscriptionIds]
          .map((s) => s.toLowerCase())
          .sort()
          .join(",")}`,
        () => p.gpuInventory(subscriptionIds),
      ),
  });
  const openai = (p: OpenAiPort): OpenAiPort => ({
    accounts: (subscriptionId) => shared(`openai-accounts|${subscriptionId.toLowerCase()}`, () => p.accounts(subscriptionId)),
    deployments: (account) => shared(`openai-deployments|${account.id.toLowerCase()}`, () => p.deployments(account)),
    // Each digest asks for "the last n hours" as of its own start, a few milliseconds apart: asks
    // ending near now share one read per account and window length; any other window goes through.
    ptuUtilization: (account, from, to) =>
      Math.abs(to.getTime() - opts.now().getTime()) < windowMs
        ? shared(`openai-ptu|${account.id.toLowerCase()}|${to.getTime() - from.getTime()}`, () => p.ptuUtilization(account, from, to))
        : p.ptuUtilization(account, from, to),
    usages: (subscriptionId, region) => p.usages(subscriptionId, region),
    models: (subscriptionId, region) => p.models(subscriptionId, region),
    modelCapacities: (subscriptionId, model, region) => p.modelCapacities(subscriptionId, model, region),
    ptuHourlyPrice: () => p.ptuHourlyPrice(),
  });

  return {
    context(ctx) {
      const s = ctx.services;
      const services: Services = { ...s, usages: once(s.usages, usages), fleet: once(s.fleet, fleet) };
      if (s.utilization) services.utilization = once(s.utilization, utilization);
      if (s.openai) services.openai = once(s.openai, openai);
      return { ...ctx, services };
    },
    misses: () => misses,
  };
}

/** Same resources (in any order) in the same state, same window: the same telemetry answer. */
function utilizationKey(resources: GpuResource[], q: UtilizationQuery): string {
  const ids = resources.map((r) => `${r.id.toLowerCase()}:${r.instances}:${r.powerState}`).sort();
  return `${q.now.toISOString()}|${q.windowSeconds}|${q.lookbackSeconds}|${q.idleBelow.utilPercent}|${q.idleBelow.engineActive}|${ids.join(",")}`;
}

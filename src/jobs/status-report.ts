/**
 * What `status` reports, gathered from the running parts: store and scheduler health, which chat
 * doors can post, how fresh each data source is, the last and next run of every job per channel,
 * and subscriptions that are broken (a failed digest delivery, a Teams conversation the app was
 * removed from). Read-only; safe to call from any replica.
 */
import type { CoreLogger } from "../commands/types.ts";
import { billedCompleteThrough, shortDate } from "../domain/periods.ts";
import { nextDailyRun } from "../domain/schedule.ts";
import type { JobStatus, StatusPort, StatusSnapshot } from "../services/ports.ts";
import type { Store } from "../store/store.ts";
import type { SubscriptionStore } from "../store/subscriptions.ts";
import { digestJobName } from "./digest.ts";
import type { PostingRegistry } from "./posting-registry.ts";
import type { Scheduler } from "./scheduler.ts";

export interface StatusDeps {
  store: Pick<Store, "engine" | "ping" | "newestCacheFetch">;
  subscriptions: SubscriptionStore;
  posting: PostingRegistry;
  /** Undefined when this replica runs no scheduler (GPUOPS_SCHEDULER=false, or not started). */
  scheduler: () => Scheduler | undefined;
  azure?: { counters(): Record<string, { calls: number; errors: number; throttled: number; retries: number }> };
  demo: boolean;
  now: () => Date;
  log?: CoreLogger;
}

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return "not yet";
  const minutes = Math.round((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 90) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

const matches = (j: { platform?: string; channelId?: string; job: string }, f: { platform?: string; channelId?: string }) =>
  (!f.platform || j.platform === f.platform || j.job.includes(`:${f.platform}:`)) && (!f.channelId || j.channelId === f.channelId || j.job.endsWith(`:${f.channelId}`));

export function createStatusPort(deps: StatusDeps): StatusPort {
  const newestFetch = (prefix: string) => deps.store.newestCacheFetch(prefix);

  return {
    async snapshot(filter = {}) {
      const now = deps.now();
      const checks: StatusSnapshot["checks"] = [];
      let storeOk = true;
      try {
        await deps.store.ping();
        checks.push({ name: "Store", ok: true, detail: `${deps.store.engine === "postgres" ? "PostgreSQL" : "SQLite"} answering` });
      } catch (err) {
        storeOk = false;
        checks.push({ name: "Store", ok: false, detail: `not answering: ${(err as Error).message.slice(0, 200)}` });
      }
      const scheduler = deps.scheduler();
      checks.push(
        scheduler
          ? { name: "Scheduler", ok: true, detail: `running on this replica (${scheduler.owner}); runs are claimed in the store, so each happens once` }
          : { name: "Scheduler", ok: true, detail: "off on this replica (GPUOPS_SCHEDULER=false); another replica may run the jobs" },
      );
      const platforms = deps.posting.platforms();
      checks.push({ name: "Chat doors that can post", ok: platforms.length > 0, detail: platforms.length ? platforms.join(", ") : "none: digests and alerts cannot be delivered" });
      const counters = deps.azure?.counters() ?? {};
      const calls = Object.values(counters).reduce((n, c) => n + c.calls, 0);
      const throttled = Object.values(counters).reduce((n, c) => n + c.throttled, 0);
      const errors = Object.values(counters).reduce((n, c) => n + c.errors, 0);
      checks.push({
        name: "Azure",
        ok: true,
        detail: `${deps.demo ? "demo tenant (fake Azure on loopback)" : "live"}; ${calls} calls since start, ${throttled} throttled (429), ${errors} errors`,
      });

      const freshness: StatusSnapshot["freshness"] = [];
      const [costAt, pricesAt] = storeOk ? await Promise.all([newestFetch("cost:"), newestFetch("retail-prices:")]) : [undefined, undefined];
      freshness.push({
        source: "Spend (Cost Management)",
        detail: `billed data complete through ${shortDate(billedCompleteThrough(now), true)} (UTC days), the last ~24 h partial; ${costAt ? `last read ${ago(costAt, now)}` : "not read yet"}`,
      });
      freshness.push({ source: "List prices (Retail Prices API)", detail: `${pricesAt ? `fetched ${ago(pricesAt, now)}` : "not fetched yet"}; kept for a day` });
      freshness.push({ source: "Running VMs (Resource Graph)", detail: "read live for each answer and digest" });
      freshness.push({ source: "Quota and SKUs (Compute)", detail: "usages read live; SKUs cached for hours" });
      for (const [api, c] of Object.entries(counters).sort()) {
        if (c.calls > 0) freshness.push({ source: `  ${api}`, detail: `${c.calls} calls, ${c.throttled} throttled, ${c.retries} retries, ${c.errors} errors` });
      }

      const jobs: JobStatus[] = [];
      const broken: StatusSnapshot["broken"] = [];
      if (storeOk) {
        const [subs, lastRuns, posts, teams] = await Promise.all([
          deps.subscriptions.list(),
          deps.subscriptions.lastRuns(),
          deps.subscriptions.posts({ limit: 2000 }),
          deps.subscriptions.brokenConversations().catch(() => []),
        ]);
        const known = new Map((scheduler?.jobs() ?? []).map((j) => [j.job, j]));
        for (const s of subs.filter((x) => x.kind === "digest")) {
          const name = digestJobName(s.platform, s.channelId);
          const j: JobStatus = known.get(name) ?? { job: name, platform: s.platform, channelId: s.channelId, timezone: s.timezone };
          if (!j.nextRun && s.at) {
            const next = nextDailyRun(s.at, s.timezone, now);
            if (next) j.nextRun = next.toISOString();
          }
          j.platform = s.platform;
          j.channelId = s.channelId;
          const last = lastRuns.get(name);
          if (last) j.lastRun = last;
          jobs.push(j);
          known.delete(name);
          const latest = posts.find((p) => p.platform === s.platform && p.channelId === s.channelId);
          if (latest?.status === "failed")
            broken.push({ platform: s.platform, channelId: s.channelId, what: "digest delivery", reason: latest.reason ?? "unknown", since: latest.at });
        }
        // Fixed jobs (idle scan, lease checks) this replica schedules, and ones only seen in the claims.
        for (const j of known.values()) {
          const last = lastRuns.get(j.job);
          jobs.push(last ? { ...j, lastRun: last } : j);
        }
        for (const [name, last] of lastRuns) {
          if (!name.startsWith("digest:") && !jobs.some((j) => j.job === name)) jobs.push({ job: name, lastRun: last });
        }
        for (const c of teams) {
          const kinds = subs.filter((s) => s.platform === "teams" && s.channelId === c.conversationId).map((s) => s.kind);
          broken.push({
            platform: "teams",
            channelId: c.conversationId,
            what: kinds.length ? `${kinds.join(" + ")} subscription (conversation)` : "conversation",
            reason: c.reason,
            since: c.since,
          });
        }
      }
      jobs.sort((a, b) => a.job.localeCompare(b.job));
      return {
        checks,
        freshness,
        jobs: jobs.filter((j) => matches(j, filter)),
        broken: broken.filter((b) => (!filter.platform || b.platform === filter.platform) && (!filter.channelId || b.channelId === filter.channelId)),
      };
    },
  };
}

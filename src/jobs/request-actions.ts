/**
 * Runs the side effects of GPU requests: the action on approval (`none`, `start-vms`,
 * `scale-nodepool`, `quota-request`) and its undo at release or expiry. The decision is always
 * stored first (with a side-effect row in the same transaction); this runner then claims the row,
 * writes its plan (which VMs, which target count) before touching Azure, does the idempotent
 * calls, records the outcome and posts progress in the request's thread. A process killed in the
 * middle leaves the row claimed until its lease lapses; the next run (any replica, or the same one
 * after a restart) resumes it with the same plan, so the action happens once.
 *
 * @example
 * const policy = policyFrom(config.approvals);
 * const requests = createRequestsRuntime({ store: createGpuRequestStore(db, policy), provisioning, policy, approvals: config.approvals, demo, posting: (p) => registry.get(p), now, log });
 * services.requests = requests.port;
 * scheduler.every("gpu-requests", 60_000, (run) => requests.runLeaseJobs(run.scheduledAt));
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { actionWords, outcomeReply } from "../commands/request-card.ts";
import { applyEvent, postInThread, refreshApprovers, updateRequesterCard } from "../commands/request-flow.ts";
import type { CoreLogger } from "../commands/types.ts";
import type { Config } from "../config.ts";
import { formatHours } from "../domain/duration.ts";
import { DEFAULT_POLICY, formatTime, type GpuRequest, label, type RequestPolicy } from "../domain/gpu-request.ts";
import { asGpuopsError } from "../errors.ts";
import { reply, text } from "../reply/reply.ts";
import type { ApproverList, GroupDirectory, PostingPort, ProvisioningPort, RequestsPort, SideEffect, StoredRequest } from "../services/ports.ts";
import { type RequestRunnerDeps, runLeaseJobs } from "./leases.ts";

export type { RequestRunnerDeps };

/**
 * How long a claimed side effect is ours without a heartbeat. The runner renews it every
 * EFFECT_HEARTBEAT_MS while the action runs, so a long operation keeps it, and a crashed runner's
 * action is resumed by the next minute's lease job once this has passed.
 */
export const EFFECT_CLAIM_MS = 30_000;
export const EFFECT_HEARTBEAT_MS = 10_000;
/** Transient Azure failures (throttling, 5xx) are retried on later runs, this many attempts in all. */
export const MAX_EFFECT_ATTEMPTS = 3;

const TRANSIENT = new Set(["azure_throttled", "azure_unavailable"]);

interface VmRef {
  resourceGroup: string;
  name: string;
}

/** Thrown between steps when the heartbeat found the claim taken by another runner: stop, touch nothing more. */
class ClaimLost extends Error {
  constructor(key: string) {
    super(`the claim on ${key} was lost; another runner has it`);
  }
}

/** Renews a side effect's claim while its action runs; `check()` throws once the claim is no longer ours. */
function heartbeat(deps: RequestRunnerDeps, key: string): { check(): void; stop(): void } {
  const clock = deps.clock ?? deps.now;
  const ttl = deps.claimMs ?? EFFECT_CLAIM_MS;
  let lost = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || lost) return;
    busy = true;
    deps.port.store
      .renewEffect(key, deps.owner, clock(), ttl)
      .then((ok) => {
        if (!ok) lost = true;
      })
      .catch((err) => deps.log?.warn({ err, key }, "could not renew a side effect's claim; will try again"))
      .finally(() => {
        busy = false;
      });
  }, deps.heartbeatMs ?? EFFECT_HEARTBEAT_MS);
  timer.unref();
  return {
    check() {
      if (lost) throw new ClaimLost(key);
    },
    stop: () => clearInterval(timer),
  };
}

const say = (title: string, line: string, tone?: "success" | "warning" | "error" | "info") => reply(title, [text(line, tone)]);

/** Decides what to do (kept as the plan) and does it. Returns the line that goes in the audit log and the thread. */
async function perform(deps: RequestRunnerDeps, effect: SideEffect, r: GpuRequest, beat: { check(): void }): Promise<{ detail: string; partial: boolean }> {
  const { port } = deps;
  const p = port.provisioning;
  const sub = r.spec.subscriptionId;
  switch (r.action) {
    case "none":
      // Nothing to do in Azure: the one post about it (in the approvers' thread) asks people to provision it.
      return { detail: "no automatic action is configured; the approvers' channel was asked to provision it by hand", partial: false };
    case "start-vms": {
      let vms = (effect.plan?.vms as VmRef[] | undefined) ?? undefined;
      if (!vms) {
        const pool = await p.listPoolVms(sub, r.spec.region, r.spec.size, port.poolTag);
        const held = new Set((await port.store.poolVmClaims()).map((c) => `${c.subscriptionId}/${c.resourceGroup}/${c.name}`.toLowerCase()));
        const free = pool.filter((v) => v.powerState === "deallocated" && !held.has(`${sub}/${v.resourceGroup}/${v.name}`.toLowerCase()));
        const candidates = free.map((v) => ({ resourceGroup: v.resourceGroup, name: v.name }));
        beat.check();
        // Reserved in the store before anything starts: another request approved at the same moment gets other VMs.
        vms = await port.store.reservePoolVms(effect.key, deps.owner, r.id, sub, candidates, r.spec.vmCount, (deps.clock ?? deps.now)());
        if (!vms) {
          throw new Error(
            `only ${free.length} of the ${r.spec.vmCount} VMs needed are deallocated and not held by another request in the pool (VMs tagged ${port.poolTag}, size ${r.spec.size}, ${r.spec.region}); nothing was started`,
          );
        }
      }
      let started = 0;
      try {
        for (const vm of vms) {
          beat.check();
          await p.startVm(sub, vm.resourceGroup, vm.name);
          started++;
        }
      } catch (err) {
        if (err instanceof ClaimLost) throw err;
        throw Object.assign(asGpuopsError(err), { partial: started > 0 });
      }
      return { detail: `started ${vms.length} VM${vms.length === 1 ? "" : "s"}: ${vms.map((v) => v.name).join(", ")}`, partial: false };
    }
    case "scale-nodepool": {
      const np = port.nodePool;
      if (!np) throw new Error("no node pool is configured (GPUOPS_NODEPOOL=resourceGroup/cluster/pool)");
      let target = effect.plan?.to as number | undefined;
      if (target === undefined) {
        const pool = await p.nodePool(sub, np.resourceGroup, np.cluster, np.pool);
        if (pool.vmSize.toLowerCase() !== r.spec.size.toLowerCase()) throw new Error(`node pool ${np.cluster}/${np.pool} runs ${pool.vmSize}, not ${r.spec.size}`);
        target = pool.count + r.spec.vmCount;
        await port.store.savePlan(effect.key, deps.owner, { from: pool.count, to: target });
      }
      await p.scaleNodePool(sub, np.resourceGroup, np.cluster, np.pool, target);
      return { detail: `scaled node pool ${np.cluster}/${np.pool} to ${target} nodes`, partial: false };
    }
    case "quota-request": {
      const pre = r.precheck;
      if (!pre?.quotaFamily || pre.quotaTarget === undefined) return { detail: "quota already fits; no increase was needed", partial: false };
      const outcome = await p.requestQuota(sub, r.spec.region, pre.quotaFamily, pre.quotaTarget);
      return {
        detail: `Microsoft.Quota request for ${pre.quotaFamily} to ${pre.quotaTarget} vCPUs: ${outcome.state}${outcome.message ? ` (${outcome.message})` : ""}`,
        partial: false,
      };
    }
  }
}

async function undo(deps: RequestRunnerDeps, effect: SideEffect, r: GpuRequest): Promise<string> {
  const { port } = deps;
  const p = port.provisioning;
  const sub = r.spec.subscriptionId;
  if (r.action === "start-vms") {
    const act = await port.store.effect(`${r.id}:act`);
    const vms = (act?.plan?.vms as VmRef[] | undefined) ?? [];
    // Only the VMs this request reserved (its plan), then they are free for the next request.
    for (const vm of vms) await p.deallocateVm(sub, vm.resourceGroup, vm.name);
    await port.store.releasePoolVms(r.id);
    return `deallocated ${vms.length} VM${vms.length === 1 ? "" : "s"}${vms.length ? `: ${vms.map((v) => v.name).join(", ")}` : ""}`;
  }
  if (r.action === "scale-nodepool" && port.nodePool) {
    const np = port.nodePool;
    let target = effect.plan?.to as number | undefined;
    if (target === undefined) {
      const pool = await p.nodePool(sub, np.resourceGroup, np.cluster, np.pool);
      target = Math.max(0, pool.count - r.spec.vmCount);
      await port.store.savePlan(effect.key, deps.owner, { from: pool.count, to: target });
    }
    await p.scaleNodePool(sub, np.resourceGroup, np.cluster, np.pool, target);
    return `scaled node pool ${np.cluster}/${np.pool} down to ${target} nodes`;
  }
  return "nothing to undo";
}

async function runAct(deps: RequestRunnerDeps, effect: SideEffect, stored: StoredRequest, beat: { check(): void }): Promise<void> {
  const { port, log } = deps;
  const id = stored.request.id;
  let s = stored;
  if (s.request.state === "approved") {
    const a = await applyEvent(port, id, () => ({ type: "act_start", at: deps.now().toISOString() }));
    if (a.ok) s = a.stored;
    else s = (await port.store.get(id)) ?? s;
  }
  if (s.request.state !== "acting") {
    await port.store.finishEffect(effect.key, deps.owner, "done", `nothing to do: request is ${s.request.state}`, deps.now());
    return;
  }
  // One post per decision: the outcome below. Progress is posted only when resuming after a crash.
  if (effect.attempts > 1) await postInThread(port, s, say(`GPU request ${label(id)}`, `Resuming after an interruption: ${actionWords(s.request.action)}…`), log);
  try {
    const { detail } = await perform(deps, effect, s.request, beat);
    const done = await applyEvent(port, id, () => ({ type: "act_done", at: deps.now().toISOString(), detail }));
    const after = done.ok ? done.stored : s;
    await port.store.finishEffect(effect.key, deps.owner, "done", detail, deps.now());
    const until = after.request.lease ? formatTime(after.request.lease.end) : "?";
    const r = after.request;
    const line =
      r.action === "none"
        ? `Approved: ${r.spec.vmCount} × ${r.spec.size.replace(/^Standard_/, "")} in ${r.spec.region} for ${formatHours(r.decision?.hours ?? r.spec.hours)} for ${r.requester.name ?? r.requester.id}. No automatic action is configured: please provision it by hand, and free it when the lease ends (${until}).`
        : `Done: ${detail}. Lease until ${until}.`;
    await postInThread(
      port,
      after,
      say(r.action === "none" ? `GPU request ${label(id)}: please provision` : `GPU request ${label(id)}: done`, line, r.action === "none" ? "info" : "success"),
      log,
    );
    await refreshApprovers(port, after, { log });
    await updateRequesterCard(port, after, outcomeReply(r), log);
  } catch (err) {
    if (err instanceof ClaimLost) {
      log?.warn({ key: effect.key }, "GPU request action stopped: another runner holds its claim now");
      return;
    }
    const e = asGpuopsError(err, "internal");
    if (TRANSIENT.has(e.code) && effect.attempts < MAX_EFFECT_ATTEMPTS) {
      log?.warn({ err, key: effect.key }, "GPU request action hit a transient Azure error; will retry");
      await postInThread(port, s, say(`GPU request ${label(id)}`, `Azure is busy (${e.message}); trying again shortly.`, "warning"), log);
      await port.store.releaseEffect(effect.key, deps.owner, deps.now());
      return;
    }
    const partial = (err as { partial?: boolean }).partial === true;
    // Nothing was started: the VMs it reserved go back to the pool now (a partial start keeps them until its undo).
    if (!partial && s.request.action === "start-vms") await port.store.releasePoolVms(id);
    const failed = await applyEvent(port, id, () => ({ type: "act_failed", at: deps.now().toISOString(), error: e.message, needsReversal: partial }));
    await port.store.finishEffect(effect.key, deps.owner, "failed", e.message, deps.now());
    const after = failed.ok ? failed.stored : s;
    await postInThread(port, after, say(`GPU request ${label(id)}: the action failed`, `${e.message}${partial ? " What was started is being undone." : ""}`, "error"), log);
    await refreshApprovers(port, after, { log });
    await updateRequesterCard(port, after, outcomeReply(after.request), log);
  }
}

async function runUndo(deps: RequestRunnerDeps, effect: SideEffect, stored: StoredRequest): Promise<void> {
  const { port, log } = deps;
  const id = stored.request.id;
  try {
    const detail = await undo(deps, effect, stored.request);
    const a = await applyEvent(port, id, () => ({ type: "reverse_done", at: deps.now().toISOString(), detail }));
    await port.store.finishEffect(effect.key, deps.owner, "done", detail, deps.now());
    await postInThread(port, a.ok ? a.stored : stored, say(`GPU request ${label(id)}: capacity given back`, `Done: ${detail}.`, "success"), log);
  } catch (err) {
    const e = asGpuopsError(err, "internal");
    if (TRANSIENT.has(e.code) && effect.attempts < MAX_EFFECT_ATTEMPTS) {
      await port.store.releaseEffect(effect.key, deps.owner, deps.now());
      return;
    }
    await applyEvent(port, id, () => ({ type: "reverse_failed", at: deps.now().toISOString(), error: e.message }));
    await port.store.finishEffect(effect.key, deps.owner, "failed", e.message, deps.now());
    await postInThread(port, stored, say(`GPU request ${label(id)}: could not give the capacity back`, `${e.message}. Please do it by hand.`, "error"), log);
  }
}

/** Runs every open side effect (or those of one request); returns how many it ran. */
export async function runEffects(deps: RequestRunnerDeps, filter: { requestId?: string } = {}): Promise<number> {
  const { port } = deps;
  const clock = deps.clock ?? deps.now;
  const open = await port.store.openEffects(clock());
  let ran = 0;
  for (const e of open) {
    if (filter.requestId !== undefined && e.requestId !== filter.requestId) continue;
    const claimed = await port.store.claimEffect(e.key, deps.owner, clock(), deps.claimMs ?? EFFECT_CLAIM_MS);
    if (!claimed) continue;
    const beat = heartbeat(deps, claimed.key);
    try {
      const stored = await port.store.get(claimed.requestId);
      if (!stored) {
        await port.store.finishEffect(claimed.key, deps.owner, "failed", "request not found", deps.now());
        continue;
      }
      ran++;
      if (claimed.kind === "act") await runAct(deps, claimed, stored, beat);
      else await runUndo(deps, claimed, stored);
    } catch (err) {
      // Store or chat trouble: the claim lapses and a later run resumes with the saved plan.
      deps.log?.error({ err, key: claimed.key }, "GPU request side effect interrupted");
    } finally {
      beat.stop();
    }
  }
  return ran;
}

export interface RequestsRuntime {
  port: RequestsPort;
  /** Side effects now (all open ones, or one request's). */
  runEffects(filter?: { requestId?: string }): Promise<number>;
  /** Reminders, escalations, expiries due at `now`, then any open side effect (crash recovery). */
  runLeaseJobs(now: Date): Promise<void>;
  /** Resolves when side effects started by clicks have finished (tests, shutdown). */
  drain(): Promise<void>;
  /** A door's group directory (Slack user groups) for approver lists that name groups. */
  setGroupDirectory(directory: GroupDirectory): void;
}

export interface RequestsRuntimeOptions {
  /** The requests, their audit log and side-effect claims (store/gpu-requests.ts, built with `policy`). */
  store: RequestsPort["store"];
  /** The Azure side effects (azure/provisioning.ts). */
  provisioning: ProvisioningPort;
  policy: RequestPolicy;
  /** Approvers, the action and its pool / node pool (config.approvals). */
  approvals: Config["approvals"];
  /** Demo mode: the console gets the demo cast's approvers when none are configured. */
  demo: boolean;
  posting(platform: string): PostingPort | undefined;
  groups?: (platform: string) => GroupDirectory | undefined;
  now(): Date;
  log?: CoreLogger | undefined;
  /** Side-effect claim length and heartbeat (defaults EFFECT_CLAIM_MS, EFFECT_HEARTBEAT_MS). */
  claimMs?: number;
  heartbeatMs?: number;
  /** Called when a stored decision hands its side effects to the runner, before any of them starts (tests crash the process here). */
  beforeAction?: (requestId: string) => void;
}

/** The demo cast's approvers on the console (src/chat/console/identities.ts). */
const DEMO_CONSOLE_APPROVERS: ApproverList = { approvers: ["sam", "lee"], escalation: ["lee"], channel: "local" };

export function policyFrom(a: Config["approvals"]): RequestPolicy {
  return {
    ...DEFAULT_POLICY,
    maxHours: a.maxLeaseDays * 24,
    twoApprovalsAboveGpus: a.twoApprovalsAboveGpus,
    reminderAfterHours: a.reminderAfterHours,
    undecidedExpiryHours: a.undecidedExpiryHours,
  };
}

/** Builds the requests port and its runner from the ports the composition root hands in. */
export function createRequestsRuntime(opts: RequestsRuntimeOptions): RequestsRuntime {
  const { approvals: a, policy } = opts;
  const consoleList = a.console.approvers.length > 0 || a.console.channel ? a.console : opts.demo ? DEMO_CONSOLE_APPROVERS : a.console;
  const [rg, cluster, pool] = a.nodePool?.split("/") ?? [];
  const pending = new Set<Promise<unknown>>();
  const directories = new Map<string, GroupDirectory>();
  /** Side-effect work in flight, so shutdown and tests can wait for it. */
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const port: RequestsPort = {
    store: opts.store,
    provisioning: opts.provisioning,
    policy,
    approvers: {
      slack: { approvers: a.slack.approvers, escalation: a.slack.escalation, channel: a.slack.channel },
      teams: { approvers: a.teams.approvers, escalation: a.teams.escalation, channel: a.teams.channel },
      console: { approvers: consoleList.approvers, escalation: consoleList.escalation, channel: consoleList.channel ?? "local" },
    },
    action: a.action,
    subscriptionId: a.subscriptionId,
    poolTag: a.poolTag,
    nodePool: rg && cluster && pool ? { resourceGroup: rg, cluster, pool } : undefined,
    posting: opts.posting,
    groups: (platform) => directories.get(platform) ?? opts.groups?.(platform),
    kick(requestId) {
      opts.beforeAction?.(requestId);
      void track(runEffects(deps, { requestId })).catch((err) => opts.log?.error({ err, requestId }, "GPU request action failed to start"));
    },
  };
  const deps: RequestRunnerDeps = {
    port,
    now: opts.now,
    clock: opts.now,
    log: opts.log,
    owner,
    ...(opts.claimMs !== undefined ? { claimMs: opts.claimMs } : {}),
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
  };
  return {
    port,
    runEffects: (filter) => track(runEffects(deps, filter)),
    async runLeaseJobs(now) {
      await runLeaseJobs({ ...deps, now: () => now });
      await runEffects({ ...deps, now: () => now });
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    setGroupDirectory(directory) {
      directories.set(directory.platform, directory);
    },
  };
}

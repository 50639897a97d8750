/**
 * The clock's part of GPU requests, run every minute by the scheduler: remind (and escalate)
 * undecided requests, close them after too long, remind lease holders 1 day and 1 hour before the
 * end (with Extend / Release now), and end leases on time (their undo then runs as a side effect).
 * Each step is a conditional transition in the store, so with several replicas exactly one of
 * them makes it, and only that one posts.
 */

import { approverReply, leaseReminderReply, requesterUpdate } from "../commands/request-card.ts";
import { applyEvent, postInThread, refreshApprovers, tellRequester } from "../commands/request-flow.ts";
import type { CoreLogger } from "../commands/types.ts";
import { dueEvent, formatTime, label, type RequestEvent } from "../domain/gpu-request.ts";
import { reply, text } from "../reply/reply.ts";
import type { RequestsPort, StoredRequest } from "../services/ports.ts";

/** What the clock's jobs and the side-effect runner share. */
export interface RequestRunnerDeps {
  port: RequestsPort;
  now(): Date;
  log?: CoreLogger | undefined;
  /** Who claims side effects: host, pid and a random suffix. */
  owner: string;
  /** The live clock for claims and their heartbeats (`now` may be pinned to a scheduled instant). */
  clock?: () => Date;
  /** How long a side-effect claim lasts without a heartbeat (default EFFECT_CLAIM_MS). */
  claimMs?: number;
  /** How often a running side effect renews its claim (default EFFECT_HEARTBEAT_MS). */
  heartbeatMs?: number;
}

function escalationOf(port: RequestsPort, s: StoredRequest): string[] {
  const platform = s.messages.approvers?.platform ?? s.request.origin.platform;
  return port.approvers[platform]?.escalation ?? [];
}

async function notify(deps: RequestRunnerDeps, s: StoredRequest, event: RequestEvent): Promise<void> {
  const { port, log } = deps;
  const r = s.request;
  switch (event.type) {
    case "remind_undecided": {
      const escalatedTo = event.escalate ? escalationOf(port, s) : [];
      await refreshApprovers(port, s, { log, escalatedTo });
      const who = escalatedTo.length ? ` Escalating to ${escalatedTo.join(", ")}.` : "";
      await postInThread(
        port,
        s,
        reply(`GPU request ${label(r.id)} is still waiting`, [text(`No decision after ${port.policy.reminderAfterHours} h.${who} Please approve or deny it.`, "warning")]),
        log,
      );
      if (escalatedTo.length) await postInThread(port, s, approverReply(r, { escalatedTo }), log);
      return;
    }
    case "expire_undecided":
      await refreshApprovers(port, s, { log });
      await tellRequester(port, r, requesterUpdate(r, undefined), log);
      return;
    case "lease_remind":
      await tellRequester(port, r, leaseReminderReply(r, event.which), log);
      return;
    case "expire": {
      await refreshApprovers(port, s, { log });
      const undo = r.reversal === "pending" ? " The capacity is being given back now." : " No automatic action was configured: please free the capacity by hand.";
      const line = `The lease ended at ${formatTime(r.lease?.end ?? event.at)}.${undo}`;
      await tellRequester(port, r, reply(`GPU request ${label(r.id)}: lease ended`, [text(line, "info")]), log);
      await postInThread(port, s, reply(`GPU request ${label(r.id)}: lease ended`, [text(line)]), log);
      return;
    }
    default:
      return;
  }
}

/** One pass of the clock: every request that is due gets its step (once, store-enforced). */
export async function runLeaseJobs(deps: RequestRunnerDeps): Promise<number> {
  const { port } = deps;
  const now = deps.now();
  const iso = now.toISOString();
  let steps = 0;
  for (const s of await port.store.due(now)) {
    const canEscalate = escalationOf(port, s).length > 0;
    if (!dueEvent(s.request, iso, port.policy, { canEscalate })) continue;
    let applied: RequestEvent | undefined;
    const a = await applyEvent(port, s.request.id, (r) => {
      applied = dueEvent(r, iso, port.policy, { canEscalate }) ?? { type: "expire", at: "1970-01-01T00:00:00.000Z" };
      return applied;
    });
    if (!a.ok || !applied) continue;
    steps++;
    try {
      await notify(deps, a.stored, applied);
    } catch (err) {
      deps.log?.warn({ err, requestId: s.request.id }, "GPU request: could not tell people about a lease step");
    }
  }
  return steps;
}

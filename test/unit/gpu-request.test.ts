import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  addHours,
  createRequest,
  DEFAULT_POLICY,
  dueEvent,
  dueLeaseReminder,
  type GpuRequest,
  nextDueAt,
  type Person,
  REQUEST_STATES,
  type RequestEvent,
  type RequestPolicy,
  type RequestSpec,
  replay,
  TERMINAL_STATES,
  transition,
} from "../../src/domain/gpu-request.ts";

const T0 = "2026-03-02T09:00:00.000Z";
const policy: RequestPolicy = { ...DEFAULT_POLICY, twoApprovalsAboveGpus: 4 };
const alice: Person = { id: "U_ALICE", name: "alice" };
const bob: Person = { id: "U_BOB", name: "bob" };
const carol: Person = { id: "U_CAROL", name: "carol" };
const mallory: Person = { id: "U_MALLORY", name: "mallory" };
const approvers = new Set([bob.id, carol.id, alice.id]);

function spec(over: Partial<RequestSpec> = {}): RequestSpec {
  return { subscriptionId: "sub", region: "swedencentral", size: "Standard_NC24ads_A100_v4", vmCount: 2, gpus: 2, hours: 72, reason: "fine-tune run", ...over };
}

function fresh(over: Partial<RequestSpec> = {}, action: GpuRequest["action"] = "none") {
  return createRequest({ id: "7", requester: alice, origin: { platform: "slack", channelId: "C1" }, spec: spec(over), action, at: T0 }, policy);
}

function apply(req: GpuRequest, ...events: RequestEvent[]): GpuRequest {
  let r = req;
  for (const e of events) {
    const t = transition(r, e, policy);
    if (!t.ok) throw new Error(`${e.type}: ${t.reason}`);
    r = t.request;
  }
  return r;
}

const precheck: RequestEvent = { type: "precheck", at: T0, result: { offered: true, fits: true, shortByVcpus: 0, lines: ["fits"] } };
const submit: RequestEvent = { type: "submit", at: T0, actor: alice };
const at = (h: number) => addHours(T0, h);

function pendingRequest(over: Partial<RequestSpec> = {}, action: GpuRequest["action"] = "none"): GpuRequest {
  return apply(fresh(over, action).request, precheck, submit);
}

describe("GPU request lifecycle", () => {
  it("walks the happy path: ask, check, approve, act, remind, extend, release", () => {
    let r = pendingRequest({}, "start-vms");
    expect(r.state).toBe("pending");
    r = apply(r, { type: "approve", at: at(1), actor: bob, isApprover: true });
    expect(r.state).toBe("approved");
    expect(r.decision).toMatchObject({ outcome: "approved", by: bob, hours: 72 });
    r = apply(r, { type: "act_start", at: at(1) }, { type: "act_done", at: at(1), detail: "2 VMs started" });
    expect(r.state).toBe("active");
    expect(r.lease?.end).toBe(at(73));
    r = apply(r, { type: "lease_remind", at: at(49), which: "1d" });
    expect(r.state).toBe("reminded");
    r = apply(r, { type: "extend", at: at(50), actor: alice, isApprover: false, hours: 24 });
    expect(r.state).toBe("extended");
    expect(r.lease?.end).toBe(at(97));
    expect(r.lease?.reminders).toEqual([]);
    r = apply(r, { type: "release", at: at(60), actor: alice, isApprover: false });
    expect(r.state).toBe("released");
    expect(r.reversal).toBe("pending");
    r = apply(r, { type: "reverse_done", at: at(60), detail: "2 VMs deallocated" });
    expect(r.reversal).toBe("done");
  });

  it("refuses self-approval with a reason, even for a configured approver", () => {
    const t = transition(pendingRequest(), { type: "approve", at: T0, actor: alice, isApprover: true }, policy);
    expect(t).toMatchObject({ ok: false, code: "self_approval" });
    if (!t.ok) expect(t.reason).toMatch(/can't approve it/);
  });

  it("refuses a non-approver", () => {
    const t = transition(pendingRequest(), { type: "approve", at: T0, actor: mallory, isApprover: false }, policy);
    expect(t).toMatchObject({ ok: false, code: "not_approver" });
  });

  it("needs a reason to deny", () => {
    const t = transition(pendingRequest(), { type: "deny", at: T0, actor: bob, isApprover: true, reason: "   " }, policy);
    expect(t).toMatchObject({ ok: false, code: "reason_required" });
    const ok = transition(pendingRequest(), { type: "deny", at: T0, actor: bob, isApprover: true, reason: "use the T4 pool" }, policy);
    expect(ok.ok && ok.request.decision).toMatchObject({ outcome: "denied", reason: "use the T4 pool" });
  });

  it("needs two different approvers above the GPU threshold, and grants the shorter time", () => {
    let r = pendingRequest({ vmCount: 8, gpus: 8 });
    expect(r.approvalsNeeded).toBe(2);
    r = apply(r, { type: "approve", at: at(1), actor: bob, isApprover: true, hours: 24 });
    expect(r.state).toBe("pending");
    expect(transition(r, { type: "approve", at: at(1), actor: bob, isApprover: true }, policy)).toMatchObject({ ok: false, code: "already_approved_by_you" });
    r = apply(r, { type: "approve", at: at(2), actor: carol, isApprover: true });
    expect(r.state).toBe("approved");
    expect(r.decision?.hours).toBe(24);
  });

  it("tells a late clicker who decided and when", () => {
    const r = apply(pendingRequest(), { type: "approve", at: at(1), actor: bob, isApprover: true });
    const late = transition(r, { type: "approve", at: at(1), actor: carol, isApprover: true }, policy);
    expect(late).toMatchObject({ ok: false, code: "already_decided" });
    if (!late.ok) expect(late.reason).toMatch(/already approved by bob at 2026-03-02 10:00 UTC/);
  });

  it("refuses a longer 'shorter time' and a submit when the size is not offered", () => {
    expect(transition(pendingRequest(), { type: "approve", at: T0, actor: bob, isApprover: true, hours: 100 }, policy)).toMatchObject({ ok: false, code: "not_shorter" });
    const blocked = apply(fresh().request, { type: "precheck", at: T0, result: { offered: false, fits: false, shortByVcpus: 0, lines: [], blocking: "not offered here" } });
    expect(transition(blocked, submit, policy)).toMatchObject({ ok: false, code: "blocked" });
  });

  it("caps the duration and asks for re-approval of an extension above the cap", () => {
    expect(() => fresh({ hours: policy.maxHours + 1 })).toThrow(/longest lease/);
    let r = apply(
      pendingRequest({ hours: policy.maxHours }),
      { type: "approve", at: at(0), actor: bob, isApprover: true },
      { type: "act_start", at: at(0) },
      { type: "act_done", at: at(0), detail: "ok" },
    );
    r = apply(r, { type: "extend", at: at(1), actor: alice, isApprover: false, hours: 24 });
    expect(r.state).toBe("active");
    expect(r.extension).toMatchObject({ hours: 24 });
    expect(transition(r, { type: "extend_approve", at: at(2), actor: alice, isApprover: true }, policy)).toMatchObject({ ok: false, code: "self_approval" });
    r = apply(r, { type: "extend_approve", at: at(2), actor: bob, isApprover: true });
    expect(r.extension).toBeUndefined();
    expect(r.lease?.end).toBe(at(policy.maxHours + 24));
  });

  it("schedules reminders 1 day and 1 hour before the end, and expiry at the end", () => {
    const r = apply(pendingRequest(), { type: "approve", at: T0, actor: bob, isApprover: true }, { type: "act_start", at: T0 }, { type: "act_done", at: T0, detail: "ok" });
    const lease = r.lease as NonNullable<GpuRequest["lease"]>;
    expect(dueLeaseReminder(lease, at(47))).toBeUndefined();
    expect(dueLeaseReminder(lease, at(48))).toBe("1d");
    expect(dueLeaseReminder({ ...lease, reminders: ["1d"] }, at(70))).toBeUndefined();
    expect(dueLeaseReminder({ ...lease, reminders: ["1d"] }, at(71))).toBe("1h");
    expect(nextDueAt(r, policy)).toBe(at(48));
    expect(dueEvent(r, at(72), policy, { canEscalate: false })).toEqual({ type: "expire", at: at(72) });
    expect(transition(r, { type: "expire", at: at(71) }, policy)).toMatchObject({ ok: false });
    // A short lease gets only the 1-hour reminder.
    const short = apply(
      pendingRequest({ hours: 12 }),
      { type: "approve", at: T0, actor: bob, isApprover: true },
      { type: "act_start", at: T0 },
      { type: "act_done", at: T0, detail: "ok" },
    );
    expect(dueLeaseReminder(short.lease as NonNullable<GpuRequest["lease"]>, at(1))).toBeUndefined();
    expect(dueLeaseReminder(short.lease as NonNullable<GpuRequest["lease"]>, at(11))).toBe("1h");
  });

  it("reminds and escalates undecided requests, then expires them", () => {
    const r = pendingRequest();
    expect(dueEvent(r, at(policy.reminderAfterHours), policy, { canEscalate: true })).toEqual({ type: "remind_undecided", at: at(policy.reminderAfterHours), escalate: true });
    const reminded = apply(r, { type: "remind_undecided", at: at(4), escalate: true });
    expect(reminded.escalated).toBe(true);
    expect(dueEvent(reminded, at(5), policy, { canEscalate: true })).toBeUndefined();
    expect(dueEvent(reminded, at(policy.undecidedExpiryHours), policy, { canEscalate: true })).toMatchObject({ type: "expire_undecided" });
  });
});

// ------------------------------------------------------------------------------------------
// Property tests: random event sequences from random people, checked against the invariants.

const people = [alice, bob, carol, mallory];
const EVENT_TYPES: RequestEvent["type"][] = [
  "precheck",
  "submit",
  "cancel",
  "approve",
  "deny",
  "remind_undecided",
  "expire_undecided",
  "act_start",
  "act_done",
  "act_failed",
  "lease_remind",
  "extend",
  "extend_approve",
  "extend_deny",
  "release",
  "expire",
  "reverse_done",
  "reverse_failed",
];

/** Event types that move a request on from each state: the generator leans on them so runs go deep. */
const PROGRESS: Record<GpuRequest["state"], RequestEvent["type"][]> = {
  created: ["precheck"],
  prechecked: ["submit", "submit", "submit", "submit", "submit", "precheck", "cancel"],
  pending: ["approve", "approve", "approve", "approve", "approve", "approve", "approve", "approve", "deny", "cancel", "remind_undecided", "expire_undecided"],
  approved: ["act_start", "act_start", "act_failed"],
  acting: ["act_done", "act_done", "act_failed"],
  active: ["lease_remind", "extend", "extend_approve", "extend_deny", "release", "expire"],
  reminded: ["lease_remind", "extend", "extend_approve", "release", "expire"],
  extended: ["lease_remind", "extend", "extend_approve", "extend_deny", "release", "expire"],
  denied: ["reverse_done"],
  expired_undecided: ["approve"],
  cancelled: ["submit"],
  released: ["reverse_done", "reverse_failed", "extend"],
  expired: ["reverse_done", "reverse_failed", "release"],
  failed: ["reverse_done", "reverse_failed", "act_start"],
};

/** One random step: the choices are drawn up front; the event is built from them and the current state. */
const stepArb = fc.record({
  lean: fc.integer({ min: 0, max: 9 }),
  pick: fc.nat(1000),
  actor: fc.constantFrom(...people),
  hours: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
  reason: fc.constantFrom("", "  ", "budget", "use spot instead"),
  gapHours: fc.constantFrom(0, 1, 2, 12, 23, 47, 100, 400),
  flag: fc.boolean(),
  which: fc.constantFrom<"1d" | "1h">("1d", "1h"),
  blocked: fc.integer({ min: 0, max: 9 }),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function eventFor(step: Step, state: GpuRequest["state"], t: string): RequestEvent {
  const choices = step.lean < 8 ? PROGRESS[state] : EVENT_TYPES;
  const type = choices[step.pick % choices.length] as RequestEvent["type"];
  // Leaning steps mostly come from the person who can do them (the requester submits, others approve).
  const byRequester = ["submit", "cancel", "extend", "release"].includes(type);
  const actor = step.lean < 5 ? (byRequester ? alice : step.actor.id === alice.id ? bob : step.actor) : step.actor;
  const isApprover = approvers.has(actor.id);
  const reason = step.reason;
  switch (type) {
    case "precheck":
      return step.blocked === 0
        ? { type, at: t, result: { offered: false, fits: false, shortByVcpus: 0, lines: [], blocking: "not offered" } }
        : { type, at: t, result: { offered: true, fits: true, shortByVcpus: 0, lines: [] } };
    case "submit":
    case "cancel":
      return { type, at: t, actor };
    case "approve":
      return { type, at: t, actor, isApprover, ...(step.hours === undefined ? {} : { hours: step.hours }) };
    case "deny":
    case "extend_deny":
      return { type, at: t, actor, isApprover, reason };
    case "remind_undecided":
      return { type, at: t, escalate: step.flag };
    case "expire_undecided":
    case "act_start":
    case "expire":
      return { type, at: t };
    case "act_done":
    case "reverse_done":
      return { type, at: t, detail: "done" };
    case "act_failed":
      return { type, at: t, error: "boom", needsReversal: step.flag };
    case "reverse_failed":
      return { type, at: t, error: "nope" };
    case "lease_remind":
      return { type, at: t, which: step.which };
    case "extend":
      return { type, at: t, actor, isApprover, hours: step.hours ?? 24 };
    case "extend_approve":
    case "release":
      return { type, at: t, actor, isApprover };
  }
}

const sequenceArb = fc.array(stepArb, { minLength: 1, maxLength: 80, size: "large" });
const specArb = fc.record({ gpus: fc.integer({ min: 1, max: 8 }), hours: fc.integer({ min: 1, max: policy.maxHours }) });

interface Run {
  initial: GpuRequest;
  states: GpuRequest[];
  log: AuditEntry[];
  events: RequestEvent[];
  accepted: RequestEvent[];
}

function run(initialSpec: { gpus: number; hours: number }, steps: Step[]): Run {
  const { request, entry } = fresh({ ...initialSpec, vmCount: initialSpec.gpus }, "start-vms");
  const states = [request];
  const log = [entry];
  const events: RequestEvent[] = [];
  const accepted: RequestEvent[] = [];
  let r = request;
  let clock = 0;
  for (const step of steps) {
    clock += step.gapHours;
    const e = eventFor(step, r.state, at(clock));
    events.push(e);
    const t = transition(r, e, policy);
    if (t.ok) {
      r = t.request;
      log.push(t.entry);
      accepted.push(e);
    } else {
      expect(t.reason.length).toBeGreaterThan(10);
      log.push({ kind: "refused", actor: "actor" in e ? e.actor.id : "gpuops", at: e.at, from: r.state, to: r.state, detail: t.reason });
    }
    states.push(r);
  }
  return { initial: request, states, log, events, accepted };
}

describe("GPU request state machine properties", () => {
  it("never lets the requester approve, or decide, their own request", () => {
    fc.assert(
      fc.property(specArb, sequenceArb, (s, events) => {
        for (const r of run(s, events).states) {
          expect(r.approvals.every((a) => a.by.id !== r.requester.id)).toBe(true);
          expect(r.decision?.by?.id).not.toBe(r.requester.id);
          for (const a of r.approvals) expect(approvers.has(a.by.id)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("makes at most one decision, and only with the approvals the policy needs", () => {
    fc.assert(
      fc.property(specArb, sequenceArb, (s, events) => {
        const { log, states } = run(s, events);
        const decisions = log.filter((e) => e.from === "pending" && e.to !== "pending");
        expect(decisions.length).toBeLessThanOrEqual(1);
        for (const r of states) {
          if (r.decision?.outcome === "approved") {
            expect(r.approvals.length).toBe(r.approvalsNeeded);
            expect(new Set(r.approvals.map((a) => a.by.id)).size).toBe(r.approvals.length);
            expect(r.decision.hours).toBe(Math.min(...r.approvals.map((a) => a.hours)));
          }
        }
        // Once decided, the decision never changes.
        const first = states.find((r) => r.decision)?.decision;
        for (const r of states) if (r.decision) expect(r.decision).toEqual(first);
      }),
      { numRuns: 400 },
    );
  });

  it("keeps terminal states terminal", () => {
    fc.assert(
      fc.property(specArb, sequenceArb, (s, events) => {
        const { states } = run(s, events);
        const i = states.findIndex((r) => TERMINAL_STATES.has(r.state));
        if (i >= 0) for (const r of states.slice(i)) expect(r.state).toBe(states[i]?.state);
      }),
      { numRuns: 400 },
    );
  });

  it("keeps an append-only audit log that chains and replays to the same state", () => {
    fc.assert(
      fc.property(specArb, sequenceArb, (s, events) => {
        const { initial, states, log, accepted } = run(s, events);
        expect(log[0]?.kind).toBe("created");
        expect(log.length).toBe(events.length + 1);
        const changes = log.filter((e) => e.kind !== "refused" && e.kind !== "created");
        expect(changes.length).toBe(accepted.length);
        // Each accepted entry starts where the previous one ended; refusals change nothing.
        let state = initial.state;
        for (const e of log.slice(1)) {
          expect(e.from).toBe(state);
          if (e.kind === "refused") expect(e.to).toBe(e.from);
          state = e.to;
        }
        const last = states[states.length - 1] as GpuRequest;
        expect(state).toBe(last.state);
        const replayed = replay(initial, accepted, policy);
        expect(replayed.request).toEqual(last);
        expect(replayed.entries).toEqual(changes);
        // Times never go backwards in the log.
        for (let i = 1; i < log.length; i++) expect(Date.parse((log[i] as AuditEntry).at)).toBeGreaterThanOrEqual(Date.parse((log[i - 1] as AuditEntry).at));
      }),
      { numRuns: 300 },
    );
  });

  it("holds a lease only after an approval and an action, and never past its end unless extended", () => {
    fc.assert(
      fc.property(specArb, sequenceArb, (s, events) => {
        for (const r of run(s, events).states) {
          if (r.lease) {
            expect(r.decision?.outcome).toBe("approved");
            expect(Date.parse(r.lease.end)).toBeGreaterThan(Date.parse(r.lease.start));
          }
          if (r.state === "expired") expect(Date.parse(r.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.lease?.end ?? ""));
        }
      }),
      { numRuns: 300 },
    );
  });
});

it("explores every state of the lifecycle (the generator reaches deep states)", () => {
  const seen = new Set<string>();
  for (const [s, steps] of fc.sample(fc.tuple(specArb, sequenceArb), { numRuns: 300, seed: 42 })) for (const r of run(s, steps).states) seen.add(r.state);
  expect([...seen].sort()).toEqual([...REQUEST_STATES].sort());
});

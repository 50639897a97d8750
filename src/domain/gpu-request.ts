/**
 * The GPU request lifecycle as a pure state machine, with its policy and lease maths.
 *
 *   created → prechecked → pending ─┬→ approved → acting → active ⇄ reminded / extended → released | expired
 *                                   ├→ denied
 *                                   └→ expired_undecided
 *   (created | prechecked | pending) → cancelled;  acting → failed
 *
 * Every accepted event yields exactly one audit entry; a refused event yields a reason a person
 * can read and changes nothing. The store persists the result with a version check, so of many
 * concurrent clicks exactly one is applied and the rest see the new state and are refused.
 *
 * @example
 * const r = transition(req, { type: "approve", at, actor: bob, isApprover: true }, policy);
 * if (!r.ok) say(r.reason); else save(r.request, r.entry);
 */

export type RequestState =
  | "created"
  | "prechecked"
  | "pending"
  | "approved"
  | "denied"
  | "expired_undecided"
  | "cancelled"
  | "acting"
  | "active"
  | "reminded"
  | "extended"
  | "released"
  | "expired"
  | "failed";

export const REQUEST_STATES: readonly RequestState[] = [
  "created",
  "prechecked",
  "pending",
  "approved",
  "denied",
  "expired_undecided",
  "cancelled",
  "acting",
  "active",
  "reminded",
  "extended",
  "released",
  "expired",
  "failed",
];

/** States nothing leaves (only the bookkeeping of a reverse action is still recorded). */
export const TERMINAL_STATES: ReadonlySet<RequestState> = new Set(["denied", "expired_undecided", "cancelled", "released", "expired", "failed"]);
/** States in which the capacity is held: a lease is running. */
export const LEASE_STATES: ReadonlySet<RequestState> = new Set(["active", "reminded", "extended"]);
/** States still waiting for a person (requester or approvers). */
export const OPEN_STATES: ReadonlySet<RequestState> = new Set(["created", "prechecked", "pending", "approved", "acting", "active", "reminded", "extended"]);

export type ApprovalAction = "none" | "start-vms" | "scale-nodepool" | "quota-request";

export interface Person {
  id: string;
  name?: string;
}

export interface RequestSpec {
  subscriptionId: string;
  region: string;
  /** ARM size name, e.g. "Standard_NC24ads_A100_v4". */
  size: string;
  vmCount: number;
  /** GPUs in total (VMs × GPUs per VM), rounded up for partitioned sizes; drives the policy. */
  gpus: number;
  hours: number;
  reason: string;
  costCenter?: string;
}

/** What the pre-check found, kept on the request for approvers and auditors. */
export interface PrecheckResult {
  offered: boolean;
  fits: boolean;
  /** vCPUs of quota increase needed (0 when it fits). */
  shortByVcpus: number;
  /** A family and new limit to ask Microsoft.Quota for, when it does not fit. */
  quotaFamily?: string;
  quotaTarget?: number;
  /** One line per check, as shown to the requester. */
  lines: string[];
  /** Why the request cannot be submitted at all (size not offered, unknown size). */
  blocking?: string;
  /**
   * Checks Azure could not answer, each "what: why" ("offer: …", "quota: …"). While quota is
   * among them, `fits` and `shortByVcpus` mean nothing and are never shown as a verdict.
   */
  unchecked?: string[];
  estimatedCost?: { amount: number; currency: string };
}

export interface Approval {
  by: Person;
  at: string;
  hours: number;
}

export interface Decision {
  outcome: "approved" | "denied" | "expired";
  /** The approver whose click decided it (absent when it expired undecided). */
  by?: Person;
  at: string;
  /** Lease length granted (approved only). */
  hours?: number;
  reason?: string;
}

export interface Lease {
  start: string;
  end: string;
  /** Reminders already sent for the current end. */
  reminders: LeaseReminder[];
  extensions: number;
}

export type LeaseReminder = "1d" | "1h";

export interface PendingExtension {
  hours: number;
  by: Person;
  at: string;
}

export type Reversal = "none" | "pending" | "done" | "failed";

export interface GpuRequest {
  id: string;
  requester: Person;
  /** Where it was asked: the requester is told here. */
  origin: { platform: string; channelId: string };
  spec: RequestSpec;
  action: ApprovalAction;
  state: RequestState;
  approvalsNeeded: 1 | 2;
  approvals: Approval[];
  precheck?: PrecheckResult;
  decision?: Decision;
  lease?: Lease;
  extension?: PendingExtension;
  reversal?: Reversal;
  undecidedReminders: number;
  escalated: boolean;
  failure?: string;
  /** What the approved action did (started VMs, filed a quota increase, nothing automatic). */
  outcome?: string;
  createdAt: string;
  submittedAt?: string;
  updatedAt: string;
}

export interface RequestPolicy {
  /** Longest lease, in hours, including extensions granted without re-approval. */
  maxHours: number;
  /** More GPUs than this in one request need two approvals. */
  twoApprovalsAboveGpus: number;
  /** Undecided this long → remind the approvers and escalate to the second list. */
  reminderAfterHours: number;
  /** Undecided this long → the request expires. */
  undecidedExpiryHours: number;
}

export const DEFAULT_POLICY: RequestPolicy = { maxHours: 14 * 24, twoApprovalsAboveGpus: 8, reminderAfterHours: 4, undecidedExpiryHours: 72 };

export type RequestEvent =
  | { type: "precheck"; at: string; result: PrecheckResult }
  | { type: "submit"; at: string; actor: Person }
  | { type: "cancel"; at: string; actor: Person }
  | { type: "approve"; at: string; actor: Person; isApprover: boolean; hours?: number; action?: ApprovalAction }
  | { type: "deny"; at: string; actor: Person; isApprover: boolean; reason: string }
  | { type: "remind_undecided"; at: string; escalate: boolean }
  | { type: "expire_undecided"; at: string }
  | { type: "act_start"; at: string }
  | { type: "act_done"; at: string; detail: string }
  | { type: "act_failed"; at: string; error: string; needsReversal: boolean }
  | { type: "lease_remind"; at: string; which: LeaseReminder }
  | { type: "extend"; at: string; actor: Person; isApprover: boolean; hours: number }
  | { type: "extend_approve"; at: string; actor: Person; isApprover: boolean }
  | { type: "extend_deny"; at: string; actor: Person; isApprover: boolean; reason: string }
  | { type: "release"; at: string; actor: Person; isApprover: boolean }
  | { type: "expire"; at: string }
  | { type: "reverse_done"; at: string; detail: string }
  | { type: "reverse_failed"; at: string; error: string };

export type EventType = RequestEvent["type"];

/** One line of the append-only audit log. */
export interface AuditEntry {
  /** The event type; "created" opens the log; "refused" is an attempt that changed nothing. */
  kind: EventType | "created" | "refused";
  /** Person id, or "gpuops" for the bot's own steps (jobs, actions). */
  actor: string;
  actorName?: string;
  at: string;
  from: RequestState;
  to: RequestState;
  detail: string;
}

export type RefusalCode =
  | "self_approval"
  | "not_approver"
  | "already_decided"
  | "already_approved_by_you"
  | "reason_required"
  | "not_shorter"
  | "not_requester"
  | "blocked"
  | "over_cap"
  | "extension_pending"
  | "no_extension"
  | "bad_hours"
  | "illegal";

export type TransitionResult = { ok: true; request: GpuRequest; entry: AuditEntry } | { ok: false; code: RefusalCode; reason: string };

export const BOT_ACTOR = "gpuops";

const HOUR_MS = 3600_000;
const MAX_REASON = 1000;

/** "#12": how people refer to a request. */
export const label = (id: string) => `#${id}`;

/** "2026-03-04 10:42 UTC": a time people can read in any channel. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export const personName = (p: Person | undefined) => (p ? (p.name ?? p.id) : "nobody");

/** GPUs above which two approvals are needed, applied to one request. */
export const approvalsNeeded = (gpus: number, policy: RequestPolicy): 1 | 2 => (gpus > policy.twoApprovalsAboveGpus ? 2 : 1);

export const addHours = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR_MS).toISOString();
export const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR_MS;

export interface NewRequest {
  id: string;
  requester: Person;
  origin: { platform: string; channelId: string };
  spec: RequestSpec;
  action: ApprovalAction;
  at: string;
}

/** Checks a new request against the policy; undefined when fine, else the reason. */
export function validateSpec(spec: RequestSpec, policy: RequestPolicy): string | undefined {
  if (!Number.isInteger(spec.vmCount) || spec.vmCount < 1) return "Ask for at least 1 VM.";
  if (!Number.isInteger(spec.hours) || spec.hours < 1) return "The shortest lease is 1 hour.";
  if (spec.hours > policy.maxHours) return `The longest lease is ${policy.maxHours} hours (${policy.maxHours / 24} days); ask for less, and extend later if needed.`;
  if (spec.reason.trim().length === 0) return "A reason is required: say what the GPUs are for.";
  if (spec.reason.length > MAX_REASON) return `Keep the reason under ${MAX_REASON} characters.`;
  return undefined;
}

/** A new request in state "created", with its creation entry. Throws on a spec the policy refuses (validate first). */
export function createRequest(input: NewRequest, policy: RequestPolicy): { request: GpuRequest; entry: AuditEntry } {
  const problem = validateSpec(input.spec, policy);
  if (problem) throw new RangeError(problem);
  const request: GpuRequest = {
    id: input.id,
    requester: input.requester,
    origin: input.origin,
    spec: input.spec,
    action: input.action,
    state: "created",
    approvalsNeeded: approvalsNeeded(input.spec.gpus, policy),
    approvals: [],
    undecidedReminders: 0,
    escalated: false,
    createdAt: input.at,
    updatedAt: input.at,
  };
  const entry: AuditEntry = { kind: "created", actor: input.requester.id, at: input.at, from: "created", to: "created", detail: describeSpec(input.spec) };
  if (input.requester.name !== undefined) entry.actorName = input.requester.name;
  return { request, entry };
}

/** "2 × Standard_NC24ads_A100_v4 (2 GPUs) in swedencentral for 72 h: <reason>". */
export function describeSpec(spec: RequestSpec): string {
  return `${spec.vmCount} × ${spec.size} (${spec.gpus} GPU${spec.gpus === 1 ? "" : "s"}) in ${spec.region} for ${spec.hours} h${spec.costCenter ? ` [cost center ${spec.costCenter}]` : ""}: ${spec.reason}`;
}

const STATE_WORDS: Record<RequestState, string> = {
  created: "being checked",
  prechecked: "checked but not submitted",
  pending: "waiting for approval",
  approved: "approved, action starting",
  denied: "denied",
  expired_undecided: "expired without a decision",
  cancelled: "cancelled",
  acting: "approved, action running",
  active: "active (lease running)",
  reminded: "active (lease ending soon)",
  extended: "active (lease extended)",
  released: "released",
  expired: "expired (lease over)",
  failed: "approved but the action failed",
};

export const stateWords = (s: RequestState) => STATE_WORDS[s];

const refuse = (code: RefusalCode, reason: string): TransitionResult => ({ ok: false, code, reason });

function illegal(req: GpuRequest, what: string): TransitionResult {
  if (req.decision && (what === "approved" || what === "denied")) {
    const d = req.decision;
    const who = d.by ? ` by ${personName(d.by)}` : "";
    return refuse("already_decided", `Request ${label(req.id)} was already ${d.outcome === "expired" ? "closed (it expired undecided)" : d.outcome}${who} at ${formatTime(d.at)}.`);
  }
  return refuse("illegal", `Request ${label(req.id)} is ${stateWords(req.state)}, so it can't be ${what} now.`);
}

/** What a pre-check found, in words for the audit log: a check Azure did not answer is said to be unknown, never guessed. */
export function precheckVerdict(p: PrecheckResult): string {
  const unchecked = p.unchecked ?? [];
  const quotaUnknown = unchecked.find((u) => u.startsWith("quota:"));
  const offerUnknown = unchecked.find((u) => u.startsWith("offer:"));
  const parts: string[] = [];
  if (offerUnknown) parts.push(`whether the size is offered is unknown (${offerUnknown.slice("offer:".length).trim()})`);
  if (quotaUnknown) parts.push(`quota is unknown (${quotaUnknown.slice("quota:".length).trim()})`);
  else parts.push(p.fits ? "fits quota" : `needs a quota increase of ${p.shortByVcpus} vCPUs`);
  return parts.join("; ");
}

/**
 * Applies one event. Pure: returns the next request and its audit entry, or a refusal with a
 * reason for the person who tried. Identity and roles come in the event (the caller resolves
 * approver membership); the rules about who may do what live here.
 */
export function transition(req: GpuRequest, event: RequestEvent, policy: RequestPolicy): TransitionResult {
  const next = (to: RequestState, patch: Partial<GpuRequest>, detail: string, actor?: Person): TransitionResult => {
    const request: GpuRequest = { ...req, ...patch, state: to, updatedAt: event.at };
    const entry: AuditEntry = { kind: event.type, actor: actor?.id ?? BOT_ACTOR, at: event.at, from: req.state, to, detail };
    if (actor?.name !== undefined) entry.actorName = actor.name;
    return { ok: true, request, entry };
  };
  const isRequester = (p: Person) => p.id === req.requester.id;

  switch (event.type) {
    case "precheck": {
      if (req.state !== "created" && req.state !== "prechecked") return illegal(req, "re-checked");
      const fit = event.result.blocking ?? precheckVerdict(event.result);
      return next("prechecked", { precheck: event.result }, fit);
    }
    case "submit": {
      if (req.state !== "prechecked") return illegal(req, "submitted");
      if (!isRequester(event.actor)) return refuse("not_requester", `Only ${personName(req.requester)}, who asked, can submit request ${label(req.id)}.`);
      if (req.precheck?.blocking) return refuse("blocked", `Request ${label(req.id)} can't be submitted: ${req.precheck.blocking}`);
      return next("pending", { submittedAt: event.at }, `sent for ${req.approvalsNeeded === 2 ? "two approvals" : "approval"}`, event.actor);
    }
    case "cancel": {
      if (!["created", "prechecked", "pending"].includes(req.state)) return illegal(req, "cancelled");
      if (!isRequester(event.actor)) return refuse("not_requester", `Only ${personName(req.requester)}, who asked, can cancel request ${label(req.id)}; approvers deny instead.`);
      return next("cancelled", {}, "cancelled by the requester", event.actor);
    }
    case "approve": {
      if (req.state !== "pending") return illegal(req, "approved");
      if (isRequester(event.actor)) return refuse("self_approval", `You asked for request ${label(req.id)}, so you can't approve it: another approver has to.`);
      if (!event.isApprover) return refuse("not_approver", `Only the configured GPU approvers can approve request ${label(req.id)}, and you are not one of them.`);
      if (req.approvals.some((a) => a.by.id === event.actor.id)) {
        return refuse("already_approved_by_you", `You already approved request ${label(req.id)}; it needs a second, different approver.`);
      }
      const hours = event.hours ?? req.spec.hours;
      if (!Number.isInteger(hours) || hours < 1) return refuse("bad_hours", "The approved time must be at least 1 hour.");
      if (hours > req.spec.hours) return refuse("not_shorter", `The approved time can't be longer than the ${req.spec.hours} h asked for.`);
      const approvals = [...req.approvals, { by: event.actor, at: event.at, hours }];
      const patch: Partial<GpuRequest> = { approvals };
      if (event.action) patch.action = event.action;
      const shorter = hours < req.spec.hours ? ` for ${hours} h (shorter than asked)` : "";
      if (approvals.length < req.approvalsNeeded) {
        return next("pending", patch, `first of two approvals${shorter}`, event.actor);
      }
      const granted = Math.min(...approvals.map((a) => a.hours));
      patch.decision = { outcome: "approved", by: event.actor, at: event.at, hours: granted };
      return next("approved", patch, `approved${shorter}${event.action ? `, action ${event.action}` : ""}`, event.actor);
    }
    case "deny": {
      if (req.state !== "pending") return illegal(req, "denied");
      if (isRequester(event.actor)) return refuse("self_approval", `You asked for request ${label(req.id)}; cancel it instead of denying it.`);
      if (!event.isApprover) return refuse("not_approver", `Only the configured GPU approvers can deny request ${label(req.id)}, and you are not one of them.`);
      const reason = event.reason.trim();
      if (reason.length === 0) return refuse("reason_required", "A reason is required to deny a request, so the requester knows what to change.");
      if (reason.length > MAX_REASON) return refuse("reason_required", `Keep the reason under ${MAX_REASON} characters.`);
      return next("denied", { decision: { outcome: "denied", by: event.actor, at: event.at, reason } }, `denied: ${reason}`, event.actor);
    }
    case "remind_undecided": {
      if (req.state !== "pending") return illegal(req, "reminded");
      return next(
        "pending",
        { undecidedReminders: req.undecidedReminders + 1, escalated: req.escalated || event.escalate },
        event.escalate ? "no decision yet: approvers reminded, escalated" : "no decision yet: approvers reminded",
      );
    }
    case "expire_undecided": {
      if (req.state !== "pending") return illegal(req, "expired");
      return next("expired_undecided", { decision: { outcome: "expired", at: event.at } }, "no decision in time");
    }
    case "act_start": {
      if (req.state !== "approved") return illegal(req, "acted on");
      return next("acting", {}, `action ${req.action} started`);
    }
    case "act_done": {
      if (req.state !== "acting") return illegal(req, "marked as done");
      const hours = req.decision?.hours ?? req.spec.hours;
      const lease: Lease = { start: event.at, end: addHours(event.at, hours), reminders: [], extensions: 0 };
      return next("active", { lease, outcome: event.detail }, `${event.detail}; lease until ${formatTime(lease.end)}`);
    }
    case "act_failed": {
      if (req.state !== "acting" && req.state !== "approved") return illegal(req, "marked as failed");
      return next("failed", { failure: event.error, reversal: event.needsReversal ? "pending" : "none" }, `action failed: ${event.error}`);
    }
    case "lease_remind": {
      if (!LEASE_STATES.has(req.state) || !req.lease) return illegal(req, "reminded");
      if (req.lease.reminders.includes(event.which)) return refuse("illegal", `The ${event.which} reminder for request ${label(req.id)} was already sent.`);
      const lease = { ...req.lease, reminders: [...req.lease.reminders, event.which] };
      return next("reminded", { lease }, `lease ends ${formatTime(req.lease.end)} (${event.which} reminder)`);
    }
    case "extend": {
      if (!LEASE_STATES.has(req.state) || !req.lease) return illegal(req, "extended");
      if (!isRequester(event.actor) && !event.isApprover) return refuse("not_requester", `Only ${personName(req.requester)} or an approver can extend request ${label(req.id)}.`);
      if (req.extension) return refuse("extension_pending", `An extension of request ${label(req.id)} is already waiting for approval.`);
      if (!Number.isInteger(event.hours) || event.hours < 1) return refuse("bad_hours", "Extend by at least 1 hour.");
      const total = hoursBetween(req.lease.start, req.lease.end) + event.hours;
      // Within the cap the requester extends alone; above it an approver (not the requester) must agree.
      if (total <= policy.maxHours || (event.isApprover && !isRequester(event.actor))) {
        return next("extended", { lease: extendLease(req.lease, event.hours) }, `extended by ${event.hours} h`, event.actor);
      }
      return next(
        req.state,
        { extension: { hours: event.hours, by: event.actor, at: event.at } },
        `extension by ${event.hours} h asked: over the ${policy.maxHours} h cap, needs approval`,
        event.actor,
      );
    }
    case "extend_approve": {
      if (!LEASE_STATES.has(req.state) || !req.lease) return illegal(req, "extended");
      if (!req.extension) return refuse("no_extension", `No extension of request ${label(req.id)} is waiting for approval.`);
      if (isRequester(event.actor)) return refuse("self_approval", `You asked for request ${label(req.id)}, so you can't approve its extension.`);
      if (!event.isApprover) return refuse("not_approver", `Only the configured GPU approvers can approve an extension, and you are not one of them.`);
      return withoutExtension(next("extended", { lease: extendLease(req.lease, req.extension.hours) }, `extension by ${req.extension.hours} h approved`, event.actor));
    }
    case "extend_deny": {
      if (!LEASE_STATES.has(req.state) || !req.extension) return refuse("no_extension", `No extension of request ${label(req.id)} is waiting for approval.`);
      if (isRequester(event.actor)) return refuse("self_approval", `You asked for request ${label(req.id)}, so you can't decide its extension.`);
      if (!event.isApprover) return refuse("not_approver", `Only the configured GPU approvers can deny an extension, and you are not one of them.`);
      const reason = event.reason.trim();
      if (!reason) return refuse("reason_required", "A reason is required to deny an extension.");
      return withoutExtension(next(req.state, {}, `extension denied: ${reason}`, event.actor));
    }
    case "release": {
      if (!LEASE_STATES.has(req.state)) return illegal(req, "released");
      if (!isRequester(event.actor) && !event.isApprover) return refuse("not_requester", `Only ${personName(req.requester)} or an approver can release request ${label(req.id)}.`);
      return withoutExtension(next("released", { reversal: reversalFor(req.action) }, "released early", event.actor));
    }
    case "expire": {
      if (!LEASE_STATES.has(req.state) || !req.lease) return illegal(req, "expired");
      if (Date.parse(event.at) < Date.parse(req.lease.end)) return refuse("illegal", `The lease of request ${label(req.id)} runs until ${formatTime(req.lease.end)}.`);
      return withoutExtension(next("expired", { reversal: reversalFor(req.action) }, `lease ended ${formatTime(req.lease.end)}`));
    }
    case "reverse_done":
    case "reverse_failed": {
      if (req.reversal !== "pending") return refuse("illegal", `Request ${label(req.id)} has nothing to undo.`);
      return next(req.state, { reversal: event.type === "reverse_done" ? "done" : "failed" }, event.type === "reverse_done" ? event.detail : `undo failed: ${event.error}`);
    }
  }
}

function withoutExtension(r: TransitionResult): TransitionResult {
  if (r.ok) delete r.request.extension;
  return r;
}

const reversalFor = (action: ApprovalAction): Reversal => (action === "start-vms" || action === "scale-nodepool" ? "pending" : "none");

function extendLease(lease: Lease, hours: number): Lease {
  return { start: lease.start, end: addHours(lease.end, hours), reminders: [], extensions: lease.extensions + 1 };
}

/** The lease reminder due now, if any: 1 day before the end (leases longer than a day) and 1 hour before. */
export function dueLeaseReminder(lease: Lease, now: string): LeaseReminder | undefined {
  const left = hoursBetween(now, lease.end);
  if (left <= 0) return undefined;
  if (left <= 1) return lease.reminders.includes("1h") ? undefined : "1h";
  const length = hoursBetween(lease.start, lease.end);
  if (left <= 24 && length > 24 && !lease.reminders.includes("1d") && !lease.reminders.includes("1h")) return "1d";
  return undefined;
}

/** What the clock asks of a request now: a reminder, an expiry, or nothing. */
export function dueEvent(req: GpuRequest, now: string, policy: RequestPolicy, opts: { canEscalate: boolean }): RequestEvent | undefined {
  if (req.state === "pending" && req.submittedAt) {
    const age = hoursBetween(req.submittedAt, now);
    if (age >= policy.undecidedExpiryHours) return { type: "expire_undecided", at: now };
    if (age >= policy.reminderAfterHours && req.undecidedReminders === 0) return { type: "remind_undecided", at: now, escalate: opts.canEscalate };
    return undefined;
  }
  if (LEASE_STATES.has(req.state) && req.lease) {
    if (Date.parse(now) >= Date.parse(req.lease.end)) return { type: "expire", at: now };
    const which = dueLeaseReminder(req.lease, now);
    if (which) return { type: "lease_remind", at: now, which };
  }
  return undefined;
}

/** When the clock next has something to do for this request (for schedulers that sleep). */
export function nextDueAt(req: GpuRequest, policy: RequestPolicy): string | undefined {
  if (req.state === "pending" && req.submittedAt) {
    return req.undecidedReminders === 0 ? addHours(req.submittedAt, policy.reminderAfterHours) : addHours(req.submittedAt, policy.undecidedExpiryHours);
  }
  if (LEASE_STATES.has(req.state) && req.lease) {
    const { lease } = req;
    const candidates = [lease.end];
    if (!lease.reminders.includes("1h")) candidates.push(addHours(lease.end, -1));
    if (!lease.reminders.includes("1d") && hoursBetween(lease.start, lease.end) > 24) candidates.push(addHours(lease.end, -24));
    return candidates.sort()[0];
  }
  return undefined;
}

/**
 * Replays a log of events from a created request; refused events are skipped. The audit log is
 * consistent with the state when replaying the accepted events reproduces it.
 */
export function replay(initial: GpuRequest, events: RequestEvent[], policy: RequestPolicy): { request: GpuRequest; entries: AuditEntry[] } {
  let request = initial;
  const entries: AuditEntry[] = [];
  for (const e of events) {
    const r = transition(request, e, policy);
    if (r.ok) {
      request = r.request;
      entries.push(r.entry);
    }
  }
  return { request, entries };
}

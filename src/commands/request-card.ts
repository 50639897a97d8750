/**
 * How a GPU request looks wherever it is shown: the requester's pre-check (Submit / Cancel),
 * the approvers' card (Approve / Approve for a shorter time / Deny, then who decided and when),
 * lease reminders (Extend / Release now) and the one-line status used in lists. Buttons carry ids
 * only; everything else is read back from the store when clicked.
 */
import { compactHours, formatHours } from "../domain/duration.ts";
import { type Approval, formatTime, type GpuRequest, label, personName, stateWords } from "../domain/gpu-request.ts";
import { type Action, type Fact, facts, type Part, type Reply, reply, text } from "../reply/reply.ts";
import { regionLabel, shortSize } from "./format.ts";

export const VERBS = {
  submit: "request.submit",
  cancel: "request.cancel",
  approve: "request.approve",
  shorter: "request.shorter",
  deny: "request.deny",
  extend: "request.extend",
  extendApprove: "request.extend_approve",
  extendDeny: "request.extend_deny",
  release: "request.release",
} as const;

const idPayload = (r: GpuRequest) => ({ id: r.id });

export function specFacts(r: GpuRequest): Fact[] {
  const s = r.spec;
  const f: Fact[] = [
    { label: "Asked by", value: personName(r.requester) },
    { label: "What", value: `${s.vmCount} × ${shortSize(s.size)} (${s.gpus} GPU${s.gpus === 1 ? "" : "s"})` },
    { label: "Where", value: regionLabel(s.region) },
    { label: "For", value: formatHours(s.hours) },
    { label: "Why", value: s.reason },
  ];
  if (s.costCenter) f.push({ label: "Cost center", value: s.costCenter });
  f.push({ label: "On approval", value: actionWords(r.action) });
  return f;
}

export function actionWords(action: GpuRequest["action"]): string {
  switch (action) {
    case "none":
      return "record it and tell the infra channel";
    case "start-vms":
      return "start pre-provisioned VMs from the pool";
    case "scale-nodepool":
      return "scale the AKS GPU node pool";
    case "quota-request":
      return "file a Microsoft.Quota increase";
  }
}

function precheckParts(r: GpuRequest): Part[] {
  const p = r.precheck;
  if (!p) return [];
  const parts: Part[] = [facts(p.lines.map((line) => ({ label: line.split(":")[0] ?? "Check", value: line.slice(line.indexOf(":") + 1).trim() })))];
  const unknown = (p.unchecked ?? []).map((u) => (u.startsWith("quota:") ? "quota" : u.startsWith("offer:") ? "whether the size is offered" : u.split(":")[0]));
  if (p.blocking) parts.push(text(p.blocking, "error"));
  else if (unknown.length)
    parts.push(
      text(`Not fully pre-checked: Azure could not tell ${unknown.join(" or ")}, so it is unknown whether this fits. Approving means deciding without that check.`, "warning"),
    );
  else if (!p.fits && p.shortByVcpus > 0)
    parts.push(text(`Does not fit quota: needs a quota increase of ${p.shortByVcpus} vCPUs. Approvers can approve it with a Microsoft.Quota request.`, "warning"));
  return parts;
}

/** The requester's view right after asking: the pre-check, and Submit / Cancel. */
export function precheckReply(r: GpuRequest, context: string[] = []): Reply {
  const parts: Part[] = [facts(specFacts(r)), ...precheckParts(r)];
  const needs = r.approvalsNeeded === 2 ? "two approvals" : "one approval";
  if (r.state === "prechecked" && !r.precheck?.blocking) {
    parts.push(text(`Nothing is sent to approvers until you submit. This request needs ${needs}.`));
    parts.push({
      kind: "actions",
      actions: [
        { verb: VERBS.submit, label: "Submit", style: "primary", payload: idPayload(r) },
        { verb: VERBS.cancel, label: "Cancel", payload: idPayload(r) },
      ],
    });
  }
  return reply(`GPU request ${label(r.id)}: pre-check`, parts, { context });
}

function approvalsLine(approvals: Approval[]): string {
  return approvals.map((a) => `${personName(a.by)} at ${formatTime(a.at)}${a.hours ? ` (${formatHours(a.hours)})` : ""}`).join("; ");
}

/** The decision (or state) in one sentence: "Approved by bob at 2026-03-02 10:00 UTC for 3 days". */
export function decisionLine(r: GpuRequest): string {
  const d = r.decision;
  if (!d) {
    if (r.state === "cancelled") return `Cancelled by ${personName(r.requester)} at ${formatTime(r.updatedAt)}.`;
    if (r.state === "pending" && r.approvals.length > 0) return `1 of 2 approvals: ${approvalsLine(r.approvals)}. Waiting for a second approver.`;
    return `Status: ${stateWords(r.state)}.`;
  }
  if (d.outcome === "denied") return `Denied by ${personName(d.by)} at ${formatTime(d.at)}: ${d.reason ?? ""}`;
  if (d.outcome === "expired") return `Closed at ${formatTime(d.at)}: no decision in time.`;
  const shorter = d.hours !== undefined && d.hours < r.spec.hours ? ` for ${formatHours(d.hours)} (asked ${formatHours(r.spec.hours)})` : "";
  return `Approved by ${r.approvals.length > 1 ? approvalsLine(r.approvals) : `${personName(d.by)} at ${formatTime(d.at)}`}${shorter}.`;
}

function leaseLine(r: GpuRequest): string | undefined {
  if (!r.lease) return undefined;
  switch (r.state) {
    case "released":
      return `Released at ${formatTime(r.updatedAt)} (lease was until ${formatTime(r.lease.end)}).`;
    case "expired":
      return `Lease ended at ${formatTime(r.lease.end)}.`;
    default:
      return `Lease until ${formatTime(r.lease.end)}${r.lease.extensions ? ` (extended ${r.lease.extensions}×)` : ""}.`;
  }
}

/** The approvers' card; buttons only while a decision is open. */
export function approverReply(r: GpuRequest, opts: { escalatedTo?: string[] } = {}): Reply {
  const parts: Part[] = [facts(specFacts(r)), ...precheckParts(r)];
  const decided = r.state !== "pending";
  parts.push(text(decisionLine(r), r.decision?.outcome === "approved" ? "success" : r.decision ? "warning" : "info"));
  const lease = leaseLine(r);
  if (lease) parts.push(text(lease));
  if (r.outcome) parts.push(text(`What happened: ${r.outcome}.`, "success"));
  if (r.failure) parts.push(text(`The action failed: ${r.failure}`, "error"));
  if (!decided) {
    const actions: Action[] = [
      { verb: VERBS.approve, label: "Approve", style: "primary", payload: idPayload(r) },
      { verb: VERBS.shorter, label: "Approve for a shorter time", payload: idPayload(r) },
      { verb: VERBS.deny, label: "Deny", style: "danger", payload: idPayload(r) },
    ];
    // A request that does not fit quota can be approved together with a quota increase.
    if (r.precheck && !r.precheck.fits && r.precheck.quotaFamily && r.action !== "quota-request") {
      actions.splice(1, 0, { verb: VERBS.approve, label: "Approve + request quota", payload: { id: r.id, action: "quota-request" } });
    }
    parts.push({ kind: "actions", actions });
  }
  if (r.extension) {
    parts.push(text(`${personName(r.extension.by)} asks to extend by ${formatHours(r.extension.hours)}: that goes past the lease cap, so an approver must agree.`, "warning"));
    parts.push({
      kind: "actions",
      actions: [
        { verb: VERBS.extendApprove, label: "Approve extension", style: "primary", payload: idPayload(r) },
        { verb: VERBS.extendDeny, label: "Deny extension", style: "danger", payload: idPayload(r) },
      ],
    });
  }
  const context = [`Needs ${r.approvalsNeeded === 2 ? "two approvals" : "one approval"}; the requester cannot approve their own request.`];
  if (opts.escalatedTo?.length) context.push(`Escalated to ${opts.escalatedTo.join(", ")}.`);
  return reply(`GPU request ${label(r.id)} from ${personName(r.requester)}`, parts, { context });
}

/** The requester's view after submitting, and the message they get when it is decided. */
export function requesterUpdate(r: GpuRequest, where: string | undefined): Reply {
  const parts: Part[] = [facts(specFacts(r))];
  if (r.state === "pending") parts.push(text(where ? `Sent to the approvers in ${where}. You will hear here when it is decided.` : "Waiting for approval.", "info"));
  else parts.push(text(decisionLine(r), r.decision?.outcome === "approved" ? "success" : "warning"));
  return reply(`GPU request ${label(r.id)}: ${stateWords(r.state)}`, parts);
}

/**
 * The requester's card once the approved action ran: says what happened in the title (no
 * automatic action, VMs started, node pool scaled, quota increase filed, or the failure), so
 * "ready" is never said when nothing was provisioned.
 */
export function outcomeReply(r: GpuRequest): Reply {
  const parts: Part[] = [facts(specFacts(r)), text(decisionLine(r), r.state === "failed" ? "warning" : "success")];
  const until = r.lease ? ` Your lease runs until ${formatTime(r.lease.end)}; you'll be reminded a day and an hour before.` : "";
  let title: string;
  if (r.state === "failed") {
    title = `GPU request ${label(r.id)}: approved, but the action failed`;
    parts.push(text(`${r.failure ?? "The action failed."}${r.reversal === "pending" ? " What was started is being undone." : ""} The approvers were told.`, "error"));
    return reply(title, parts);
  }
  const detail = r.outcome ?? "";
  switch (r.action) {
    case "none":
      title = `GPU request ${label(r.id)} approved: no automatic action`;
      parts.push(text(`Nothing was provisioned automatically: the approvers' channel was asked to provision it by hand.${until}`, "info"));
      break;
    case "start-vms":
      title = `GPU request ${label(r.id)}: VMs started`;
      parts.push(text(`${capitalise(detail)}.${until}`, "success"));
      break;
    case "scale-nodepool":
      title = `GPU request ${label(r.id)}: node pool scaled`;
      parts.push(text(`${capitalise(detail)}.${until}`, "success"));
      break;
    case "quota-request":
      title = /no increase was needed/.test(detail) ? `GPU request ${label(r.id)} approved: quota already fits` : `GPU request ${label(r.id)}: quota increase filed`;
      parts.push(text(`${capitalise(detail)}. Nothing was started: start the VMs once the quota is there.${until}`, "info"));
      break;
  }
  return reply(title, parts);
}

const capitalise = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);

/** Shorter times an approver can pick: half, a day, 12 h, 4 h: each shorter than asked. */
export function shorterOptions(hours: number): number[] {
  const candidates = [Math.floor(hours / 2), 72, 24, 12, 4, 1];
  return [...new Set(candidates.filter((h) => h >= 1 && h < hours))].sort((a, b) => b - a).slice(0, 4);
}

export function shorterReply(r: GpuRequest): Reply {
  const options = shorterOptions(r.spec.hours);
  if (options.length === 0) return reply(`GPU request ${label(r.id)}`, [text("It asks for 1 hour already; there is nothing shorter to approve.")]);
  return reply(`Approve ${label(r.id)} for a shorter time`, [
    text(`Asked for ${formatHours(r.spec.hours)}. Approve for:`),
    { kind: "actions", actions: options.map((h) => ({ verb: VERBS.approve, label: formatHours(h), payload: { id: r.id, hours: h } })) },
  ]);
}

/** Extend choices offered with a lease reminder: a day, and the original length when different. */
export function extendOptions(r: GpuRequest): number[] {
  return [...new Set([24, r.decision?.hours ?? r.spec.hours])].filter((h) => h >= 1).sort((a, b) => a - b);
}

export function leaseReminderReply(r: GpuRequest, which: "1d" | "1h"): Reply {
  const end = r.lease ? formatTime(r.lease.end) : "soon";
  return reply(`GPU request ${label(r.id)}: lease ends ${which === "1d" ? "in 1 day" : "in 1 hour"}`, [
    text(
      `${r.spec.vmCount} × ${shortSize(r.spec.size)} in ${r.spec.region}: the lease ends at ${end}.${r.action === "start-vms" || r.action === "scale-nodepool" ? " The capacity is then given back." : ""}`,
    ),
    {
      kind: "actions",
      actions: [
        ...extendOptions(r).map((h): Action => ({ verb: VERBS.extend, label: `Extend ${formatHours(h)}`, payload: { id: r.id, hours: h } })),
        { verb: VERBS.release, label: "Release now", style: "danger", payload: idPayload(r) },
      ],
    },
  ]);
}

/** "#12 · 2 × NC24ads_A100_v4 · swedencentral · 3d · pending". */
export function summaryRow(r: GpuRequest): Record<string, string> {
  return {
    id: label(r.id),
    requester: personName(r.requester),
    what: `${r.spec.vmCount} × ${shortSize(r.spec.size)}`,
    where: r.spec.region,
    duration: compactHours(r.spec.hours),
    state: stateWords(r.state),
    until: r.lease ? formatTime(r.lease.end) : "",
  };
}

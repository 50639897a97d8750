/**
 * `request <n> <size|gpu> in <region> for <duration> -- <reason>`: ask for GPUs. The requester
 * sees the pre-check first (Submit / Cancel); submitting posts the request to the approvers'
 * channel with Approve / Approve for a shorter time / Deny. The same steps are text commands
 * (`request approve <id>`, `request deny <id> -- <reason>`, ...) for the terminal and the console.
 *
 * Buttons carry ids only (zod-validated); who may do what is decided by the state machine in
 * src/domain/gpu-request.ts with the clicker's identity, and every attempt lands in the audit log.
 */
import { z } from "zod";
import { formatHours, parseDuration } from "../domain/duration.ts";
import { createRequest, formatTime, type GpuRequest, label, type Person, personName, validateSpec } from "../domain/gpu-request.ts";
import type { ErrorCode } from "../errors.ts";
import { type Reply, reply, text, userError } from "../reply/reply.ts";
import type { RequestsPort, StoredRequest } from "../services/ports.ts";
import { type ActionRequest, type ActionResult, type AnyActionHandler, action } from "./actions.ts";
import { approverReply, precheckReply, requesterUpdate, shorterReply, VERBS } from "./request-card.ts";
import { applyEvent, isApprover, postInThread, postToApprovers, refreshApprovers, tellRequester, updateRequesterCard } from "./request-flow.ts";
import { cleanReason, DURATION_HINT, parseRequest, REQUEST_EXAMPLE } from "./request-parse.ts";
import { precheck } from "./request-precheck.ts";
import type { CommandContext, CommandRequest, Verb } from "./types.ts";

const NO_STORE = userError(
  "requests_unavailable",
  "GPU requests need the gpuops server and its store (this one-shot CLI run has none). Ask in Slack, Teams or the local console (`npm start`).",
  "gpuops requests export (on the server's data), or npm start",
);

const person = (a: { id: string; name?: string }): Person => (a.name !== undefined ? { id: a.id, name: a.name } : { id: a.id });

/** A request id as typed: "12" or "#12". */
function readId(token: string | undefined): string | undefined {
  const m = /^#?(\d{1,12})$/.exec(token ?? "");
  return m ? String(Number(m[1])) : undefined;
}

/** Who is acting and where: the same for a button and a typed command. */
interface Who {
  actor: Person;
  platform: string;
  /** The message the click sits on, when it came from a button. */
  message?: ActionRequest["message"];
}

const refused = (code: ErrorCode, reason: string): ActionResult => ({ ephemeral: userError(code, reason) });

async function newRequest(args: string[], req: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const port = ctx.services.requests;
  if (!port) return NO_STORE;
  const parsed = parseRequest(args, req.text);
  if (!parsed.ok) return userError(parsed.code, parsed.problem, parsed.example);
  const p = parsed.request;
  if (p.hours > port.policy.maxHours) {
    return userError(
      "over_cap",
      `The longest lease is ${formatHours(port.policy.maxHours)}; you asked for ${formatHours(p.hours)}. Ask for less and extend later if you need to.`,
      REQUEST_EXAMPLE.replace("3d", `${Math.floor(port.policy.maxHours / 24)}d`),
    );
  }
  const subs = await ctx.services.scope.subscriptions();
  const sub =
    (port.subscriptionId ? subs.find((s) => s.id === port.subscriptionId) : undefined) ?? (port.subscriptionId ? { id: port.subscriptionId, name: port.subscriptionId } : subs[0]);
  if (!sub) return userError("no_scope", "No Azure subscription is in scope, so there is nowhere to run GPUs.", "set AZURE_SUBSCRIPTION_IDS");
  const checked = await precheck(p, sub, ctx.services, port.policy);
  const problem = validateSpec(checked.spec, port.policy);
  if (problem) return userError("bad_request", problem, REQUEST_EXAMPLE);
  const at = ctx.now().toISOString();
  const requester = person(req.actor);
  const created = await port.store.create((id) =>
    createRequest({ id, requester, origin: { platform: req.channel.platform, channelId: req.channel.id }, spec: checked.spec, action: port.action, at }, port.policy),
  );
  const applied = await applyEvent(port, created.request.id, () => ({ type: "precheck", at, result: checked.result }));
  const r = applied.ok ? applied.stored.request : created.request;
  const context = [`Subscription ${sub.name}.`];
  if (checked.result.blocking) context.push("Fix the size or region and ask again; nothing was sent to approvers.");
  return precheckReply(r, context);
}

async function submit(port: RequestsPort, id: string, who: Who, ctx: CommandContext): Promise<ActionResult> {
  const applied = await applyEvent(port, id, () => ({ type: "submit", at: ctx.now().toISOString(), actor: who.actor }));
  if (!applied.ok) return refused(applied.code, applied.reason);
  const posted = await postToApprovers(port, applied.stored, ctx.log);
  // The message the requester clicked Submit on is their card from now on: decisions edit it.
  if (who.message) {
    const messages = { ...applied.stored.messages, requester: who.message };
    await port.store.setMessages(id, messages).catch((err) => ctx.log.warn({ err }, "GPU request: could not remember the requester's card"));
    applied.stored.messages = messages;
  }
  const where = posted ? `${posted.platform} channel ${posted.channelId}` : undefined;
  const result: ActionResult = { update: requesterUpdate(applied.stored.request, where) };
  if (!posted) {
    result.ephemeral = reply(`GPU request ${label(id)} is waiting for approval`, [
      text(
        `${["slack", "teams", "console"].includes(who.platform) ? `No approvers' channel is configured for ${who.platform} (set GPUOPS_${who.platform.toUpperCase()}_APPROVAL_CHANNEL)` : "Requests made here are not posted to any approvers' channel"}, so nobody was notified. An approver can decide with \`request approve ${id}\` or \`request deny ${id} -- <reason>\`.`,
        "warning",
      ),
    ]);
  }
  return result;
}

async function cancel(port: RequestsPort, id: string, who: Who, ctx: CommandContext): Promise<ActionResult> {
  const applied = await applyEvent(port, id, () => ({ type: "cancel", at: ctx.now().toISOString(), actor: who.actor }));
  if (!applied.ok) return refused(applied.code, applied.reason);
  await refreshApprovers(port, applied.stored, { log: ctx.log });
  return { update: reply(`GPU request ${label(id)}: cancelled`, [text("Cancelled; nothing was sent or started.")]) };
}

/** The clicked message is the approvers' card: the door updates it for everyone, we update the rest. */
function clickedCard(stored: StoredRequest, who: Who): boolean {
  const m = stored.messages.approvers;
  return !!(m && who.message && m.platform === who.message.platform && m.messageId === who.message.messageId);
}

async function decided(port: RequestsPort, stored: StoredRequest, who: Who, ctx: CommandContext, clickerText: string): Promise<ActionResult> {
  const r = stored.request;
  await refreshApprovers(port, stored, { skip: who.message, log: ctx.log });
  // Approved: the action follows at once and its outcome is what the requester hears (one
  // message); until then only an existing card is edited. Denied: told now.
  if (r.state === "approved") await updateRequesterCard(port, stored, requesterUpdate(r, undefined), ctx.log, { postIfMissing: false });
  else if (r.state !== "pending") await updateRequesterCard(port, stored, requesterUpdate(r, undefined), ctx.log);
  if (r.state === "approved") port.kick(r.id);
  const result: ActionResult = { ephemeral: reply(`GPU request ${label(r.id)}`, [text(clickerText, "success")]) };
  if (clickedCard(stored, who)) result.update = approverReply(r);
  return result;
}

async function approve(port: RequestsPort, id: string, who: Who, ctx: CommandContext, opts: { hours?: number; action?: GpuRequest["action"] }): Promise<ActionResult> {
  const approver = await isApprover(port, who.platform, who.actor.id);
  const applied = await applyEvent(port, id, () => ({
    type: "approve",
    at: ctx.now().toISOString(),
    actor: who.actor,
    isApprover: approver,
    ...(opts.hours !== undefined ? { hours: opts.hours } : {}),
    ...(opts.action !== undefined ? { action: opts.action } : {}),
  }));
  if (!applied.ok) return refused(applied.code, applied.reason);
  const r = applied.stored.request;
  const what =
    r.state === "approved"
      ? `You approved ${label(id)}${r.decision?.hours !== r.spec.hours ? ` for ${formatHours(r.decision?.hours ?? 0)}` : ""}.`
      : `You approved ${label(id)}; it needs one more approver.`;
  return decided(port, applied.stored, who, ctx, what);
}

async function deny(port: RequestsPort, id: string, who: Who, ctx: CommandContext, reason: string): Promise<ActionResult> {
  const approver = await isApprover(port, who.platform, who.actor.id);
  const applied = await applyEvent(port, id, () => ({ type: "deny", at: ctx.now().toISOString(), actor: who.actor, isApprover: approver, reason: cleanReason(reason) }));
  if (!applied.ok) {
    const extra = applied.code === "reason_required" ? ` Type it in the Deny form, or \`request deny ${id} -- <reason>\`.` : "";
    return refused(applied.code, `${applied.reason}${extra}`);
  }
  return decided(port, applied.stored, who, ctx, `You denied ${label(id)}.`);
}

async function extend(port: RequestsPort, id: string, who: Who, ctx: CommandContext, hours: number): Promise<ActionResult> {
  const approver = await isApprover(port, who.platform, who.actor.id);
  const applied = await applyEvent(port, id, () => ({ type: "extend", at: ctx.now().toISOString(), actor: who.actor, isApprover: approver, hours }));
  if (!applied.ok) return refused(applied.code, applied.reason);
  const r = applied.stored.request;
  await refreshApprovers(port, applied.stored, { log: ctx.log });
  if (r.extension) {
    await postInThread(port, applied.stored, approverReply(r), ctx.log);
    return {
      ephemeral: reply(`GPU request ${label(id)}`, [
        text(`Extending by ${formatHours(hours)} goes past the ${formatHours(port.policy.maxHours)} cap, so it was sent to the approvers.`, "info"),
      ]),
    };
  }
  await postInThread(
    port,
    applied.stored,
    reply(`GPU request ${label(id)} extended`, [text(`${personName(who.actor)} extended the lease by ${formatHours(hours)}: now until ${formatTime(r.lease?.end ?? "")}.`)]),
    ctx.log,
  );
  return { ephemeral: reply(`GPU request ${label(id)}`, [text(`Extended by ${formatHours(hours)}: the lease now ends at ${formatTime(r.lease?.end ?? "")}.`, "success")]) };
}

async function extensionDecision(port: RequestsPort, id: string, who: Who, ctx: CommandContext, approveIt: boolean, reason: string): Promise<ActionResult> {
  const approver = await isApprover(port, who.platform, who.actor.id);
  const at = ctx.now().toISOString();
  const applied = await applyEvent(port, id, () =>
    approveIt
      ? { type: "extend_approve", at, actor: who.actor, isApprover: approver }
      : { type: "extend_deny", at, actor: who.actor, isApprover: approver, reason: cleanReason(reason) },
  );
  if (!applied.ok) return refused(applied.code, applied.reason);
  const r = applied.stored.request;
  await refreshApprovers(port, applied.stored, { log: ctx.log });
  const words = approveIt
    ? `Extension approved by ${personName(who.actor)}: the lease now ends at ${formatTime(r.lease?.end ?? "")}.`
    : `Extension denied by ${personName(who.actor)}: ${cleanReason(reason)}`;
  await tellRequester(port, r, reply(`GPU request ${label(id)}`, [text(words, approveIt ? "success" : "warning")]), ctx.log);
  const result: ActionResult = { ephemeral: reply(`GPU request ${label(id)}`, [text(words)]) };
  if (who.message) result.update = approverReply(r);
  return result;
}

async function release(port: RequestsPort, id: string, who: Who, ctx: CommandContext): Promise<ActionResult> {
  const approver = await isApprover(port, who.platform, who.actor.id);
  const applied = await applyEvent(port, id, () => ({ type: "release", at: ctx.now().toISOString(), actor: who.actor, isApprover: approver }));
  if (!applied.ok) return refused(applied.code, applied.reason);
  const r = applied.stored.request;
  await refreshApprovers(port, applied.stored, { log: ctx.log });
  const undo = r.reversal === "pending" ? " The capacity is being given back." : "";
  await postInThread(
    port,
    applied.stored,
    reply(`GPU request ${label(id)} released`, [text(`${personName(who.actor)} released it at ${formatTime(r.updatedAt)}.${undo}`)]),
    ctx.log,
  );
  if (r.reversal === "pending") port.kick(id);
  return { update: reply(`GPU request ${label(id)}: released`, [text(`Released.${undo} Thank you for giving it back early.`, "success")]) };
}

// ---------------------------------------------------------------------------------------------
// Buttons: payloads of ids (and a chosen number of hours); form fields arrive next to them.

const id = z.string().regex(/^\d{1,12}$/);
const hours = z.coerce
  .number()
  .int()
  .min(1)
  .max(24 * 366);

function who(request: ActionRequest): Who {
  const w: Who = { actor: person(request.actor), platform: request.channel.platform };
  if (request.message) w.message = request.message;
  return w;
}

/** Wraps a handler: no store → a clear refusal; otherwise the port and who clicked. */
function handler<P>(fn: (port: RequestsPort, p: P, w: Who, ctx: CommandContext) => Promise<ActionResult>) {
  return async (p: P, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> => {
    const port = ctx.services.requests;
    if (!port) return { ephemeral: NO_STORE };
    return fn(port, p, who(request), ctx);
  };
}

/** Every GPU-request button, for the router. */
export function requestActions(): AnyActionHandler[] {
  return [
    action({ verb: VERBS.submit, schema: z.object({ id }), run: handler((port, p, w, c) => submit(port, p.id, w, c)) }),
    action({ verb: VERBS.cancel, schema: z.object({ id }), run: handler((port, p, w, c) => cancel(port, p.id, w, c)) }),
    action({
      verb: VERBS.approve,
      schema: z.object({ id, hours: hours.optional(), action: z.literal("quota-request").optional() }),
      run: handler((port, p, w, c) => approve(port, p.id, w, c, { ...(p.hours !== undefined ? { hours: p.hours } : {}), ...(p.action !== undefined ? { action: p.action } : {}) })),
    }),
    action({
      verb: VERBS.shorter,
      schema: z.object({ id }),
      run: handler(async (port, p) => {
        const stored = await port.store.get(p.id);
        if (!stored) return refused("not_found", `There is no GPU request #${p.id}.`);
        return { ephemeral: shorterReply(stored.request) };
      }),
    }),
    action({ verb: VERBS.deny, schema: z.object({ id, reason: z.string().max(2000).optional() }), run: handler((port, p, w, c) => deny(port, p.id, w, c, p.reason ?? "")) }),
    action({ verb: VERBS.extend, schema: z.object({ id, hours }), run: handler((port, p, w, c) => extend(port, p.id, w, c, p.hours)) }),
    action({ verb: VERBS.extendApprove, schema: z.object({ id }), run: handler((port, p, w, c) => extensionDecision(port, p.id, w, c, true, "")) }),
    action({
      verb: VERBS.extendDeny,
      schema: z.object({ id, reason: z.string().max(2000).optional() }),
      run: handler((port, p, w, c) => extensionDecision(port, p.id, w, c, false, p.reason ?? "")),
    }),
    action({ verb: VERBS.release, schema: z.object({ id }), run: handler((port, p, w, c) => release(port, p.id, w, c)) }),
    action({
      verb: "request.form",
      // The form's fields arrive as text (Slack modal, Teams card); the command grammar checks them.
      schema: z.object({
        count: z.string().max(10).optional(),
        size: z.string().max(80).optional(),
        region: z.string().max(60).optional(),
        duration: z.string().max(40).optional(),
        reason: z.string().max(2000).optional(),
        costCenter: z.string().max(64).optional(),
      }),
      run: async (p, r, c) => {
        if (!p.count?.trim() || !p.size?.trim() || !p.region?.trim() || !p.duration?.trim()) {
          return { ephemeral: userError("form_incomplete", "Fill in how many, the size or GPU, the region and the duration.", REQUEST_EXAMPLE) };
        }
        const words = [...p.count.trim().split(/\s+/), ...p.size.trim().split(/\s+/), "in", ...p.region.trim().split(/\s+/), "for", ...p.duration.trim().split(/\s+/)];
        if (p.costCenter?.trim()) words.push("cost-center", p.costCenter.trim());
        words.push("--", ...(p.reason ?? "").split(/\s+/).filter(Boolean));
        const answer = await newRequest(words, { text: "", actor: r.actor, channel: r.channel, surface: r.surface }, c);
        return answer.outcome === "user_error" ? { ephemeral: answer } : { post: answer };
      },
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Text sub-commands: the same steps for the terminal and the console.

const SUBCOMMANDS = ["show", "submit", "cancel", "approve", "deny", "extend", "release"] as const;

function asReply(result: ActionResult, fallback: string): Reply {
  return result.ephemeral ?? result.update ?? result.post ?? reply(fallback, []);
}

async function subcommand(sub: (typeof SUBCOMMANDS)[number], args: string[], req: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const port = ctx.services.requests;
  if (!port) return NO_STORE;
  const rid = readId(args[0]);
  if (!rid)
    return userError(
      "missing_id",
      `Say which request: \`request ${sub} <id>${sub === "deny" ? " -- <reason>" : ""}\`, with the number \`requests\` lists (for #3: \`request ${sub} 3\`).`,
      "requests",
    );
  const w: Who = { actor: person(req.actor), platform: req.channel.platform };
  const rest = args.slice(1);
  switch (sub) {
    case "show": {
      const stored = await port.store.get(rid);
      if (!stored) return userError("not_found", `There is no GPU request #${rid}.`, "requests all");
      const history = await port.store.history({ requestId: rid });
      const card = approverReply(stored.request);
      card.parts = card.parts.filter((p) => p.kind !== "actions");
      card.parts.push({
        kind: "table",
        title: "Audit log",
        columns: [
          { key: "at", label: "When", priority: 1, kind: "date" },
          { key: "kind", label: "Event", priority: 1, kind: "name" },
          { key: "actor", label: "By", priority: 2, kind: "name" },
          { key: "detail", label: "Detail", priority: 3, kind: "text" },
        ],
        rows: history.map((h) => ({ at: formatTime(h.at), kind: h.kind, actor: h.actorName ?? h.actor, detail: h.detail })),
      });
      return card;
    }
    case "submit":
      return asReply(await submit(port, rid, w, ctx), `GPU request ${label(rid)}`);
    case "cancel":
      return asReply(await cancel(port, rid, w, ctx), `GPU request ${label(rid)}`);
    case "approve": {
      let h: number | undefined;
      if (rest[0]?.toLowerCase() === "for") {
        const d = parseDuration(rest.slice(1).join(" "));
        if (!d.ok) return userError("bad_duration", `${d.problem} ${DURATION_HINT}`, `request approve ${rid} for 1d`);
        h = d.hours;
      }
      return asReply(await approve(port, rid, w, ctx, h !== undefined ? { hours: h } : {}), `GPU request ${label(rid)}`);
    }
    case "deny": {
      const at = rest.findIndex((t) => t === "--" || t === "—" || t === "–");
      const reason = at >= 0 ? rest.slice(at + 1).join(" ") : rest.join(" ");
      return asReply(await deny(port, rid, w, ctx, reason), `GPU request ${label(rid)}`);
    }
    case "extend": {
      const words = rest[0]?.toLowerCase() === "by" ? rest.slice(1) : rest;
      const d = parseDuration(words.join(" ") || "1d");
      if (!d.ok) return userError("bad_duration", `${d.problem} ${DURATION_HINT}`, `request extend ${rid} by 1d`);
      return asReply(await extend(port, rid, w, ctx, d.hours), `GPU request ${label(rid)}`);
    }
    case "release":
      return asReply(await release(port, rid, w, ctx), `GPU request ${label(rid)}`);
  }
}

export const requestVerb: Verb = {
  name: "request",
  shareable: false,
  usesStore: true,
  summary: "Ask for GPUs: pre-checked (offered? quota? cost? policy), then approved in chat, as a time-boxed lease",
  usage: "request <n> <size|gpu> in <region> for <duration> [cost-center <tag>] -- <reason>",
  examples: [
    REQUEST_EXAMPLE,
    "request 8 h100 in eastus for 12h -- eval sweep",
    // Runnable on a fresh demo first; the steps on an existing request take its number (placeholder <id>).
    "requests",
    "request approve <id>",
    "request deny <id> -- use the T4 pool",
    "request extend <id> by 1d",
    "request release <id>",
  ],
  details:
    "With a size, <n> is VMs; with a GPU (a100, h100), <n> is GPUs and the size is chosen for you. You see the pre-check first; nothing goes to approvers until you press Submit. Approvers get Approve / Approve for a shorter time / Deny (a reason is required). Approved capacity is a lease: reminders come 1 day and 1 hour before it ends, with Extend and Release now. Also: `request show|submit|cancel|approve|deny|extend|release <id>`, where <id> is the request's number as `requests` lists it (#3 → `request approve 3`).",
  async run(args, req, ctx) {
    const head = args[0]?.toLowerCase();
    const sub = SUBCOMMANDS.find((s) => s === head);
    if (sub) return subcommand(sub, args.slice(1), req, ctx);
    if (args.length === 0) {
      return reply("Ask for GPUs", [
        text(`Type: ${REQUEST_EXAMPLE}`),
        text("With a size the number is VMs; with a GPU (a100, h100) it is GPUs. You see a pre-check before anything is sent to approvers."),
        { kind: "actions", actions: [{ verb: "request.form", label: "Open the request form", style: "primary", payload: {} }] },
      ]);
    }
    return newRequest(args, req, ctx);
  },
};

/**
 * The buttons on an idle alert: Snooze 4 h / 24 h, Keep (busy on purpose) 7 days, and
 * Deallocate (ask → confirm), routed through commands/actions.ts with payloads of ids only.
 *
 * Every button works only in a channel the alert was posted to, and only for the configured
 * approvers of the platform or the person the VM's owner tag names, matched on identities the
 * platform vouched for (user id, or an e-mail from Slack users.info / the Teams roster), never a
 * display name; anyone else is refused with the reason, the refusal is recorded, nothing is called. The confirmation is a
 * claim in the store (confirming → running), so two clicks, on two replicas even, make exactly
 * one `virtualMachines.beginDeallocate` call. Its progress is shown on the message; when it
 * completes the episode is resolved as deallocated. Every press is recorded (who, when, what).
 *
 * Each app builds its own handlers bound to its store, posting ports and VM power, and gives them
 * to its router, so several apps in one process (tests) never share state.
 *
 * @example
 * const idle = idleActions({ store, posting, power, log }); // power: createVmPower(azure) from azure/provisioning.ts, built by the app
 * const router = createRouter({ actions: idle.handlers });
 * await idle.settle(); // waits for deallocations in flight (shutdown, tests)
 */
import { z } from "zod";
import type { ActionHandler, ActionRequest, ActionResult, AnyActionHandler } from "../commands/actions.ts";
import { IDLE_ACTIONS, idleAlertReply } from "../commands/idle.ts";
import type { Actor, CommandContext, CoreLogger } from "../commands/types.ts";
import { DEFAULT_IDLE_SETTINGS } from "../domain/idle-rule.ts";
import { asGpuopsError } from "../errors.ts";
import { type Reply, userError } from "../reply/reply.ts";
import type { PostingPort, UserDirectoryPort, VmPowerPort } from "../services/ports.ts";
import type { IdleAlertRecord } from "../store/alert-state.ts";
import { alertView, type IdleStore, refreshAlertMessages, resolveAlert } from "./idle-scan.ts";

export interface IdleActionDeps {
  store: IdleStore;
  posting: { get(platform: string): PostingPort | undefined };
  power: VmPowerPort;
  /** Platform user id → verified e-mail, for matching owner tags (Slack registers one). */
  directory?: (platform: string) => UserDirectoryPort | undefined;
  log?: CoreLogger;
}

/**
 * Who may act on an alert: a configured approver of the platform (user ids), or the person the
 * VM's owner tag names, matched on their user id or an e-mail the platform vouched for
 * (`verifiedEmail`). A display name is never proof: anyone can call themselves alice@contoso.com.
 * Group ids in the approver lists are not resolved here.
 */
export function mayDeallocate(
  actor: Actor,
  platform: string,
  approvers: Readonly<Record<string, readonly string[]>>,
  owner: string | null | undefined,
  verifiedEmail?: string,
  what = "deallocate it",
): { ok: true; as: "approver" | "owner" } | { ok: false; reason: string } {
  const id = actor.id.toLowerCase();
  const listed = Object.hasOwn(approvers, platform) ? (approvers[platform] ?? []) : [];
  if (listed.some((a) => a.toLowerCase() === id)) return { ok: true, as: "approver" };
  if (owner) {
    const o = owner.trim().toLowerCase();
    const mail = verifiedEmail?.trim().toLowerCase();
    if (o === id || (mail?.includes("@") && o === mail)) return { ok: true, as: "owner" };
  }
  return {
    ok: false,
    reason: `Only the configured GPU approvers${owner ? ` or the VM's owner (owner tag: ${owner})` : " (this VM has no owner tag)"} can ${what}, and you are neither. Ask one of them${what === "deallocate it" ? ", or Snooze / Keep it instead" : ""}.`,
  };
}

const alertPayload = z.object({ alert: z.coerce.number().int().positive() });
const snoozePayload = z.object({ alert: z.coerce.number().int().positive(), hours: z.coerce.number().pipe(z.union([z.literal(4), z.literal(24)])) });

const actorName = (a: Actor) => a.name ?? a.id;

interface Bound extends IdleActionDeps {
  inflight: Set<Promise<void>>;
}

export interface IdleActions {
  /** The alert buttons, bound to this app's deps: for its router. */
  handlers: AnyActionHandler[];
  /** Waits for the deallocations in flight (shutdown, tests). */
  settle(): Promise<void>;
}

/** The idle alert buttons bound to one app's store, posting ports and VM power. */
export function idleActions(deps: IdleActionDeps): IdleActions {
  const bound: Bound = { ...deps, inflight: new Set() };
  const withDeps =
    <P>(fn: (deps: Bound, p: P, request: ActionRequest, ctx: CommandContext) => Promise<ActionResult>): ActionHandler<P>["run"] =>
    (p, request, ctx) =>
      fn(bound, p, request, ctx);
  const handlers: AnyActionHandler[] = [
    { verb: IDLE_ACTIONS.snooze, schema: snoozePayload, run: withDeps(snooze) },
    { verb: IDLE_ACTIONS.keep, schema: alertPayload, run: withDeps(keep) },
    { verb: IDLE_ACTIONS.deallocate, schema: alertPayload, run: withDeps(askDeallocate) },
    { verb: IDLE_ACTIONS.cancel, schema: alertPayload, run: withDeps(cancelDeallocate) },
    { verb: IDLE_ACTIONS.confirm, schema: alertPayload, run: withDeps(confirmDeallocate) },
  ] as AnyActionHandler[];
  return {
    handlers,
    async settle() {
      while (bound.inflight.size > 0) await Promise.allSettled([...bound.inflight]);
    },
  };
}

async function render(deps: Bound, ctx: CommandContext, alertId: number): Promise<Reply | undefined> {
  const row = await deps.store.alerts.byId(alertId);
  return row ? idleAlertReply(await alertView(deps.store, row), ctx.settings.timezone, ctx.now().getTime()) : undefined;
}

/** The message for everyone (this one via the door, the alert's other channels here). */
async function updated(deps: Bound, ctx: CommandContext, alertId: number, request: ActionRequest): Promise<ActionResult> {
  await refreshAlertMessages(deps, alertId, { timezone: ctx.settings.timezone, now: ctx.now(), skip: request.message });
  const update = await render(deps, ctx, alertId);
  return update ? { update } : {};
}

const gone = (): ActionResult => ({ ephemeral: userError("alert_gone", "That idle alert is not in gpuops's store any more, so nothing was done.") });
const closed = (): ActionResult => ({ ephemeral: userError("alert_closed", "That idle episode is already over (the VM is busy again or deallocated), so nothing was done.") });

const record = (deps: Bound, alertId: number, action: string, request: ActionRequest, at: Date, detail: string) =>
  deps.store.alerts.recordAction({ alertId, action, actorId: request.actor.id, actorName: request.actor.name, platform: request.channel.platform, at, detail });

/** The e-mail the platform vouches for: the door's (Teams roster), else the platform directory's (Slack users.info). */
async function verifiedEmailOf(deps: Bound, request: ActionRequest): Promise<string | undefined> {
  if (request.actor.email) return request.actor.email;
  try {
    return await deps.directory?.(request.channel.platform)?.verifiedEmail(request.actor.id);
  } catch (err) {
    deps.log?.warn({ err: asGpuopsError(err, "chat_unavailable").message, platform: request.channel.platform }, "could not look up who clicked");
    return undefined;
  }
}

/**
 * The alert must have been posted where the click came from, and the person must be allowed
 * (approver or verified owner). A refusal is recorded and answered; nothing else happens.
 */
async function allowed(deps: Bound, row: IdleAlertRecord, request: ActionRequest, ctx: CommandContext, what: string, action: string) {
  const refuse = async (reason: string) => {
    await record(deps, row.id, "refused", request, ctx.now(), `${action} refused: ${reason}`);
    return { result: { ephemeral: userError("not_allowed", reason) } as ActionResult };
  };
  const posted = await deps.store.alerts.postedIn(row.id, request.channel.platform, request.channel.id);
  if (!posted) return refuse("This idle alert was not posted in this channel; act on it in the channel where it was posted.");
  const approvers = (ctx.settings.idle ?? DEFAULT_IDLE_SETTINGS).approvers;
  const listed = Object.hasOwn(approvers, request.channel.platform) && (approvers[request.channel.platform] ?? []).some((a) => a.toLowerCase() === request.actor.id.toLowerCase());
  const email = listed || !row.owner ? undefined : await verifiedEmailOf(deps, request);
  const who = mayDeallocate(request.actor, request.channel.platform, approvers, row.owner, email, what);
  if (!who.ok) return refuse(who.reason);
  return { as: who.as };
}

async function snooze(deps: Bound, p: z.infer<typeof snoozePayload>, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  const row = await deps.store.alerts.byId(p.alert);
  if (!row) return gone();
  if (row.status !== "open") return closed();
  const ok = await allowed(deps, row, request, ctx, "snooze this alert", "Snooze");
  if ("result" in ok) return ok.result;
  const now = ctx.now();
  const until = new Date(now.getTime() + p.hours * 3_600_000);
  await deps.store.alerts.mute(row.id, "snooze", until);
  await record(deps, row.id, "snooze", request, now, `Snoozed ${p.hours} h`);
  return updated(deps, ctx, row.id, request);
}

async function keep(deps: Bound, p: z.infer<typeof alertPayload>, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  const row = await deps.store.alerts.byId(p.alert);
  if (!row) return gone();
  if (row.status !== "open") return closed();
  const ok = await allowed(deps, row, request, ctx, "keep this alert quiet", "Keep");
  if ("result" in ok) return ok.result;
  const now = ctx.now();
  const until = new Date(now.getTime() + 7 * 86_400_000);
  await deps.store.alerts.mute(row.id, "keep", until);
  await record(deps, row.id, "keep", request, now, "Kept 7 days (busy on purpose)");
  return updated(deps, ctx, row.id, request);
}

/** Checks the alert and the person; a refusal is recorded and answered, and nothing else happens. */
async function authorised(deps: Bound, p: { alert: number }, request: ActionRequest, ctx: CommandContext) {
  const row = await deps.store.alerts.byId(p.alert);
  if (!row) return { result: gone() };
  if (row.status !== "open") return { result: closed() };
  if (row.resource_kind !== "vm") {
    return { result: { ephemeral: userError("not_a_vm", "gpuops deallocates single VMs only: scale the AKS node pool or the scale set down instead.") } };
  }
  const who = await allowed(deps, row, request, ctx, "deallocate it", "Deallocate");
  if ("result" in who) return who;
  return { row, as: who.as };
}

async function askDeallocate(deps: Bound, p: z.infer<typeof alertPayload>, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  const a = await authorised(deps, p, request, ctx);
  if ("result" in a) return a.result;
  const now = ctx.now();
  if (!(await deps.store.alerts.askDeallocation(a.row.id, actorName(request.actor), now)))
    return { ephemeral: userError("already_deallocating", `A deallocation of this VM is already asked for or running (by ${a.row.deallocate_by ?? "someone"}).`) };
  await record(deps, a.row.id, "deallocate", request, now, `Asked to deallocate (as ${a.as})`);
  return updated(deps, ctx, a.row.id, request);
}

async function cancelDeallocate(deps: Bound, p: z.infer<typeof alertPayload>, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  const a = await authorised(deps, p, request, ctx);
  if ("result" in a) return a.result;
  if (!(await deps.store.alerts.cancelDeallocation(a.row.id)))
    return { ephemeral: userError("nothing_to_cancel", "There is no deallocation waiting for confirmation on this alert.") };
  await record(deps, a.row.id, "deallocate_cancelled", request, ctx.now(), "Deallocate cancelled");
  return updated(deps, ctx, a.row.id, request);
}

async function confirmDeallocate(deps: Bound, p: z.infer<typeof alertPayload>, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  const a = await authorised(deps, p, request, ctx);
  if ("result" in a) return a.result;
  const now = ctx.now();
  // The claim: only one confirmation turns "confirming" into "running", so Azure is called once.
  if (!(await deps.store.alerts.claimDeallocation(a.row.id, actorName(request.actor), now))) {
    const current = await deps.store.alerts.byId(a.row.id);
    return {
      ephemeral: userError(
        "already_deallocating",
        `Nothing more to do: the deallocation is ${current?.deallocate_state === "running" ? `already running (confirmed by ${current.deallocate_by ?? "someone"})` : "not waiting for confirmation"}.`,
      ),
    };
  }
  await record(deps, a.row.id, "deallocate_confirmed", request, now, "Deallocate confirmed");
  const job: Promise<void> = runDeallocation(deps, a.row.id, a.row.resource_id, request, ctx).finally(() => deps.inflight.delete(job));
  deps.inflight.add(job);
  return updated(deps, ctx, a.row.id, request);
}

async function runDeallocation(deps: Bound, alertId: number, resourceId: string, request: ActionRequest, ctx: CommandContext): Promise<void> {
  const opts = () => ({ timezone: ctx.settings.timezone, now: ctx.now() });
  let last = "";
  const progress: Promise<unknown>[] = [];
  try {
    await deps.power.deallocate(resourceId, (status) => {
      if (status === last) return;
      last = status;
      progress.push(deps.store.alerts.deallocationProgress(alertId, status).then(() => refreshAlertMessages(deps, alertId, opts())));
    });
    await Promise.allSettled(progress);
    await deps.store.alerts.deallocationSucceeded(alertId);
    await record(deps, alertId, "deallocate_done", request, ctx.now(), "Deallocated");
    const row = await deps.store.alerts.byId(alertId);
    if (row) await resolveAlert(deps, row, "deallocated", opts());
  } catch (err) {
    await Promise.allSettled(progress);
    const e = asGpuopsError(err, "azure_error");
    deps.log?.warn({ alertId, code: e.code, err: e.message }, "deallocate failed");
    await deps.store.alerts.deallocationFailed(alertId, e.message.slice(0, 500));
    await record(deps, alertId, "deallocate_failed", request, ctx.now(), `Deallocate failed: ${e.message.slice(0, 200)}`);
    await refreshAlertMessages(deps, alertId, opts());
  }
}

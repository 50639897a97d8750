/**
 * The idle scan (every 15 min by default, each slot claimed exactly once in the store): reads
 * which GPU VMs and nodes are idle, and keeps one alert per idle episode per VM in every channel
 * subscribed with `subscribe idle`: posted once, updated in place while it stays idle, and closed
 * with a resolution note when the VM is busy again or deallocated. Snooze and Keep silence an
 * alert until they end; when they end and the VM is still idle, a reminder goes into the thread.
 * Episodes are kept in the store even when no channel is subscribed, so `idle` and the digest can
 * count an idle run that outlasts the telemetry look-back from the start a scan saw.
 *
 * Nothing here throws for one channel's failure: a failed post is logged and counted.
 *
 * @example
 * scheduler.every("idle-scan", settings.scanEverySeconds * 1000, idleScanJob(deps));
 * await runIdleScan(deps, new Date()); // standalone: claims the slot itself
 */
import {
  collectIdle,
  filterFromScope,
  formatWhen,
  type IdleAlertSnapshot,
  type IdleAlertView,
  type IdleEntry,
  type IdleReport,
  idleAlertReply,
  matchesFilter,
  snapshotOf,
} from "../commands/idle.ts";
import type { CommandContext, CoreLogger } from "../commands/types.ts";
import { DEFAULT_IDLE_SETTINGS, withWatchedStart } from "../domain/idle-rule.ts";
import { formatMoney } from "../domain/money.ts";
import { asGpuopsError } from "../errors.ts";
import { reply, text } from "../reply/reply.ts";
import type { ChannelSubscription, PostedMessage, PostingPort } from "../services/ports.ts";
import { type AlertStatePort, type IdleAlertRecord, isPendingPost } from "../store/alert-state.ts";
import type { Store } from "../store/store.ts";
import type { JobFn, JobOutcome } from "./scheduler.ts";

export const IDLE_SCAN_JOB = "idle-scan";

/** The parts of the store the scan uses: its slot claims and the idle alert state. */
export type IdleStore = Pick<Store, "claimJob" | "finishJob"> & { alerts: AlertStatePort };

export interface IdleScanDeps {
  store: IdleStore;
  posting: { get(platform: string): PostingPort | undefined };
  /** Services and settings; the clock comes from the run. */
  context: () => CommandContext;
  log?: CoreLogger;
  /** Name of this process in the claims table. */
  owner?: string;
}

export interface IdleScanResult extends JobOutcome {
  claimed: boolean;
  opened: number;
  posted: number;
  updated: number;
  resolved: number;
  reminded: number;
  failed: number;
  report?: IdleReport;
}

type AlertRow = IdleAlertRecord;

/** The claim slot of a scan: the start of its interval, e.g. "2026-03-02T12:15:00.000Z". */
export function idleScanSlot(now: Date, everySeconds: number): string {
  const ms = everySeconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms).toISOString();
}

const ms = (s: string | null) => (s === null ? undefined : Date.parse(s));

// --- alert messages -----------------------------------------------------------------------

/** The tag an alert's post carries (Slack message metadata), so a later scan can tell whether it landed. */
export const alertMarker = (alertId: number, platform: string, channelId: string) => `idle:${alertId}:${platform}:${channelId}`;

/**
 * Posts an alert once per channel: a pending row is written first, the post tagged with its
 * marker, then the row completed. A scan that finds a pending row (the previous one stopped
 * between post and record) looks for the marker in the channel before posting again; where the
 * platform cannot tell ("unknown"), it posts again, so that window (one post's round trip) is
 * at-least-once.
 */
async function postAlertOnce(
  store: IdleStore,
  port: PostingPort,
  alertId: number,
  sub: { platform: string; channelId: string },
  message: ReturnType<typeof idleAlertReply>,
  pending: { id: number; posted_at: string } | undefined,
  now: Date,
): Promise<"posted" | "confirmed"> {
  const marker = alertMarker(alertId, sub.platform, sub.channelId);
  let rowId = pending?.id;
  if (pending) {
    const found = port.findPosted ? await port.findPosted(sub.channelId, marker, new Date(Date.parse(pending.posted_at) - 5 * 60_000)) : "unknown";
    if (found && found !== "unknown") {
      await store.alerts.confirmPost(pending.id, found, now);
      // The earlier post landed: bring it up to date rather than post a second one.
      await port.update(found, message);
      return "confirmed";
    }
  } else {
    rowId = await store.alerts.startPost(alertId, sub.platform, sub.channelId, now);
  }
  try {
    const posted = await port.post(sub.channelId, message, { marker });
    await store.alerts.confirmPost(rowId as number, posted, now, now);
    return "posted";
  } catch (err) {
    // Answered as failed (not a timeout): nothing landed, so the pending row goes and the next scan posts afresh.
    const e = asGpuopsError(err, "internal");
    if (e.context.slackError !== undefined || e.code === "chat_throttled") await store.alerts.dropPost(rowId as number);
    throw err;
  }
}

/** An alert as its message shows it: the row, its snapshot, and the actions taken. */
export async function alertView(store: IdleStore, row: AlertRow): Promise<IdleAlertView> {
  const log = await store.alerts.actions(row.id);
  const view: IdleAlertView = {
    id: row.id,
    snapshot: JSON.parse(row.snapshot) as IdleAlertSnapshot,
    status: row.status === "resolved" ? "resolved" : "open",
    actions: log.map((l) => ({ action: l.action, actorName: l.actor_name ?? l.actor_id, at: Date.parse(l.at), detail: l.detail })),
  };
  if (row.resolution === "busy" || row.resolution === "deallocated") view.resolution = row.resolution;
  const resolvedAt = ms(row.resolved_at);
  if (resolvedAt !== undefined) view.resolvedAt = resolvedAt;
  const snoozed = ms(row.snoozed_until);
  if (snoozed !== undefined) view.snoozedUntil = snoozed;
  const keep = ms(row.keep_until);
  if (keep !== undefined) view.keepUntil = keep;
  if (row.deallocate_state) {
    view.deallocate = { state: row.deallocate_state as NonNullable<IdleAlertView["deallocate"]>["state"], by: row.deallocate_by ?? "someone", at: ms(row.deallocate_at) ?? 0 };
    if (row.deallocate_detail) view.deallocate.detail = row.deallocate_detail;
  }
  return view;
}

/** Re-renders an alert and updates every message of it (except `skip`, which the door updates). */
export async function refreshAlertMessages(
  deps: Pick<IdleScanDeps, "store" | "posting" | "log">,
  alertId: number,
  opts: { timezone: string; now: Date; skip?: PostedMessage | undefined },
): Promise<number> {
  const row = await deps.store.alerts.byId(alertId);
  if (!row) return 0;
  const message = idleAlertReply(await alertView(deps.store, row), opts.timezone, opts.now.getTime());
  let updated = 0;
  for (const ref of await deps.store.alerts.messages(alertId)) {
    if (opts.skip && opts.skip.platform === ref.platform && opts.skip.channelId === ref.channel_id && opts.skip.messageId === ref.message_id) continue;
    const port = deps.posting.get(ref.platform);
    if (!port) continue;
    try {
      await port.update(toPosted(ref), message);
      await deps.store.alerts.touchMessage(ref.id, opts.now);
      updated++;
    } catch (err) {
      deps.log?.warn({ alertId, platform: ref.platform, channelId: ref.channel_id, err: asGpuopsError(err, "internal").message }, "idle alert update failed");
    }
  }
  return updated;
}

const toPosted = (ref: { platform: string; channel_id: string; message_id: string; thread_id: string | null }): PostedMessage => {
  const m: PostedMessage = { platform: ref.platform, channelId: ref.channel_id, messageId: ref.message_id };
  if (ref.thread_id) m.threadId = ref.thread_id;
  return m;
};

/** Closes an episode and tells each channel: the message is updated, and a note goes into its thread. */
export async function resolveAlert(
  deps: Pick<IdleScanDeps, "store" | "posting" | "log">,
  row: AlertRow,
  resolution: "busy" | "deallocated",
  opts: { timezone: string; now: Date },
): Promise<boolean> {
  if (!(await deps.store.alerts.resolve(row.id, resolution, opts.now))) return false; // someone else closed it
  await refreshAlertMessages(deps, row.id, opts);
  const snap = JSON.parse(row.snapshot) as IdleAlertSnapshot;
  const burnt = snap.soFar !== undefined && snap.currency ? ` after ${formatMoney(snap.soFar, snap.currency)} burnt at list price` : "";
  const note = reply(`Resolved: ${snap.name}`, [text(`${snap.name} is ${resolution === "busy" ? "busy again" : "deallocated"}${burnt}.`, "success")]);
  for (const ref of await deps.store.alerts.messages(row.id)) {
    const port = deps.posting.get(ref.platform);
    if (!port) continue;
    try {
      await port.post(ref.channel_id, note, { threadId: ref.thread_id ?? ref.message_id });
    } catch (err) {
      deps.log?.warn({ alertId: row.id, platform: ref.platform, err: asGpuopsError(err, "internal").message }, "idle resolution note failed");
    }
  }
  return true;
}

// --- the scan ------------------------------------------------------------------------------

/** Opens the episode (or finds the one another replica just opened), carrying Snooze / Keep over from the VM's last episode. */
function openEpisode(store: IdleStore, e: IdleEntry, snapshot: IdleAlertSnapshot, now: Date): Promise<{ row: AlertRow; created: boolean }> {
  return store.alerts.openEpisode(
    {
      key: e.key.toLowerCase(),
      idleSince: new Date(e.verdict.idleSince),
      resourceId: e.resource.id,
      resourceKind: e.resource.kind,
      host: e.host,
      subscriptionId: e.resource.subscriptionId,
      owner: e.owner ?? null,
      snapshot: JSON.stringify(snapshot),
    },
    now,
  );
}

const channelWants = (sub: ChannelSubscription, e: IdleEntry, names: ReadonlyMap<string, string>) => matchesFilter(e.resource, filterFromScope(sub.scope), names);

/** One scan, already claimed (the scheduler claims its runs). */
export async function scanIdleOnce(deps: IdleScanDeps, now: Date): Promise<IdleScanResult> {
  const base = deps.context();
  const ctx: CommandContext = { ...base, now: () => now };
  const tz = ctx.settings.timezone;
  const out: IdleScanResult = { claimed: true, opened: 0, posted: 0, updated: 0, resolved: 0, reminded: 0, failed: 0 };
  const channels = (await ctx.services.subscriptions?.list({ kind: "idle" })) ?? [];
  // With telemetry, episodes are kept even when no channel wants alerts: `idle` and the digest count long runs from them.
  if (channels.length === 0 && !ctx.services.utilization)
    return { ...out, status: "skipped", detail: "no channel is subscribed to idle alerts and no GPU telemetry source is configured" };
  const report = await collectIdle(ctx);
  out.report = report;
  const names = report.subscriptionNames;
  const seen = new Set<string>();

  for (const e of report.entries) {
    const key = e.key.toLowerCase();
    seen.add(key);
    const snapshot = snapshotOf(e, now);
    const { row, created } = await openEpisode(deps.store, e, snapshot, now);
    if (created) out.opened++;
    else {
      // Keep the episode's first start when the look back no longer reaches it and the scans watched it since.
      const prev = JSON.parse(row.snapshot) as IdleAlertSnapshot;
      const kept = withWatchedStart(e.verdict, { since: prev.idleSince, sinceAtLeast: prev.sinceAtLeast, lastSeen: Date.parse(row.last_seen_at) }, now.getTime());
      if (kept !== e.verdict && kept.state !== "busy" && kept.state !== "unknown") {
        snapshot.idleSince = kept.idleSince;
        snapshot.sinceAtLeast = kept.sinceAtLeast;
        snapshot.idleSeconds = kept.idleSeconds;
        if (snapshot.perDay !== undefined) snapshot.soFar = (snapshot.idleSeconds / 86400) * snapshot.perDay;
      }
      await deps.store.alerts.seenAgain(row.id, JSON.stringify(snapshot), e.owner ?? null, now);
    }
    const mutedUntil = Math.max(ms(row.snoozed_until) ?? 0, ms(row.keep_until) ?? 0);
    if (mutedUntil > now.getTime()) continue;
    const remind = mutedUntil > 0 && row.snooze_reminded === 0;
    const fresh = (await deps.store.alerts.byId(row.id)) as AlertRow;
    const message = idleAlertReply(await alertView(deps.store, fresh), tz, now.getTime());
    const refs = await deps.store.alerts.messages(row.id, true);
    for (const sub of channels.filter((c) => channelWants(c, e, names))) {
      const port = deps.posting.get(sub.platform);
      if (!port) {
        out.failed++;
        deps.log?.warn({ platform: sub.platform, channelId: sub.channelId }, "idle alert: no posting port for this platform (door off)");
        continue;
      }
      const ref = refs.find((r) => r.platform === sub.platform && r.channel_id === sub.channelId);
      try {
        if (!ref || isPendingPost(ref)) {
          const done = await postAlertOnce(deps.store, port, row.id, sub, message, ref, now);
          if (done === "posted") out.posted++;
          else out.updated++;
        } else {
          await port.update(toPosted(ref), message);
          await deps.store.alerts.touchMessage(ref.id, now);
          out.updated++;
          if (remind) {
            const m = reply(`Still idle: ${snapshot.name}`, [
              text(
                `The ${ms(row.keep_until) === mutedUntil ? "keep" : "snooze"} ended ${formatWhen(mutedUntil, tz, now.getTime())} and ${snapshot.name} is still idle${snapshot.soFar !== undefined && snapshot.currency ? `: ${formatMoney(snapshot.soFar, snapshot.currency)} burnt so far` : ""}.`,
                "warning",
              ),
            ]);
            await port.post(ref.channel_id, m, { threadId: ref.thread_id ?? ref.message_id });
            out.reminded++;
          }
        }
      } catch (err) {
        out.failed++;
        deps.log?.warn({ platform: sub.platform, channelId: sub.channelId, err: asGpuopsError(err, "internal").message }, "idle alert post failed");
      }
    }
    if (remind) await deps.store.alerts.markReminded(row.id);
  }

  // Episodes that ended: busy again, or no longer running (deallocated, deleted).
  const unreadable = new Set(report.missing.map((m) => m.subscriptionId.toLowerCase()));
  const open = await deps.store.alerts.listOpen();
  const verdicts = new Map([...report.verdicts].map(([k, v]) => [k.toLowerCase(), v]));
  const running = new Set([...report.running].map((id) => id.toLowerCase()));
  for (const row of open) {
    if (seen.has(row.alert_key)) continue;
    let resolution: "busy" | "deallocated" | undefined;
    if (!running.has(row.resource_id.toLowerCase()) && !unreadable.has(row.subscription_id.toLowerCase())) resolution = "deallocated";
    else if (verdicts.get(row.alert_key)?.verdict.state === "busy") resolution = "busy";
    // Unknown (telemetry gone quiet) keeps the episode open: it is not proof of work.
    if (resolution && (await resolveAlert(deps, row, resolution, { timezone: tz, now }))) out.resolved++;
  }
  out.status = "done";
  out.detail = `${report.entries.length} idle, ${out.opened} new episode(s), ${out.posted} posted, ${out.updated} updated, ${out.resolved} resolved${out.failed ? `, ${out.failed} failed` : ""}`;
  return out;
}

/** A standalone scan: claims its slot ("idle-scan" + the 15-minute slot) so replicas run it once. */
export async function runIdleScan(deps: IdleScanDeps, now: Date): Promise<IdleScanResult> {
  const every = (deps.context().settings.idle ?? DEFAULT_IDLE_SETTINGS).scanEverySeconds;
  const claim = { job: IDLE_SCAN_JOB, periodKey: idleScanSlot(now, every) };
  const won = await deps.store.claimJob({ ...claim, owner: deps.owner ?? `pid-${process.pid}` }, now);
  if (!won) return { claimed: false, opened: 0, posted: 0, updated: 0, resolved: 0, reminded: 0, failed: 0, status: "skipped", detail: "another replica has this slot" };
  try {
    const result = await scanIdleOnce(deps, now);
    await deps.store.finishJob(claim, result.status ?? "done", result.detail ?? null, now);
    return result;
  } catch (err) {
    await deps.store.finishJob(claim, "failed", asGpuopsError(err, "internal").message.slice(0, 500), now);
    throw err;
  }
}

/** For the scheduler, which claims each slot before calling. */
export function idleScanJob(deps: IdleScanDeps): JobFn {
  return async (run) => {
    const r = await scanIdleOnce(deps, run.startedAt);
    return { status: r.status ?? "done", detail: r.detail ?? "" };
  };
}

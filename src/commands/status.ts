/**
 * `status`: is gpuops healthy, how fresh is its data, when did each scheduled job last run and
 * when does it run next (per channel), and which subscriptions are broken and why.
 */
import { describeInstant } from "../domain/schedule.ts";
import { facts, type Part, type Row, reply, table, text } from "../reply/reply.ts";
import type { JobStatus } from "../services/ports.ts";
import type { Verb } from "./types.ts";

const STATUS_WORDS: Record<string, string> = { done: "ok", failed: "FAILED", skipped: "skipped", claimed: "running" };

function jobLabel(j: JobStatus): string {
  const kind = j.job.split(":")[0] ?? j.job;
  return kind;
}

function lastRunText(j: JobStatus): string {
  const l = j.lastRun;
  if (!l) return "not yet";
  const word = STATUS_WORDS[l.status] ?? l.status;
  const detail = l.detail ? `: ${l.detail.slice(0, 140)}` : "";
  return `${periodText(l.periodKey)} ${word}${l.status === "done" && !l.detail?.startsWith("suppressed") ? "" : detail}`;
}

/**
 * A run's period as people read it: a digest's local date as it is ("2026-03-02"); the UTC slots
 * of the other jobs, stored as "2026-03-02T09:15" (cron) or a full ISO instant (intervals), both
 * as "2026-03-02 09:15 UTC".
 */
export function periodText(key: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?Z)?$/.exec(key);
  return m ? `${m[1]} ${m[2]} UTC` : key;
}

export const statusVerb: Verb = {
  name: "status",
  usesAzure: false,
  summary: "Health, data freshness, last and next run of each job per channel, broken subscriptions",
  usage: "status",
  examples: ["status"],
  async run(_args, _request, ctx) {
    const port = ctx.services.status;
    if (!port) {
      return reply("gpuops status (terminal)", [
        facts([
          { label: "Azure", value: ctx.settings.demo ? "demo tenant (fake Azure on loopback)" : "live" },
          { label: "Scheduled jobs", value: "kept by the running server, not the terminal: ask `status` in Slack, Teams or the console" },
        ]),
      ]);
    }
    const s = await port.snapshot();
    const parts: Part[] = [facts(s.checks.map((c) => ({ label: c.name, value: `${c.ok ? "✓" : "✗"} ${c.detail}` })))];
    parts.push(
      table(
        [
          { key: "source", label: "Data", priority: 1, kind: "name" },
          { key: "detail", label: "Freshness", priority: 1, kind: "text" },
        ],
        s.freshness.map((f) => ({ source: f.source, detail: f.detail })),
        { title: "Data freshness" },
      ),
    );
    if (s.jobs.length > 0) {
      const rows: Row[] = s.jobs.map((j) => ({
        job: jobLabel(j),
        channel: j.platform && j.channelId ? `${j.platform} ${j.channelId}` : "—",
        last: lastRunText(j),
        next: j.nextRun ? describeInstant(new Date(j.nextRun), j.timezone ?? ctx.settings.timezone) : "—",
      }));
      parts.push(
        table(
          [
            { key: "job", label: "Job", priority: 1, kind: "name" },
            { key: "channel", label: "Channel", priority: 2, kind: "name" },
            { key: "last", label: "Last run", priority: 2, kind: "text" },
            { key: "next", label: "Next run", priority: 1, kind: "date" },
          ],
          rows,
          { title: "Scheduled jobs" },
        ),
      );
    } else {
      parts.push(text("No scheduled jobs yet: `subscribe digest` in a channel starts one."));
    }
    if (s.broken.length > 0) {
      parts.push(
        table(
          [
            { key: "channel", label: "Channel", priority: 2, kind: "name" },
            { key: "what", label: "What", priority: 1, kind: "text" },
            { key: "reason", label: "Why", priority: 2, kind: "text" },
            { key: "since", label: "Since (UTC)", priority: 2, kind: "date" },
          ],
          s.broken.map((b) => ({ channel: `${b.platform} ${b.channelId}`, what: b.what, reason: b.reason.slice(0, 200), since: b.since.slice(0, 16).replace("T", " ") })),
          { title: `Broken subscriptions (${s.broken.length})` },
        ),
      );
    } else {
      parts.push(text("No broken subscriptions.", "success"));
    }
    const unhealthy = s.checks.some((c) => !c.ok) || s.broken.length > 0;
    return reply(`gpuops status${unhealthy ? ": needs attention" : ": healthy"}`, parts, {
      context: ["A broken subscription is one whose last digest could not be delivered, or a Teams conversation the app was removed from."],
      outcome: s.checks.some((c) => c.name === "Store" && !c.ok) ? "partial" : "ok",
    });
  },
};

/**
 * `subscribe digest|idle …`, `unsubscribe <kind>`, `subscriptions`: what a channel gets without
 * asking. A change applies to the channel the command came from and nowhere else: Slack slash
 * commands and Teams channel messages only arrive from the channel's members, so coming from the
 * channel is the membership check, and naming another channel is refused. Every change is
 * recorded with who made it.
 *
 * @example
 * subscribe digest at 08:30 tz Europe/Berlin scope rg:rg-training when change > 10% update-in-place
 */
import { describeNoiseRule, formatScope, type NoiseRule, parseNoiseRule, parseScope, SCOPE_EXAMPLES } from "../domain/digest.ts";
import { formatMoney } from "../domain/money.ts";
import { canonicalTimeZone, describeInstant, nextDailyRun, parseTimeOfDay } from "../domain/schedule.ts";
import { type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { ChannelSubscription, SubscriptionKind, SubscriptionSettings } from "../services/ports.ts";
import { nearest, ownWord } from "./args.ts";
import type { CommandRequest, Verb } from "./types.ts";

export const KINDS: Record<string, SubscriptionKind> = {
  digest: "digest",
  digests: "digest",
  daily: "digest",
  "daily-digest": "digest",
  idle: "idle",
  "idle-alerts": "idle",
  alerts: "idle",
};

const KIND_HELP = "digest (the daily GPU-spend digest) or idle (alerts about idle GPU VMs)";
export const DEFAULT_DIGEST_AT = "09:00";
const SUBSCRIBE_EXAMPLE = "subscribe digest at 09:00 tz Europe/Berlin";

/** What `subscribe` asked to change; absent fields keep their current (or default) value. */
export interface SubscribeArgs {
  kind: SubscriptionKind;
  at?: string;
  timezone?: string;
  /** null = everything in scope ("scope all"). */
  scope?: SubscriptionSettings["scope"];
  noise?: NoiseRule;
  updateInPlace?: boolean;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string; example: string };

const KEYWORDS = ["at", "tz", "timezone", "scope", "when", "always", "update-in-place", "new-message", "new-messages"];
/** Words that try to aim a change at another channel. */
const OTHER_CHANNEL = /^(--?channel|channel|<#[^>]*>|#\S+|<@[^>]*>)$/i;

/** A rule after "when" runs until the next option (a keyword, or a bare time of day). */
const endsRule = (word: string) => (KEYWORDS.includes(word.toLowerCase()) && word.toLowerCase() !== "always") || parseTimeOfDay(word).ok;

function fail<T>(problem: string, example = SUBSCRIBE_EXAMPLE): ParseResult<T> {
  return { ok: false, problem, example };
}

/** "subscribe idle" / "unsubscribe digest": the kind word, with a kind answer when it is wrong. */
export function parseKind(word: string | undefined, verb: "subscribe" | "unsubscribe"): ParseResult<SubscriptionKind> {
  if (word === undefined) return fail(`Say what to ${verb === "subscribe" ? "subscribe this channel to" : "stop"}: ${KIND_HELP}.`, `${verb} digest`);
  const kind = ownWord(KINDS, word.toLowerCase());
  if (kind) return { ok: true, value: kind };
  const guess = nearest(word, Object.keys(KINDS), 3);
  return fail(
    `"${word.slice(0, 30)}" is not something a channel can ${verb === "subscribe" ? "subscribe to" : "stop"}${guess ? ` (did you mean ${KINDS[guess]}?)` : ""}: ${KIND_HELP}.`,
    `${verb} ${guess ? KINDS[guess] : "digest"}`,
  );
}

/**
 * Parses the words after `subscribe`. Strict: every word must be understood, each option given
 * at most once; never throws on user text.
 */
export function parseSubscribeArgs(tokens: string[], currency: string): ParseResult<SubscribeArgs> {
  const words = tokens.map((t) => t.trim()).filter(Boolean);
  const other = words.find((w) => OTHER_CHANNEL.test(w));
  if (other) return fail("Subscriptions can only be changed from inside the channel itself: run the command there (only its members can).", "subscribe digest");
  const k = parseKind(words[0], "subscribe");
  if (!k.ok) return k;
  const out: SubscribeArgs = { kind: k.value };
  if (k.value === "idle") {
    if (words.length > 1)
      return fail(`subscribe idle takes no options ("${words[1]?.slice(0, 30)}"); the idle scan runs every 15 minutes and alerts once per idle VM.`, "subscribe idle");
    return { ok: true, value: out };
  }
  const seen = new Set<string>();
  const once = (name: string): string | undefined => {
    if (seen.has(name)) return `${name} is given twice; say it once.`;
    seen.add(name);
    return undefined;
  };
  for (let i = 1; i < words.length; i++) {
    const raw = words[i] as string;
    const w = raw.toLowerCase();
    if (w === "at" || parseTimeOfDay(raw).ok) {
      const twice = once("at");
      if (twice) return fail(twice);
      if (w === "at") i++;
      let timeText = words[i];
      if (timeText === undefined) return fail(`"at" needs a time of day, such as at 09:00.`);
      // "at 9:30 am": the am/pm may be a word of its own.
      if (/^(am|pm)$/i.test(words[i + 1] ?? "")) timeText = `${timeText}${words[++i]}`;
      const t = parseTimeOfDay(timeText);
      if (!t.ok) return fail(`${t.problem}.`, "subscribe digest at 08:30");
      out.at = t.value;
      // "at 09:00 Europe/Berlin": a zone right after the time.
      const zone = words[i + 1] !== undefined && !KEYWORDS.includes((words[i + 1] as string).toLowerCase()) ? canonicalTimeZone(words[i + 1] as string) : undefined;
      if (zone) {
        const again = once("tz");
        if (again) return fail(again);
        out.timezone = zone;
        i++;
      }
      continue;
    }
    if (w === "tz" || w === "timezone" || w === "in") {
      const twice = once("tz");
      if (twice) return fail(twice);
      const z = words[++i];
      if (z === undefined) return fail(`"${w}" needs an IANA time zone, such as tz Europe/Berlin or tz America/New_York.`);
      const zone = canonicalTimeZone(z);
      if (!zone)
        return fail(`"${z.slice(0, 40)}" is not an IANA time zone; write it as Region/City, such as Europe/Berlin, America/New_York or UTC.`, "subscribe digest tz Europe/Berlin");
      out.timezone = zone;
      continue;
    }
    if (w === "scope") {
      const twice = once("scope");
      if (twice) return fail(twice);
      const s = words[++i];
      if (s === undefined) return fail(`"scope" needs what the digest covers: ${SCOPE_EXAMPLES.join(", ")}, or all.`, `subscribe digest scope ${SCOPE_EXAMPLES[1]}`);
      if (s.toLowerCase() === "all") {
        out.scope = null;
        continue;
      }
      const p = parseScope(s);
      if (!p.ok) return fail(`${p.problem}.`, `subscribe digest scope ${SCOPE_EXAMPLES[1]}`);
      out.scope = p.value;
      continue;
    }
    if (w === "when" || w === "always") {
      const twice = once("when");
      if (twice) return fail(twice);
      const rule: string[] = [];
      if (w === "always") rule.push("always");
      else while (words[i + 1] !== undefined && !endsRule(words[i + 1] as string)) rule.push(words[++i] as string);
      if (rule.length === 0)
        return fail(`"when" needs a rule: always, change > 10% or change > ${formatMoney(500, currency, { digits: 0 })}.`, "subscribe digest when change > 10%");
      const n = parseNoiseRule(rule.join(" "), currency);
      if (!n.ok) return fail(`${n.problem}.`, "subscribe digest when change > 10%");
      out.noise = n.value;
      continue;
    }
    if (w === "update-in-place" || w === "new-message" || w === "new-messages") {
      const twice = once("update-in-place");
      if (twice) return fail(twice);
      out.updateInPlace = w === "update-in-place";
      continue;
    }
    const guess = nearest(w, KEYWORDS, 3);
    return fail(
      `I don't understand "${raw.slice(0, 30)}" here.${guess ? ` Did you mean ${guess}?` : ""} Options: at HH:MM, tz <zone>, scope <sub:…|rg:…|tag:k=v|all>, when change > N% (or > amount), always, update-in-place, new-message.`,
    );
  }
  return { ok: true, value: out };
}

/** The channel a request may change (or read): its own, and only on a surface that has channels. `example` is the verb's own, to type there. */
function ownChannel(request: CommandRequest, example: string): { platform: string; channelId: string } | Reply {
  if (request.surface === "cli" || request.surface === "job" || request.channel.platform === "cli") {
    return userError(
      "no_channel",
      "Subscriptions belong to a chat channel, and the terminal is not one. Run this in the Slack or Teams channel (or the console) that should get it.",
      `${example} (in that channel)`,
    );
  }
  return { platform: request.channel.platform, channelId: request.channel.id };
}

function noStore(): Reply {
  return userError(
    "store_unavailable",
    "Subscriptions are kept by the running gpuops server, which this answer did not come from. Ask in Slack, Teams or the console (npm start).",
  );
}

const moneyFormat = (amount: number, currency: string) => formatMoney(amount, currency, { digits: amount % 1 === 0 ? 0 : 2 });

/** One line per subscription setting, as a channel reads it. */
export function describeSubscription(s: Pick<ChannelSubscription, "kind" | "at" | "timezone" | "scope" | "noise" | "updateInPlace">): string {
  if (s.kind === "idle") return "idle-GPU alerts as they are found (scanned every 15 minutes), one per idle VM, updated in place";
  return [
    `the GPU-spend digest daily at ${s.at ?? DEFAULT_DIGEST_AT} ${s.timezone}`,
    `covering ${s.scope ? formatScope(s.scope) : "everything in scope"}`,
    describeNoiseRule(s.noise, moneyFormat),
    s.updateInPlace ? "one message, updated in place each day" : "a new message each day",
  ].join(", ");
}

function nextRunText(s: Pick<ChannelSubscription, "kind" | "at" | "timezone">, now: Date): string | undefined {
  if (s.kind !== "digest" || !s.at) return undefined;
  const next = nextDailyRun(s.at, s.timezone, now);
  return next ? describeInstant(next, s.timezone) : undefined;
}

function who(id: string): string {
  return id.slice(0, 60);
}

export const subscribeVerb: Verb = {
  name: "subscribe",
  usesAzure: false,
  summary: "Have this channel get the daily GPU-spend digest or idle-GPU alerts",
  usage: "subscribe digest|idle [at HH:MM] [tz <zone>] [scope sub:…|rg:…|tag:k=v] [when change > 10%|> $500] [update-in-place]",
  examples: [
    "subscribe digest",
    "subscribe digest at 08:30 tz Europe/Berlin",
    "subscribe digest scope rg:rg-training when change > 10%",
    "subscribe digest when change > $500 update-in-place",
    "subscribe idle",
  ],
  details:
    "Changes this channel only; only its members can (the command has to come from the channel). Saying it again changes just the options you give. " +
    "The digest reports yesterday's GPU spend against the 7-day average, the top resource groups, what runs now, idle VMs and quota near its limit. " +
    "`when change > 10%` posts only on days spend moved more than that; `update-in-place` keeps one message and edits it each day.",
  async run(args, request, ctx) {
    const target = ownChannel(request, `subscribe ${args[0]?.toLowerCase() === "idle" ? "idle" : "digest"}`);
    if ("title" in target) return target;
    const parsed = parseSubscribeArgs(args, ctx.settings.currency);
    if (!parsed.ok) return userError("bad_subscription", parsed.problem, parsed.example);
    const port = ctx.services.subscriptions;
    if (!port) return noStore();
    const a = parsed.value;
    const existing = await port.get(target.platform, target.channelId, a.kind);
    const settings: SubscriptionSettings = {
      at: a.kind === "digest" ? (a.at ?? existing?.at ?? ctx.settings.digest?.defaultAt ?? DEFAULT_DIGEST_AT) : null,
      timezone: a.timezone ?? existing?.timezone ?? ctx.settings.timezone,
      scope: a.scope !== undefined ? a.scope : (existing?.scope ?? null),
      noise: a.noise ?? existing?.noise ?? { kind: "always" },
      updateInPlace: a.updateInPlace ?? existing?.updateInPlace ?? false,
    };
    const now = ctx.now();
    const actor = request.actor.name ? { id: request.actor.id, name: request.actor.name } : { id: request.actor.id };
    const result = await port.save({ ...target, kind: a.kind }, settings, actor, now);
    const next = nextRunText(result.current, now);
    const parts: Part[] = [text(`This channel gets ${describeSubscription(result.current)}.`, "success")];
    if (next) parts.push(text(`Next: ${next}.`));
    const title =
      result.action === "subscribe"
        ? `Subscribed: ${a.kind === "digest" ? "daily GPU digest" : "idle-GPU alerts"}`
        : result.action === "change"
          ? `Subscription changed: ${a.kind}`
          : `Already subscribed: ${a.kind}`;
    const context = [
      result.action === "unchanged"
        ? "Nothing changed."
        : `${result.action === "subscribe" ? "Subscribed" : "Changed"} by ${who(request.actor.name ?? request.actor.id)}; recorded.`,
      "`subscriptions` lists what this channel gets; `unsubscribe " + a.kind + "` stops it.",
    ];
    return reply(title, parts, { context });
  },
};

export const unsubscribeVerb: Verb = {
  name: "unsubscribe",
  usesAzure: false,
  summary: "Stop this channel's digest or idle alerts",
  usage: "unsubscribe digest|idle",
  examples: ["unsubscribe digest", "unsubscribe idle"],
  details: "Changes this channel only; only its members can. Recorded with who did it.",
  async run(args, request, ctx) {
    const target = ownChannel(request, `unsubscribe ${args[0]?.toLowerCase() === "idle" ? "idle" : "digest"}`);
    if ("title" in target) return target;
    if (args.some((w) => OTHER_CHANNEL.test(w))) {
      return userError("bad_subscription", "Subscriptions can only be changed from inside the channel itself: run the command there (only its members can).", "unsubscribe digest");
    }
    const k = parseKind(args[0], "unsubscribe");
    if (!k.ok) return userError("bad_subscription", k.problem, k.example);
    if (args.length > 1) return userError("bad_subscription", `unsubscribe takes just the kind (${KIND_HELP}).`, `unsubscribe ${k.value}`);
    const port = ctx.services.subscriptions;
    if (!port) return noStore();
    const actor = request.actor.name ? { id: request.actor.id, name: request.actor.name } : { id: request.actor.id };
    const removed = await port.remove({ ...target, kind: k.value }, actor, ctx.now());
    if (!removed) {
      const has = await port.list({ platform: target.platform, channelId: target.channelId });
      return reply(`Not subscribed: ${k.value}`, [text(`This channel has no ${k.value} subscription, so nothing changed.`)], {
        context: [has.length ? `It has: ${has.map((s) => s.kind).join(", ")}.` : "It has no subscriptions. Try `subscribe digest`."],
      });
    }
    return reply(`Unsubscribed: ${k.value}`, [text(`This channel no longer gets ${describeSubscription(removed)}.`, "success")], {
      context: [`Removed by ${who(request.actor.name ?? request.actor.id)}; recorded. \`subscribe ${k.value}\` brings it back.`],
    });
  },
};

const STATUS_WORDS: Record<string, string> = {
  posted: "posted",
  updated: "posted (updated in place)",
  suppressed: "held back by the noise rule",
  failed: "FAILED",
  skipped: "skipped (gpuops was down)",
  posting: "posting…",
};

export const subscriptionsVerb: Verb = {
  name: "subscriptions",
  usesAzure: false,
  summary: "What this channel is subscribed to, when it next runs, and who changed it",
  usage: "subscriptions",
  examples: ["subscriptions"],
  async run(_args, request, ctx) {
    const target = ownChannel(request, "subscriptions");
    if ("title" in target) return target;
    const port = ctx.services.subscriptions;
    if (!port) return noStore();
    const now = ctx.now();
    const subs = await port.list({ platform: target.platform, channelId: target.channelId });
    if (subs.length === 0) {
      return reply("No subscriptions here", [text("This channel gets nothing on its own yet.")], {
        context: ["Try `subscribe digest` (daily GPU spend) or `subscribe idle` (idle-GPU alerts)."],
      });
    }
    const snapshot = ctx.services.status ? await ctx.services.status.snapshot(target) : undefined;
    const rows: Row[] = subs.map((s) => {
      const job = snapshot?.jobs.find((j) => j.job === `${s.kind}:${s.platform}:${s.channelId}`);
      const last = job?.lastRun;
      return {
        kind: s.kind,
        what: describeSubscription(s),
        next: nextRunText(s, now) ?? (s.kind === "idle" ? "every 15 min" : "—"),
        last: last
          ? `${last.periodKey}: ${STATUS_WORDS[last.status] ?? last.status}${last.status === "failed" && last.detail ? ` (${last.detail.slice(0, 120)})` : ""}`
          : "not yet",
        changed: `${who(s.changedBy)}, ${s.changedAt.slice(0, 16).replace("T", " ")} UTC`,
      };
    });
    const parts: Part[] = [
      table(
        [
          { key: "kind", label: "Kind", priority: 1, kind: "name" },
          { key: "what", label: "Gets", priority: 1, kind: "text" },
          { key: "next", label: "Next run", priority: 1, kind: "date" },
          { key: "last", label: "Last run", priority: 2, kind: "text" },
          { key: "changed", label: "Last changed by", priority: 3, kind: "text" },
        ],
        rows,
      ),
    ];
    const history = await port.history(target.platform, target.channelId, 5);
    if (history.length > 0) {
      parts.push(
        table(
          [
            { key: "at", label: "When (UTC)", priority: 1, kind: "date" },
            { key: "who", label: "Who", priority: 2, kind: "name" },
            { key: "what", label: "Change", priority: 1, kind: "text" },
          ],
          history.map((e) => ({ at: e.at.slice(0, 16).replace("T", " "), who: who(e.actor.name ?? e.actor.id), what: `${e.action} ${e.kind}: ${e.summary}`.slice(0, 300) })),
          { title: "Recent changes" },
        ),
      );
    }
    return reply(`Subscriptions of this channel (${subs.length})`, parts, { context: ["Change with `subscribe …`, stop with `unsubscribe <kind>`."] });
  },
};

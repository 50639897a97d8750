/**
 * Reply → Slack Block Kit. Every answer fits Slack's limits by construction: long tables are cut
 * with "N more — narrow with …" instead of being rejected by Slack, and all text from the Reply is
 * escaped (&, <, >) so user input echoed back can neither ping @channel nor smuggle a link.
 * Limits: docs/platform-facts.md section B (S2, S3, S4, S7, S14).
 *
 * @example
 * const { text, blocks } = renderSlack(reply);           // a message (50 blocks)
 * const home = renderSlack(reply, { maxBlocks: 100 });    // App Home / modal surfaces
 */
import type { Action, Column, FactsPart, Part, Reply, TablePart, TextPart } from "../reply/reply.ts";

/** Block Kit limits we render against (platform-facts B). */
export const SLACK_LIMITS = {
  /** Blocks per message [S2]; App Home and modals allow 100. */
  messageBlocks: 50,
  surfaceBlocks: 100,
  /** Section text [S3]. */
  sectionText: 3000,
  /** Section fields: count and characters each [S3]. */
  fields: 10,
  fieldText: 2000,
  /** Button text, action_id, value [S4]. */
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  /** Elements in an actions / context block [S14]. */
  actionsElements: 25,
  contextElements: 10,
  /** A header block's plain_text (Slack's header block reference). */
  headerText: 150,
  /** Whole-message block content: Slack fails with msg_blocks_too_long near ~13k chars [S7]; stay well under. */
  messageChars: 12_000,
  /** Fallback `text` (notifications); Slack truncates above 40k [S7]. */
  fallbackText: 3000,
  imageUrl: 3000,
  imageAlt: 2000,
} as const;

/** Budget the renderer aims for; the validator allows up to SLACK_LIMITS.messageChars. */
const RENDER_BUDGET = 11_000;

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: "mrkdwn";
  text: string;
}
export type TextObject = PlainText | MrkdwnText;

export interface ButtonElement {
  type: "button";
  text: PlainText;
  action_id: string;
  value: string;
  style?: "primary" | "danger";
  confirm?: { title: PlainText; text: PlainText; confirm: PlainText; deny: PlainText };
}

export interface HeaderBlock {
  type: "header";
  text: PlainText;
}
export interface SectionBlock {
  type: "section";
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}
export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}
export interface ActionsBlock {
  type: "actions";
  elements: ButtonElement[];
}
export interface ImageBlock {
  type: "image";
  image_url: string;
  alt_text: string;
}
export interface DividerBlock {
  type: "divider";
}
export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | ImageBlock | DividerBlock;

/** What chat.postMessage, respond() and ack() take: blocks plus the notification fallback. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface RenderSlackOptions {
  /** 50 for messages (default), 100 for App Home and modals. */
  maxBlocks?: number;
  /** Extra buttons appended after the Reply's own (e.g. "Share in channel"). */
  extraActions?: Action[];
  /** Extra context lines in Slack mrkdwn that the door built itself (already safe, e.g. a validated `<@U…>`). */
  trustedContext?: string[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Decodes the entities Slack puts into user text (slash command text), so parsing sees what was typed. */
export function unescapeSlackText(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Escaped text no longer than `max`, cut with "…" on a whole character (never inside an entity). */
export function fitEscaped(raw: string, max: number): string {
  const full = escapeMrkdwn(raw);
  if (full.length <= max) return full;
  const chars = [...raw];
  let n = Math.min(chars.length, max);
  let out = escapeMrkdwn(chars.slice(0, n).join(""));
  while (n > 0 && out.length + 1 > max) {
    n -= Math.max(1, Math.ceil((out.length + 1 - max) / 5));
    out = escapeMrkdwn(chars.slice(0, Math.max(0, n)).join(""));
  }
  return `${out}…`;
}

const plain = (text: string, max: number): PlainText => ({ type: "plain_text", text: cutPlain(text, max), emoji: true });
const mrkdwn = (text: string): MrkdwnText => ({ type: "mrkdwn", text });
function cutPlain(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}

/** The JSON a button carries back: a verb and a payload of ids (validated on the way back). */
export interface ButtonValue {
  verb: string;
  payload: Record<string, string | number>;
}

/** action_ids of gpuops buttons start with this; one Bolt listener routes them all. */
export const ACTION_ID_PREFIX = "gpuops:";

export function buttonFor(a: Action, index: number): ButtonElement | undefined {
  const value = JSON.stringify({ verb: a.verb, payload: a.payload } satisfies ButtonValue);
  const actionId = `${ACTION_ID_PREFIX}${a.verb}:${index}`;
  // Payloads are ids by contract; a button that cannot carry its payload is left out, not truncated.
  if (value.length > SLACK_LIMITS.buttonValue || actionId.length > SLACK_LIMITS.actionId) return undefined;
  const b: ButtonElement = { type: "button", text: plain(a.label, SLACK_LIMITS.buttonText), action_id: actionId, value };
  if (a.style) b.style = a.style;
  if (a.confirm) {
    b.confirm = { title: plain(a.confirm.title, 100), text: plain(a.confirm.text, 300), confirm: plain(a.confirm.confirm, 30), deny: plain(a.confirm.deny, 30) };
  }
  return b;
}

const size = (b: SlackBlock) => JSON.stringify(b).length;

/** Splits escaped text into section-sized pieces on line boundaries (hard cut for a giant line). */
function splitSections(escaped: string, max: number = SLACK_LIMITS.sectionText): string[] {
  const out: string[] = [];
  let cur = "";
  for (const line of escaped.split("\n")) {
    const candidate = cur ? `${cur}\n${line}` : line;
    if (candidate.length <= max) {
      cur = candidate;
      continue;
    }
    if (cur) out.push(cur);
    let rest = line;
    while (rest.length > max) {
      // Never cut inside an entity such as &amp;.
      let cut = max;
      const amp = rest.lastIndexOf("&", cut);
      if (amp > max - 6 && rest.indexOf(";", amp) >= cut) cut = amp;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    cur = rest;
  }
  if (cur) out.push(cur);
  return out;
}

const TONE_PREFIX: Record<string, string> = { error: ":x: ", warning: ":warning: ", success: ":white_check_mark: " };

function textBlocks(p: TextPart): SectionBlock[] {
  const prefix = p.tone ? (TONE_PREFIX[p.tone] ?? "") : "";
  return splitSections(prefix + escapeMrkdwn(p.text)).map((t) => ({ type: "section", text: mrkdwn(t) }));
}

function factsBlocks(p: FactsPart): SectionBlock[] {
  const fields = p.facts.map((f) => mrkdwn(`*${fitEscaped(f.label.replace(/\s+/g, " "), 200)}*\n${fitEscaped(f.value, SLACK_LIMITS.fieldText - 210)}`));
  const out: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fields) out.push({ type: "section", fields: fields.slice(i, i + SLACK_LIMITS.fields) });
  return out;
}

/** Visible characters (code points); the spread is only needed when there are surrogate pairs. */
const width = (s: string) => (/[\uD800-\uDFFF]/.test(s) ? [...s].length : s.length);
const pad = (s: string, n: number, right: boolean) => (right ? " ".repeat(Math.max(0, n - width(s))) + s : s + " ".repeat(Math.max(0, n - width(s))));
/** A cell may not close the code fence it sits in. */
const cell = (s: string) => s.replace(/`{3,}/g, "'''").replace(/\s+/g, " ");

/** Monospace lines of a table (header, rule, rows), padded on visible characters, then escaped. */
function tableLines(columns: Column[], rows: Array<Record<string, string>>): { head: string[]; rows: string[] } {
  const cells = rows.map((r) => columns.map((c) => cell(r[c.key] ?? "")));
  const widths = columns.map((c, i) => Math.max(width(c.label), ...cells.map((r) => width(r[i] ?? ""))));
  const line = (cs: string[]) =>
    escapeMrkdwn(
      cs
        .map((x, i) => pad(x, widths[i] ?? 0, columns[i]?.align === "right"))
        .join("  ")
        .trimEnd(),
    );
  return { head: [line(columns.map((c) => cell(c.label))), widths.map((w) => "-".repeat(w)).join("  ")], rows: cells.map(line) };
}

/** Characters JSON escaping adds to a string (quotes aside). */
const jsonExtra = (s: string) => JSON.stringify(s).length - s.length - 2;
const codeBlock = (lines: string[]) => `\`\`\`${lines.join("\n")}\`\`\``;

interface Budget {
  blocks: number;
  chars: number;
}

/** Table → an optional title section and code-block sections, cut to the budget with "N more — narrow with …". */
function tableBlocks(p: TablePart, budget: Budget): SlackBlock[] {
  const out: SlackBlock[] = [];
  const take = (b: SlackBlock) => {
    out.push(b);
    budget.blocks -= 1;
    budget.chars -= size(b);
  };
  if (p.title && budget.blocks > 1) take({ type: "section", text: mrkdwn(`*${fitEscaped(p.title, 300)}*`) });
  if (p.rows.length === 0) {
    if (budget.blocks > 0) take({ type: "section", text: mrkdwn("_No rows._") });
    return out;
  }
  const { head, rows } = tableLines(p.columns, p.rows);
  // Room for the cut notice is kept back until we know whether it is needed.
  const notice = 160 + (p.narrowHint?.length ?? 0) * 5;
  let shown = 0;
  const headText = head.join("\n");
  while (shown < rows.length && budget.blocks > 1) {
    const chunk = [...head];
    // Track the section's text length (limit 3,000) and its JSON size (the message budget) as rows are added.
    let textLen = headText.length + 6;
    let jsonLen = textLen + jsonExtra(headText) + 60;
    let n = 0;
    while (shown + n < rows.length) {
      const next = rows[shown + n] as string;
      const t = textLen + 1 + next.length;
      const j = jsonLen + 2 + next.length + jsonExtra(next);
      const last = shown + n + 1 === rows.length;
      if (t > SLACK_LIMITS.sectionText || j > budget.chars - (last ? 0 : notice)) break;
      chunk.push(next);
      textLen = t;
      jsonLen = j;
      n += 1;
    }
    if (n === 0) break;
    take({ type: "section", text: mrkdwn(codeBlock(chunk)) });
    shown += n;
  }
  const more = rows.length - shown;
  if (more > 0) {
    const hint = p.narrowHint ? ` — narrow with \`${fitEscaped(p.narrowHint, 200)}\`` : "";
    out.push({ type: "context", elements: [mrkdwn(`${more} more${hint}`)] });
    budget.blocks -= 1;
    budget.chars -= notice;
  }
  return out;
}

function contextBlock(lines: string[]): ContextBlock | undefined {
  if (lines.length === 0) return undefined;
  const max = SLACK_LIMITS.contextElements;
  const kept = lines.length <= max ? lines : [...lines.slice(0, max - 1), lines.slice(max - 1).join(" · ")];
  return { type: "context", elements: kept.map((l) => mrkdwn(l.length > SLACK_LIMITS.sectionText ? `${l.slice(0, SLACK_LIMITS.sectionText - 1)}…` : l)) };
}

function actionBlocks(list: Action[]): ActionsBlock[] {
  const buttons: ButtonElement[] = [];
  list.forEach((a, i) => {
    const b = buttonFor(a, i);
    if (b) buttons.push(b);
  });
  const out: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.actionsElements) out.push({ type: "actions", elements: buttons.slice(i, i + SLACK_LIMITS.actionsElements) });
  return out;
}

/**
 * Renders a Reply as a Slack message. Order: header, the parts, a cut notice when something had
 * to go, the buttons, then the small print (freshness, demo-data notice).
 */
export function renderSlack(reply: Reply, opts: RenderSlackOptions = {}): SlackMessage {
  const maxBlocks = opts.maxBlocks ?? SLACK_LIMITS.messageBlocks;
  const header: HeaderBlock = { type: "header", text: plain(reply.title || "gpuops", SLACK_LIMITS.headerText) };
  const actionsList = [...reply.parts.filter((p) => p.kind === "actions").flatMap((p) => p.actions), ...(opts.extraActions ?? [])];
  const tail: SlackBlock[] = [...actionBlocks(actionsList)];
  const ctx = contextBlock([...reply.context.map((c) => fitEscaped(c, 1000)), ...(opts.trustedContext ?? [])]);
  if (ctx) tail.push(ctx);

  const budget: Budget = {
    blocks: maxBlocks - 1 - tail.length,
    chars: RENDER_BUDGET - size(header) - tail.reduce((n, b) => n + size(b), 0),
  };
  const body: SlackBlock[] = [];
  let dropped = 0;
  const push = (b: SlackBlock) => {
    // One block stays in reserve for the "cut" notice.
    if (budget.blocks <= 1 || size(b) > budget.chars - 200) {
      dropped += 1;
      return;
    }
    body.push(b);
    budget.blocks -= 1;
    budget.chars -= size(b);
  };
  for (const part of reply.parts as Part[]) {
    switch (part.kind) {
      case "text":
        for (const b of textBlocks(part)) push(fitSection(b, budget));
        break;
      case "facts":
        for (const b of factsBlocks(part)) push(b);
        break;
      case "table":
        if (budget.blocks > 1) body.push(...tableBlocks(part, budget));
        else dropped += 1;
        break;
      case "image":
        if (part.url && /^https:\/\//.test(part.url) && part.url.length <= SLACK_LIMITS.imageUrl) {
          push({ type: "image", image_url: part.url, alt_text: cutPlain(part.alt || "chart", SLACK_LIMITS.imageAlt) });
        } else {
          push({ type: "context", elements: [mrkdwn(`Chart: ${fitEscaped(part.alt, 500)} (Slack shows charts once gpuops has a public https address: GPUOPS_PUBLIC_URL)`)] });
        }
        break;
      case "actions":
        break;
    }
  }
  if (dropped > 0)
    body.push({ type: "context", elements: [mrkdwn(`${dropped} more part${dropped === 1 ? "" : "s"} of this answer did not fit in Slack; ask a narrower question.`)] });

  const firstText = reply.parts.find((p): p is TextPart => p.kind === "text")?.text;
  const fallback = fitEscaped(firstText ? `${reply.title}: ${firstText}` : reply.title, SLACK_LIMITS.fallbackText);
  return { text: fallback, blocks: [header, ...body, ...tail] };
}

/** A text section cut to what the budget still allows (the rest of a long explanation is dropped with "…"). */
function fitSection(b: SectionBlock, budget: Budget): SectionBlock {
  const t = b.text?.text ?? "";
  const room = budget.chars - 260;
  if (t.length + 40 <= room || room < 300) return b;
  let cut = room - 40;
  const amp = t.lastIndexOf("&", cut);
  if (amp > cut - 6 && t.indexOf(";", amp) >= cut) cut = amp;
  return { type: "section", text: mrkdwn(`${t.slice(0, cut)}…`) };
}

/** A mrkdwn text may only contain "<" as the start of a user or channel mention the door put there. */
const SAFE_ANGLE = /<(@[UW][A-Z0-9]+|#C[A-Z0-9]+)>/g;

/**
 * Checks a rendered message (or App Home / modal blocks) against Slack's Block Kit limits and the
 * escaping rule. Returns the problems found, empty when the message is safe to send.
 */
export function checkSlackLimits(msg: { text?: string; blocks: SlackBlock[] }, opts: { maxBlocks?: number } = {}): string[] {
  const L = SLACK_LIMITS;
  const problems: string[] = [];
  const maxBlocks = opts.maxBlocks ?? L.messageBlocks;
  if (msg.blocks.length > maxBlocks) problems.push(`${msg.blocks.length} blocks > ${maxBlocks}`);
  const total = msg.blocks.reduce((n, b) => n + size(b), 0);
  if (maxBlocks === L.messageBlocks && total > L.messageChars) problems.push(`block content ${total} chars > ${L.messageChars}`);
  if (msg.text !== undefined && msg.text.length > L.fallbackText) problems.push(`fallback text ${msg.text.length} > ${L.fallbackText}`);
  const checkMrkdwn = (t: TextObject, where: string) => {
    if (t.type !== "mrkdwn") return;
    const rest = t.text.replace(SAFE_ANGLE, "");
    if (/[<>]/.test(rest)) problems.push(`${where}: unescaped < or > in mrkdwn: ${JSON.stringify(t.text.slice(0, 80))}`);
  };
  if (msg.text !== undefined) checkMrkdwn(mrkdwn(msg.text), "text");
  const actionIds = new Set<string>();
  msg.blocks.forEach((b, i) => {
    const at = `block ${i} (${b.type})`;
    switch (b.type) {
      case "header":
        if (b.text.text.length > L.headerText) problems.push(`${at}: header ${b.text.text.length} > ${L.headerText}`);
        break;
      case "section":
        if (!b.text && !b.fields?.length) problems.push(`${at}: section without text or fields`);
        if (b.text) {
          if (b.text.text.length > L.sectionText) problems.push(`${at}: text ${b.text.text.length} > ${L.sectionText}`);
          if (b.text.text.length === 0) problems.push(`${at}: empty text`);
          checkMrkdwn(b.text, at);
        }
        if (b.fields) {
          if (b.fields.length > L.fields) problems.push(`${at}: ${b.fields.length} fields > ${L.fields}`);
          for (const f of b.fields) {
            if (f.text.length > L.fieldText) problems.push(`${at}: field ${f.text.length} > ${L.fieldText}`);
            checkMrkdwn(f, at);
          }
        }
        break;
      case "context":
        if (b.elements.length === 0 || b.elements.length > L.contextElements) problems.push(`${at}: ${b.elements.length} elements (1..${L.contextElements})`);
        for (const e of b.elements) {
          if (e.text.length > L.sectionText) problems.push(`${at}: element ${e.text.length} > ${L.sectionText}`);
          checkMrkdwn(e, at);
        }
        break;
      case "actions":
        if (b.elements.length === 0 || b.elements.length > L.actionsElements) problems.push(`${at}: ${b.elements.length} elements (1..${L.actionsElements})`);
        for (const e of b.elements) {
          if (e.text.text.length > L.buttonText) problems.push(`${at}: button text ${e.text.text.length} > ${L.buttonText}`);
          if (e.action_id.length > L.actionId) problems.push(`${at}: action_id ${e.action_id.length} > ${L.actionId}`);
          if (e.value.length > L.buttonValue) problems.push(`${at}: value ${e.value.length} > ${L.buttonValue}`);
          if (actionIds.has(e.action_id)) problems.push(`${at}: duplicate action_id ${e.action_id}`);
          actionIds.add(e.action_id);
        }
        break;
      case "image":
        if (b.image_url.length > L.imageUrl) problems.push(`${at}: image_url too long`);
        if (b.alt_text.length > L.imageAlt) problems.push(`${at}: alt_text too long`);
        break;
      case "divider":
        break;
    }
  });
  return problems;
}

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
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  ImageBlock,
  MrkdwnElement,
  PlainTextElement,
  RawTextElement,
  RichTextBlock,
  SectionBlock,
  TableBlock,
  TextObject,
} from "@slack/types";
import type { Action, Column, FactsPart, Part, Reply, TablePart, TextPart } from "../reply/reply.ts";
import { dropUntilFits, keepsWhole, kindOf, priorityOf, width } from "./columns.ts";

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

/** A button as gpuops sends it: always a label, an action_id and a value (the @slack/types Button, narrowed). */
export type ButtonElement = Button & { text: PlainTextElement; action_id: string; value: string };
/** The @slack/types blocks, narrowed to what gpuops sends: buttons-only actions, text-only context, images by URL. */
export type ButtonsBlock = Omit<ActionsBlock, "elements"> & { elements: ButtonElement[] };
export type TextContextBlock = Omit<ContextBlock, "elements"> & { elements: TextObject[] };
export type UrlImageBlock = Extract<ImageBlock, { image_url: string }>;
export type SlackBlock = HeaderBlock | SectionBlock | TextContextBlock | ButtonsBlock | UrlImageBlock | DividerBlock | TableBlock;
export type { SectionBlock, TableBlock } from "@slack/types";

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
  /**
   * Render the main table as a native `table` block (the default for messages). App Home and
   * modals, and callers that pass `maxBlocks`, get code-block tables instead.
   */
  nativeTable?: boolean;
  /** Charts without a public URL are uploaded as files after the message (the caption says so). */
  chartUploads?: boolean;
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

const plain = (text: string, max: number): PlainTextElement => ({ type: "plain_text", text: cutPlain(text, max), emoji: true });
const mrkdwn = (text: string): MrkdwnElement => ({ type: "mrkdwn", text });
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

const pad = (s: string, n: number, right: boolean) => (right ? " ".repeat(Math.max(0, n - width(s))) + s : s + " ".repeat(Math.max(0, n - width(s))));
/** A cell may not close the code fence it sits in. */
const cell = (s: string) => s.replace(/`{3,}/g, "'''").replace(/\s+/g, " ");
/** `s` cut to `n` visible characters with "…". */
const cutTo = (s: string, n: number) => (width(s) <= n ? s : `${[...s].slice(0, Math.max(0, n - 1)).join("")}…`);

/** Widest line of a monospaced table, in visible characters: about what a phone shows without wrapping. */
export const CODE_LINE_WIDTH = 70;
const GAP = 2;
/** Narrowest a cut column gets: enough for "fits 2 VMs" or the start of a name. */
const MIN_CUT_WIDTH = 10;

interface CodeLayout {
  columns: Column[];
  /** Visible width of each kept column (cells longer than that are cut with "…"). */
  widths: number[];
  dropped: Column[];
}

/**
 * Which columns a code-block table shows within CODE_LINE_WIDTH, and how wide: drop the least
 * important columns first, then narrow sentence columns (they wrap) and name columns (cut with
 * "…"), and only then drop important columns from the right. Money, sizes and dates stay whole.
 */
function codeLayout(columns: Column[], cells: (c: Column) => string[]): CodeLayout {
  const natural = new Map(columns.map((c) => [c, Math.max(width(c.label), ...cells(c).map(width))]));
  const total = (cols: Column[], w: (c: Column) => number) => cols.reduce((n, c) => n + w(c), 0) + GAP * (cols.length - 1);
  const nat = (c: Column) => natural.get(c) ?? 0;
  /** Widths for `kept`: natural, then sentence columns narrowed (they wrap), then names (cut with "…"). */
  const narrowed = (kept: Column[]) => {
    const widths = new Map(kept.map((c) => [c, nat(c)]));
    const widestOf = (kind: "text" | "name") =>
      kept.filter((c) => kindOf(c) === kind && (widths.get(c) ?? 0) > MIN_CUT_WIDTH).sort((a, b) => (widths.get(b) ?? 0) - (widths.get(a) ?? 0))[0];
    while (total(kept, (c) => widths.get(c) ?? 0) > CODE_LINE_WIDTH) {
      const widest = widestOf("text") ?? widestOf("name");
      if (!widest) break;
      widths.set(widest, (widths.get(widest) ?? 0) - 1);
    }
    return widths;
  };
  // Columns that matter least go first, before anything is narrowed.
  let kept = dropUntilFits(columns, (cols) => total(cols, nat) <= CODE_LINE_WIDTH || cols.every((c) => priorityOf(c) < 3));
  let widths = narrowed(kept);
  while (kept.length > 1 && total(kept, (c) => widths.get(c) ?? 0) > CODE_LINE_WIDTH) {
    kept = dropUntilFits(kept, (cols) => cols.length < kept.length);
    widths = narrowed(kept);
  }
  // One column left and still too wide: it is cut, whatever it holds.
  const only = kept[0];
  if (kept.length === 1 && only && (widths.get(only) ?? 0) > CODE_LINE_WIDTH) widths.set(only, CODE_LINE_WIDTH);
  return { columns: kept, widths: kept.map((c) => widths.get(c) ?? 0), dropped: columns.filter((c) => !kept.includes(c)) };
}

/** Word-wraps `s` to lines of at most `n` visible characters (a word longer than that is split). */
function wrapTo(s: string, n: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (let word of s.split(" ")) {
    while (width(word) > n) {
      if (cur) out.push(cur);
      cur = "";
      const chars = [...word];
      out.push(chars.slice(0, n).join(""));
      word = chars.slice(n).join("");
    }
    const next = cur ? `${cur} ${word}` : word;
    if (width(next) <= n) cur = next;
    else {
      out.push(cur);
      cur = word;
    }
  }
  out.push(cur);
  return out;
}

/**
 * Monospace lines of a table (header, rule, rows) within CODE_LINE_WIDTH, then escaped. A
 * sentence cell wider than its column wraps onto continuation lines; a name is cut with "…".
 */
function tableLines(p: TablePart): { head: string[]; rows: string[]; dropped: Column[] } {
  const layout = codeLayout(p.columns, (c) => p.rows.map((r) => cell(r[c.key] ?? "")));
  const { columns, widths } = layout;
  const line = (cs: string[]) =>
    escapeMrkdwn(
      cs
        .map((x, i) => pad(x, widths[i] ?? 0, columns[i]?.align === "right"))
        .join(" ".repeat(GAP))
        .trimEnd(),
    );
  const row = (cs: string[]) => {
    const cellLines = cs.map((x, i) => (kindOf(columns[i] as Column) === "text" ? wrapTo(x, widths[i] ?? 0) : [cutTo(x, widths[i] ?? 0)]));
    const height = Math.max(1, ...cellLines.map((l) => l.length));
    return Array.from({ length: height }, (_, k) => line(cellLines.map((l) => l[k] ?? ""))).join("\n");
  };
  const rows = p.rows.map((r) => row(columns.map((c) => cell(r[c.key] ?? ""))));
  return {
    head: [line(columns.map((c) => cutTo(cell(c.label), widths[columns.indexOf(c)] ?? 0))), widths.map((w) => "-".repeat(w)).join(" ".repeat(GAP))],
    rows,
    dropped: layout.dropped,
  };
}

/** Characters JSON escaping adds to a string (quotes aside). */
const jsonExtra = (s: string) => JSON.stringify(s).length - s.length - 2;
const codeBlock = (lines: string[]) => `\`\`\`${lines.join("\n")}\`\`\``;

interface Budget {
  blocks: number;
  chars: number;
}

/** The "N more — narrow with …" notice under a cut table. */
function moreNotice(p: TablePart, more: number): TextContextBlock {
  const hint = p.narrowHint ? ` — narrow with \`${fitEscaped(p.narrowHint, 200)}\`` : "";
  return { type: "context", elements: [mrkdwn(`${more} more${hint}`)] };
}
/** Room kept back for the cut notice until we know whether it is needed. */
const noticeRoom = (p: TablePart) => 160 + (p.narrowHint?.length ?? 0) * 5;

/** Table → an optional title section and code-block sections, cut to the budget with "N more — narrow with …". */
function codeTableBlocks(p: TablePart, budget: Budget): SlackBlock[] {
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
  const { head, rows, dropped } = tableLines(p);
  const droppedNote = dropped.length > 0 ? `Left out to fit a phone: ${fitEscaped(dropped.map((c) => c.label).join(", "), 400)}.` : "";
  const notice = noticeRoom(p) + droppedNote.length + 40;
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
      if (t > SLACK_LIMITS.sectionText || j > budget.chars - notice) break;
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
  const notes: MrkdwnElement[] = [];
  if (more > 0) notes.push(...moreNotice(p, more).elements.filter((e): e is MrkdwnElement => e.type === "mrkdwn"));
  if (droppedNote && shown > 0) notes.push(mrkdwn(droppedNote));
  if (notes.length > 0) {
    out.push({ type: "context", elements: notes });
    budget.blocks -= 1;
    budget.chars -= notice;
  }
  return out;
}

/** Slack's table block limits (Slack's table block reference): rows including the header, cells per row. */
export const SLACK_TABLE_LIMITS = { rows: 100, cells: 20, columnSettings: 20, perMessage: 1 } as const;
/** Longest cell we put in a table block (ours, not Slack's): a cell is a value, not a paragraph. */
const TABLE_CELL_MAX = 500;

const rawCell = (s: string): RawTextElement => ({ type: "raw_text", text: cutTo(s.replace(/\s+/g, " ").trim(), TABLE_CELL_MAX) || "—" });
const headerCell = (s: string): RichTextBlock => ({
  type: "rich_text",
  elements: [{ type: "rich_text_section", elements: [{ type: "text", text: cutTo(s, TABLE_CELL_MAX) || " ", style: { bold: true } }] }],
});

/**
 * Table → Slack's native `table` block (one per message, at most 100 rows and 20 cells a row):
 * a bold header row, plain-text cells (never parsed as mrkdwn, so nothing to escape), right-aligned
 * numbers, and only sentence columns wrapping. Rows past the budget are cut with "N more — narrow with …".
 */
function nativeTableBlocks(p: TablePart, budget: Budget): SlackBlock[] {
  const out: SlackBlock[] = [];
  const take = (b: SlackBlock) => {
    out.push(b);
    budget.blocks -= 1;
    budget.chars -= size(b);
  };
  if (p.title && budget.blocks > 2) take({ type: "section", text: mrkdwn(`*${fitEscaped(p.title, 300)}*`) });
  const columns = dropUntilFits(p.columns, (cols) => cols.length <= SLACK_TABLE_LIMITS.cells);
  const table: TableBlock = {
    type: "table",
    column_settings: columns.map((c) => ({ align: c.align === "right" ? "right" : "left", is_wrapped: !keepsWhole(c) })),
    rows: [columns.map((c) => headerCell(c.label))],
  };
  const notice = noticeRoom(p);
  let used = size(table);
  let shown = 0;
  for (const r of p.rows) {
    if (table.rows.length >= SLACK_TABLE_LIMITS.rows) break;
    const row = columns.map((c) => rawCell(r[c.key] ?? ""));
    const add = JSON.stringify(row).length + 1;
    const last = shown + 1 === p.rows.length;
    if (used + add > budget.chars - (last ? 0 : notice)) break;
    table.rows.push(row);
    used += add;
    shown += 1;
  }
  take(table);
  if (shown < p.rows.length) {
    out.push(moreNotice(p, p.rows.length - shown));
    budget.blocks -= 1;
    budget.chars -= notice;
  }
  return out;
}

function contextBlock(lines: string[]): TextContextBlock | undefined {
  if (lines.length === 0) return undefined;
  const max = SLACK_LIMITS.contextElements;
  const kept = lines.length <= max ? lines : [...lines.slice(0, max - 1), lines.slice(max - 1).join(" · ")];
  return { type: "context", elements: kept.map((l) => mrkdwn(l.length > SLACK_LIMITS.sectionText ? `${l.slice(0, SLACK_LIMITS.sectionText - 1)}…` : l)) };
}

function actionBlocks(list: Action[]): ButtonsBlock[] {
  const buttons: ButtonElement[] = [];
  list.forEach((a, i) => {
    const b = buttonFor(a, i);
    if (b) buttons.push(b);
  });
  const out: ButtonsBlock[] = [];
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
  let useNative = opts.nativeTable ?? opts.maxBlocks === undefined;
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
        if (budget.blocks <= 1) dropped += 1;
        else if (useNative && part.rows.length > 0) {
          // Slack allows one table block per message: the first table with rows gets it.
          useNative = false;
          body.push(...nativeTableBlocks(part, budget));
        } else body.push(...codeTableBlocks(part, budget));
        break;
      case "image":
        if (part.url && slackCanShowImage(part.url)) {
          push({ type: "image", image_url: part.url, alt_text: cutPlain(part.alt || "chart", SLACK_LIMITS.imageAlt) });
        } else if (opts.chartUploads && part.imageId !== undefined) {
          push({ type: "context", elements: [mrkdwn(`Chart: ${fitEscaped(part.alt, 500)} (attached below as an image)`)] });
        } else {
          push({
            type: "context",
            elements: [
              mrkdwn(
                `Chart: ${fitEscaped(part.alt, 500)} (Slack shows charts in answers posted to the channel, or everywhere once gpuops has a public https address: GPUOPS_PUBLIC_URL)`,
              ),
            ],
          });
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

/** Slack fetches an image block's URL itself: only a public https URL within the length limit works. */
export function slackCanShowImage(url: string): boolean {
  return /^https:\/\//.test(url) && url.length <= SLACK_LIMITS.imageUrl;
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
  let tables = 0;
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
      case "table": {
        tables += 1;
        const T = SLACK_TABLE_LIMITS;
        if (b.rows.length === 0 || b.rows.length > T.rows) problems.push(`${at}: ${b.rows.length} rows (1..${T.rows})`);
        if ((b.column_settings?.length ?? 0) > T.columnSettings) problems.push(`${at}: ${b.column_settings?.length} column settings > ${T.columnSettings}`);
        const cols = b.rows[0]?.length ?? 0;
        b.rows.forEach((row, r) => {
          if (row.length === 0 || row.length > T.cells) problems.push(`${at}: row ${r} has ${row.length} cells (1..${T.cells})`);
          if (row.length !== cols) problems.push(`${at}: row ${r} has ${row.length} cells, the header ${cols}`);
          for (const c of row) if (c.type === "raw_text" && c.text.length === 0) problems.push(`${at}: row ${r} has an empty raw_text cell`);
        });
        break;
      }
      case "divider":
        break;
    }
  });
  if (maxBlocks === L.messageBlocks && tables > SLACK_TABLE_LIMITS.perMessage) problems.push(`${tables} table blocks > ${SLACK_TABLE_LIMITS.perMessage} per message`);
  return problems;
}

/** Lines of code blocks wider than CODE_LINE_WIDTH visible characters (entities count as the character they stand for). */
export function wideCodeLines(msg: { blocks: SlackBlock[] }): string[] {
  const out: string[] = [];
  for (const b of msg.blocks) {
    if (b.type !== "section" || !b.text) continue;
    for (const m of b.text.text.matchAll(/```([\s\S]*?)```/g)) {
      for (const line of (m[1] ?? "").split("\n")) if (width(unescapeSlackText(line)) > CODE_LINE_WIDTH) out.push(line);
    }
  }
  return out;
}

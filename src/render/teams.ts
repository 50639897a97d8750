/**
 * Reply → Adaptive Card (schema 1.5, Teams' limit; platform-facts C, T3) by binding the Reply to
 * the templates in the top-level cards/ folder with adaptivecards-templating. The result is plain
 * card JSON with no SDK types, so the Teams door sends it and the local console renders the very
 * same card with the Adaptive Cards JS renderer.
 *
 * Safety: every piece of text from the Reply lands in a RichTextBlock TextRun, which Adaptive Cards
 * never parses as markdown, so user text cannot become a link or a mention; template expressions in
 * bound data are not re-evaluated by the templating engine. A plain table cell or list line is a
 * TextRun written as a bare string in `inlines` (the schema's shorthand for a TextRun with no
 * properties): the same run, a sixth fewer bytes on a table card, which every send copies. Size: the card is kept under
 * TEAMS_CARD_MAX_BYTES (the 28 KB design budget, platform-facts "Discrepancies" 1) by showing at
 * most CARD_ROWS rows a table, with "N more — narrow with …" under a cut table and, when the door
 * offers it (`moreRows`), a "Show all N rows" button whose answer pages through the rest.
 *
 * The templating package costs about half a second to load, so it is loaded on the first card,
 * not at start-up (a server without Teams or the console never loads it).
 *
 * @example
 * const card = renderAdaptiveCard(reply);
 * activity.attachments = [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }];
 */
import { createRequire } from "node:module";
import actionsTemplate from "../../cards/actions.json" with { type: "json" };
import envelopeTemplate from "../../cards/envelope.json" with { type: "json" };
import factsTemplate from "../../cards/facts.json" with { type: "json" };
import imageTemplate from "../../cards/image.json" with { type: "json" };
import tableTemplate from "../../cards/table.json" with { type: "json" };
import textTemplate from "../../cards/text.json" with { type: "json" };
import { type Action, type Column, type Part, type Reply, type TablePart, type Tone, USER_ERROR_TITLE } from "../reply/reply.ts";
import { dropUntilFits, kindOf, narrowColumns } from "./columns.ts";

/** An Adaptive Card as JSON: what Teams, Bot Framework and the JS renderer accept. */
export type AdaptiveCardJson = { type: "AdaptiveCard"; version: string; body: unknown[] } & Record<string, unknown>;

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
/** Card budget in UTF-8 bytes of its JSON: 28 KB, the smallest Teams posting limit on record. */
export const TEAMS_CARD_MAX_BYTES = 28 * 1024;
/** What a card button sends back: Action.Execute `data` and its Action.Submit fallback `data`. */
export interface CardActionData {
  verb: string;
  payload: Record<string, string | number>;
}

interface Template {
  expand(context: { $root: unknown }): unknown;
}
type TemplateCtor = new (payload: unknown) => Template;
type Templates = Record<Part["kind"] | "envelope", Template>;

let loaded: Templates | undefined;
/** The bound templates, built on first use: loading adaptivecards-templating is most of its cost. */
function templates(): Templates {
  if (loaded) return loaded;
  // The templating package ships CommonJS only; createRequire keeps it out of the ESM resolver.
  const { Template: TemplateClass } = createRequire(import.meta.url)("adaptivecards-templating") as { Template: TemplateCtor };
  loaded = {
    envelope: new TemplateClass(envelopeTemplate),
    text: new TemplateClass(textTemplate),
    facts: new TemplateClass(factsTemplate),
    table: new TemplateClass(tableTemplate),
    image: new TemplateClass(imageTemplate),
    actions: new TemplateClass(actionsTemplate),
  };
  return loaded;
}

/** How a card is rendered beyond the Reply itself. */
export interface CardOptions {
  /** Hard limit in UTF-8 bytes of the card's JSON (default TEAMS_CARD_MAX_BYTES). */
  maxBytes?: number;
  /** Rows a table shows at most (default CARD_ROWS); a "show all" page shows more, bytes allowing. */
  rowsPerTable?: number;
  /**
   * The button under a cut table that shows the rows it hid: `index` is the table's place in
   * `reply.parts`, `shown` how many of its rows the card shows. Undefined: no button, only the note.
   */
  moreRows?: (index: number, shown: number) => Action | undefined;
}

/** Longest text run we render; longer text is cut with an ellipsis (cards are answers, not documents). */
const MAX_TEXT = 4000;
/** Rows per table even when bytes allow more: long tables are unreadable on a phone. */
const MAX_ROWS = 60;
/** Button title length Teams shows without truncating. */
const MAX_BUTTON_TITLE = 40;
/** Buttons per ActionSet; Teams renders at most a handful in a row. */
const MAX_ACTIONS = 6;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const TONE = {
  info: { color: "Default", style: "default", weight: "Default" },
  success: { color: "Good", style: "good", weight: "Default" },
  warning: { color: "Warning", style: "warning", weight: "Default" },
  error: { color: "Attention", style: "attention", weight: "Bolder" },
} as const satisfies Record<Tone, { color: string; style: string; weight: string }>;

const TITLE_COLOR: Record<Reply["outcome"], string> = { ok: "Default", partial: "Warning", user_error: "Attention", azure_error: "Attention" };

function cutNote(hidden: number, hint: string | undefined): string {
  const rows = `${hidden} more ${hidden === 1 ? "row" : "rows"}`;
  return hint ? `${rows} — narrow with: ${hint}` : `${rows} not shown`;
}

function actionData(a: Action): CardActionData {
  return { verb: a.verb, payload: a.payload };
}

/**
 * Expands one part (the `index`-th shown on its card, `at` in reply.parts); `rowCap` limits table
 * rows (the size budget lowers it).
 */
function expandPart(part: Part, rowCap: number, index: number, at: number, opts: CardOptions): unknown {
  const TEMPLATES = templates();
  switch (part.kind) {
    case "text": {
      const tone = TONE[part.tone ?? "info"];
      const lines = cut(part.text, MAX_TEXT).split(/\r?\n/);
      return TEMPLATES.text.expand({ $root: { lines, ...tone } });
    }
    case "facts":
      return TEMPLATES.facts.expand({ $root: { facts: part.facts.map((f) => ({ label: cut(f.label, 200), value: cut(f.value, MAX_TEXT) })) } });
    case "table":
      return expandTable(part, Math.min(rowCap, opts.rowsPerTable ?? CARD_ROWS), index, opts.moreRows && ((shown) => opts.moreRows?.(at, shown)));
    case "image":
      return TEMPLATES.image.expand({
        $root: { hasUrl: part.url !== undefined, url: part.url ?? "", alt: cut(part.alt, 500), placeholder: `Chart: ${cut(part.alt, 500)}` },
      });
    case "actions":
      return TEMPLATES.actions.expand({
        $root: {
          actions: part.actions.slice(0, MAX_ACTIONS).map((a) => ({
            label: cut(a.label, MAX_BUTTON_TITLE),
            verb: a.verb,
            style: a.style === "danger" ? "destructive" : a.style === "primary" ? "positive" : "default",
            data: actionData(a),
          })),
        },
      });
  }
}

/**
 * Pixels per character we plan with: wide enough for Segoe UI (Teams) and the sans fonts a
 * browser falls back to, bold headers included; plus a cell's padding.
 */
const CHAR_PX = 9;
const CELL_PAD_PX = 22;
/** A phone-width card's usable width: narrower tables than this show as a table, wider ones as a list. */
export const NARROW_CARD_PX = 340;
/** A full-width card's usable width (Teams at full width, the console on a desktop). */
export const WIDE_CARD_PX = 1100;
/**
 * Rows an answer's card shows, by design: a card is read, not scrolled, and the Agents SDK copies
 * and serialises every byte of it again on each send, so a first answer stays about a screenful;
 * the rest is said, with how to narrow, and "Show all N rows" pages through it.
 */
export const CARD_ROWS = 10;
/** What a card aims for: well under TEAMS_CARD_MAX_BYTES, so Teams' own envelope never tips it over. */
export const CARD_DESIGN_BYTES = 22 * 1024;
/** A name column ("vmss-batch-t4 (scale set, 4 instances)") is at least this wide before it wraps at a space. */
const NAME_MIN_CHARS = 20;
/** A sentence column is at most this wide (and never narrower than its longest word): it wraps between words. */
const TEXT_MAX_CHARS = 30;

/**
 * How wide `s` is, in "average characters": capitals and symbols such as < = % count more,
 * i l . , : less, so "[tag:<key>=<value>]" gets the room it takes, not its length.
 */
function chars(s: string): number {
  let w = 0;
  for (const ch of s) w += /[A-Z<>=+%&@#~MWmw]/.test(ch) ? 1.25 : /[ijl.,:;'|!() ]/.test(ch) ? 0.6 : 1;
  return w;
}
const longestWord = (s: string) => Math.max(0, ...s.split(/\s+/).map(chars));

/**
 * A column's width in pixels: money, sizes, dates and numbers hold their longest value on one
 * line (they never wrap); names and sentences hold their longest word and wrap between words.
 * Pixel widths, not weights: a weighted column may shrink below a word and break inside it.
 */
function columnWidth(c: Column, cells: string[]): { width: string; px: number } {
  const header = Math.ceil(longestWord(c.label) * 1.1);
  const kind = kindOf(c);
  const words = Math.max(header, ...cells.map(longestWord));
  const longest = Math.max(0, ...cells.map(chars));
  const need =
    kind === "text" ? Math.max(words, Math.min(TEXT_MAX_CHARS, longest)) : kind === "name" ? Math.max(words, Math.min(NAME_MIN_CHARS, longest)) : Math.max(header, longest);
  const px = Math.ceil(need * CHAR_PX + CELL_PAD_PX);
  return { width: `${px}px`, px };
}

function columnDefinitions(cols: Column[], rows: string[][]) {
  const widths = cols.map((c, i) =>
    columnWidth(
      c,
      rows.map((r) => r[i] ?? ""),
    ),
  );
  return {
    defs: cols.map((c, i) => ({ width: widths[i]?.width ?? 1, ...(c.align === "right" ? { horizontalCellContentAlignment: "Right" } : {}) })),
    px: widths.reduce((n, w) => n + w.px, 0),
  };
}

/** One row of the narrow list: its first value in bold, then "Label: value" pairs; it wraps only at spaces. */
function listInlines(cols: Column[], cells: string[]): unknown[] {
  const rest = cols.slice(1).map((c, i) => ` · ${cut(c.label, 200)}: ${cells[i + 1] || "—"}`);
  return [{ type: "TextRun", text: cells[0] || "—", weight: "Bolder" }, ...(rest.length > 0 ? [rest.join("")] : [])];
}

function expandTable(t: TablePart, rowCap: number, index: number, more: ((shown: number) => Action | undefined) | undefined): unknown {
  const kept = t.rows.slice(0, Math.min(rowCap, MAX_ROWS));
  const hidden = t.rows.length - kept.length;
  const cellsOf = (cols: Column[]) => kept.map((r) => cols.map((c) => cut(r[c.key] ?? "", 1000)));
  // The wide variant drops the columns that matter least until it fits a full-width card.
  const wideCols = dropUntilFits(t.columns, (cols) => columnDefinitions(cols, cellsOf(cols)).px <= WIDE_CARD_PX);
  const rows = cellsOf(wideCols);
  const wide = columnDefinitions(wideCols, rows);
  // Narrow hosts (phones, a narrow Teams pane) get the columns that matter most: as a table when
  // they fit a phone, else as a list of rows, so nothing breaks inside a size or an amount.
  const narrowCols = narrowColumns(wideCols);
  const hasNarrow = narrowCols.length < wideCols.length || wide.px > NARROW_CARD_PX;
  const narrowRows = cellsOf(narrowCols);
  const narrow = columnDefinitions(narrowCols, narrowRows);
  const narrowKind = !hasNarrow ? "none" : narrow.px <= NARROW_CARD_PX ? "table" : "list";
  const left = t.columns.filter((c) => !wideCols.includes(c));
  const notes = [...(hidden > 0 ? [cutNote(hidden, t.narrowHint)] : []), ...(left.length > 0 ? [`Not shown here: ${left.map((c) => c.label).join(", ")}.`] : [])];
  const button = hidden > 0 ? more?.(kept.length) : undefined;
  return templates().table.expand({
    $root: {
      hasTitle: t.title !== undefined,
      title: t.title ?? "",
      hasNarrow,
      columnDefinitions: wide.defs,
      headers: wideCols.map((c) => cut(c.label, 200)),
      rows,
      narrowKind,
      narrowColumnDefinitions: narrowKind === "table" ? narrow.defs : [],
      narrowHeaders: narrowKind === "table" ? narrowCols.map((c) => cut(c.label, 200)) : [],
      narrowRows: narrowKind === "table" ? narrowRows : [],
      listId: `rows-${index}`,
      narrowItems: narrowKind === "list" ? narrowRows.map((r) => ({ inlines: listInlines(narrowCols, r) })) : [],
      hasCutNote: notes.length > 0,
      cutNote: notes.join(" · "),
      hasMore: button !== undefined,
      more: button ? { label: cut(button.label, MAX_BUTTON_TITLE), verb: button.verb, data: actionData(button) } : {},
    },
  });
}

/** Parts with nothing to show are left out rather than drawn as empty boxes. */
function isEmpty(p: Part): boolean {
  return (p.kind === "actions" && p.actions.length === 0) || (p.kind === "facts" && p.facts.length === 0) || (p.kind === "table" && p.rows.length === 0);
}

/**
 * The card's fallbackText (what a notification or a host without cards shows): the title, and for
 * an error the reason itself, so a notification never says only that something went wrong.
 */
export function notificationText(reply: Reply): string {
  if (reply.outcome !== "user_error" && reply.outcome !== "azure_error") return cut(reply.title, 300);
  const texts = reply.parts.filter((p) => p.kind === "text");
  const reason = (texts.find((p) => p.tone === "error") ?? texts[0])?.text.replace(/\s+/g, " ").trim();
  if (!reason) return cut(reply.title, 300);
  return cut(reply.title === USER_ERROR_TITLE ? reason : `${reply.title}: ${reason}`, 300);
}

function expandCard(reply: Reply, rowCap: number, opts: CardOptions = {}): AdaptiveCardJson {
  const shown = reply.parts.map((p, at) => ({ p, at })).filter(({ p }) => !isEmpty(p));
  const parts = shown.map(({ p, at }, i) => expandPart(p, rowCap, i, at, opts));
  return templates().envelope.expand({
    $root: {
      title: cut(reply.title, 300),
      titleColor: TITLE_COLOR[reply.outcome],
      fallbackText: notificationText(reply),
      parts,
      context: reply.context.map((c) => cut(c, 1000)),
    },
  }) as AdaptiveCardJson;
}

/** Size of a card as Teams counts it for the budget: UTF-8 bytes of its JSON. */
export const cardBytes = (card: unknown): number => Buffer.byteLength(JSON.stringify(card), "utf8");

/**
 * Renders a Reply as an Adaptive Card under `maxBytes`. Tables are cut first (the same cap for
 * every table, found by binary search); every cut says how many rows it hid and how to narrow,
 * and carries the `moreRows` button when the caller offers one.
 */
export function renderAdaptiveCard(reply: Reply, opts: CardOptions = {}): AdaptiveCardJson {
  const maxBytes = opts.maxBytes ?? TEAMS_CARD_MAX_BYTES;
  // Aim well under the hard limit; fewer rows (said, with how to narrow) rather than a card at the edge.
  const target = Math.min(maxBytes, CARD_DESIGN_BYTES);
  const longest = Math.max(0, ...reply.parts.map((p) => (p.kind === "table" ? p.rows.length : 0)));
  const full = expandCard(reply, longest, opts);
  if (cardBytes(full) <= target) return full;
  let lo = 0;
  let hi = Math.min(longest, MAX_ROWS, opts.rowsPerTable ?? CARD_ROWS);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (cardBytes(expandCard(reply, mid, opts)) <= target) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0 && cardBytes(full) <= maxBytes) return full;
  const cutCard = expandCard(reply, lo, opts);
  if (cardBytes(cutCard) <= maxBytes) return cutCard;
  // Still too big without any table rows (very long texts): say so rather than fail to post.
  return expandCard(
    {
      ...reply,
      parts: [{ kind: "text", text: "This answer is too long to show in Teams. Narrow the question (add a region, a GPU or a size) and ask again.", tone: "warning" }],
      context: reply.context.slice(0, 3),
    },
    0,
  );
}

/** A one-line card, e.g. "Working on it…" while a slow answer is prepared. */
export function renderNoticeCard(text: string): AdaptiveCardJson {
  return renderAdaptiveCard({ title: text, parts: [], context: [], outcome: "ok" });
}

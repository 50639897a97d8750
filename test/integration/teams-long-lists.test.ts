// A long list in Teams: the first card shows a few rows and "Show all N rows"; each click posts the
// next page as a card of its own, through the real Agents SDK adapter and the loopback Bot
// Connector, until every row of the answer has been shown, and every card stays well under the
// size limit. The console pages the same way, shown to the clicker only.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOW_ROWS_VERB } from "../../src/commands/show-rows.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { CARD_DESIGN_BYTES, CARD_ROWS, TEAMS_CARD_MAX_BYTES } from "../../src/render/teams.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { withTextRuns } from "../support/card-inlines.ts";
import { type ConnectorCall, type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { runCommand } from "../support/router.ts";
import { cardInvoke, cardSubmit, personalMessage, postActivity } from "../support/teams-activities.ts";
import { validateAdaptiveCard } from "../support/validate-adaptive-card.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-long-"));
let server: RunningServer;
let connector: FakeBotConnector;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_CONSOLE: "on", GPUOPS_LOG_LEVEL: "silent" }, { cwd: dataDir });
  server = await startServer(config, { log: createLogger("silent") });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Node = Record<string, unknown>;
function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) for (const n of node) walk(n, visit);
  else if (node && typeof node === "object") {
    visit(node as Node);
    for (const v of Object.values(node)) walk(v, visit);
  }
}
const textOf = (cell: unknown) => {
  const out: string[] = [];
  walk(withTextRuns(cell), (n) => {
    if (n.type === "TextRun" && typeof n.text === "string") out.push(n.text);
  });
  return out.join("");
};
/** The rows (first cell of each) of the card's full-width table, header left out. */
function shownRows(card: unknown): string[] {
  let first: Node | undefined;
  walk(card, (n) => {
    if (!first && n.type === "Table") first = n;
  });
  const rows = (first?.rows as Node[] | undefined) ?? [];
  return rows.slice(1).map((r) => textOf((r.cells as unknown[])[0]));
}
/** The card's "show more rows" button, if any. */
function moreButton(card: unknown): { title: string; verb: string; data: { verb: string; payload: Record<string, unknown> } } | undefined {
  let found: Node | undefined;
  walk(card, (n) => {
    if (!found && n.type === "Action.Execute" && n.verb === SHOW_ROWS_VERB) found = n;
  });
  return found as ReturnType<typeof moreButton>;
}
const cardOf = (call: ConnectorCall | undefined) => (call?.activity.attachments as Array<{ content: unknown }> | undefined)?.[0]?.content;
const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card), "utf8");

/** The answer the cards are about, asked of the same app directly (the rows every page must add up to). */
async function fullTable(text: string): Promise<string[]> {
  const reply = await runCommand({ text, actor: { id: "t" }, channel: { id: "c", platform: "teams" }, surface: "teams" }, server.app.context());
  const table = reply.parts.find((p): p is TablePart => p.kind === "table") as TablePart;
  const key = table.columns[0]?.key as string;
  return table.rows.map((r) => r[key] ?? "");
}

async function firstCard(text: string): Promise<{ card: unknown; messageId: string }> {
  const activity = personalMessage(connector.url, text);
  expect((await postActivity(server.url, activity)).status).toBe(200);
  await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id), 20_000);
  let call = connector.calls.find((c) => c.activityId === activity.id);
  if (JSON.stringify(cardOf(call)).includes("Working on it")) {
    const placeholder = call?.id;
    await connector.waitFor((calls) => calls.some((c) => c.kind === "update" && c.activityId === placeholder), 30_000);
    call = connector.calls.find((c) => c.kind === "update" && c.activityId === placeholder);
  }
  return { card: cardOf(call), messageId: call?.id as string };
}

/** Clicks `button` on message `messageId` (Universal Actions invoke) and returns the page card Teams receives. */
async function click(messageId: string, button: NonNullable<ReturnType<typeof moreButton>>, how: "invoke" | "submit"): Promise<{ card: unknown; messageId: string }> {
  const before = connector.calls.length;
  const activity = how === "invoke" ? cardInvoke(connector.url, messageId, button.verb, button.data) : cardSubmit(connector.url, messageId, button.data);
  const res = await postActivity(server.url, activity);
  expect(res.status).toBe(200);
  await connector.waitFor((calls) => calls.slice(before).some((c) => c.kind !== "update" && JSON.stringify(c.activity.attachments ?? "").includes("Table")), 20_000);
  const call = connector.calls.slice(before).find((c) => c.kind !== "update" && JSON.stringify(c.activity.attachments ?? "").includes("Table"));
  return { card: cardOf(call), messageId: call?.id as string };
}

describe("Teams: Show all rows of a long list", () => {
  it("reaches every row of `skus` page by page, each card valid and well under the size limit", async () => {
    const expected = await fullTable("skus");
    expect(expected.length).toBeGreaterThan(CARD_ROWS * 2);
    const first = await firstCard("skus");
    const seen = shownRows(first.card);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(CARD_ROWS);
    const button = moreButton(first.card);
    expect(button?.title).toBe(`Show all ${expected.length} rows`);
    const cards = [first.card];
    let page = first;
    let next = button;
    // Alternate the two ways Teams delivers a click: Universal Actions and the Action.Submit fallback.
    for (let i = 0; next && i < expected.length; i++) {
      page = await click(page.messageId, next, i % 2 === 0 ? "invoke" : "submit");
      cards.push(page.card);
      const rows = shownRows(page.card);
      expect(rows.length).toBeGreaterThan(0);
      seen.push(...rows);
      next = moreButton(page.card);
    }
    expect(seen).toEqual(expected);
    for (const card of cards) {
      expect(validateAdaptiveCard(card)).toEqual([]);
      expect(bytes(card)).toBeLessThanOrEqual(CARD_DESIGN_BYTES);
      expect(bytes(card)).toBeLessThan(TEAMS_CARD_MAX_BYTES);
    }
    // Pages hold more than a first answer's few rows, so a long list takes few clicks.
    expect(cards.length).toBeLessThan(Math.ceil(expected.length / CARD_ROWS) + 1);
  });

  it("answers a forged or expired button kindly, with no rows", async () => {
    const first = await firstCard("skus");
    const button = moreButton(first.card) as NonNullable<ReturnType<typeof moreButton>>;
    const forged = { ...button, data: { ...button.data, payload: { ...button.data.payload, answer: "AAAAAAAAAAAAAAAA" } } };
    const res = await postActivity(server.url, cardInvoke(connector.url, first.messageId, forged.verb, forged.data));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toMatch(/no longer kept.*Ask the question again/);
    const bad = { ...button, data: { ...button.data, payload: { ...button.data.payload, from: -1 } } };
    const refused = await postActivity(server.url, cardInvoke(connector.url, first.messageId, bad.verb, bad.data));
    expect(JSON.stringify(refused.body)).toMatch(/not valid, so nothing was done/);
  });

  it("leaves short answers alone: no button when every row is shown", async () => {
    const { card } = await firstCard("skus swedencentral a100");
    expect(moreButton(card)).toBeUndefined();
  });
});

describe("Console: Show all rows of a long list", () => {
  type View = { id: string; reply?: Reply; card?: unknown; ephemeralFor?: string };
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}/console/api/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as { message?: View; ephemeral?: View; posted?: View[] };
  };

  it("pages through every row, shown to the clicker only", async () => {
    const expected = await fullTable("skus");
    const asked = await api("command", { text: "skus", actor: "dana" });
    let view = asked.message as View;
    const seen = shownRows(view.card);
    let next = moreButton(view.card);
    expect(next?.title).toBe(`Show all ${expected.length} rows`);
    for (let i = 0; next && i < expected.length; i++) {
      const r = await api("action", { verb: next.data.verb, payload: next.data.payload, actor: "dana", messageId: view.id });
      expect(r.posted).toEqual([]);
      view = r.ephemeral as View;
      expect(view.ephemeralFor).toBe("dana");
      expect(bytes(view.card)).toBeLessThanOrEqual(CARD_DESIGN_BYTES);
      seen.push(...shownRows(view.card));
      next = moreButton(view.card);
    }
    expect(seen).toEqual(expected);
  });
});

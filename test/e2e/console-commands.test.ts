/**
 * The local console in real Chromium against the real server in demo mode: commands typed in the
 * chat box come back as Adaptive Cards drawn by the official renderer, with the same content
 * the core answered. One browser and one page for the whole file; a screenshot per step.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import type { RunningServer } from "../../src/server.ts";
import { launchChromium, screenshot, startDemoServer, watchPage } from "../support/browser.ts";
import { runCommand } from "../support/router.ts";

const SUITE = "console-commands";
let server: RunningServer;
let browser: Browser;
let page: Page;
let watched: { errors: string[] };

beforeAll(async () => {
  [server, browser] = await Promise.all([startDemoServer(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  watched = watchPage(page);
  // The address `npm start` prints, as a new user would open it.
  expect(server.consoleUrl).toMatch(/^http:\/\/localhost:\d+\/$/);
  await page.goto(server.consoleUrl as string);
  await page.locator("body[data-ready=true]").waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Types a command, presses Enter, and returns the answer's message element and the API's JSON. */
async function ask(text: string): Promise<{ answer: Locator; body: { messageId: string; reply: Reply; card: { type: string } } }> {
  await page.fill("#command", text);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/command")), page.press("#command", "Enter")]);
  expect(response.status()).toBe(200);
  const body = await response.json();
  const answer = page.locator(`#chat-log li.message.bot[data-message-id="${body.messageId}"]`);
  await answer.locator(".ac-adaptiveCard").waitFor();
  return { answer, body };
}

/** What the rendered card says, whitespace folded. */
async function cardText(answer: Locator): Promise<string> {
  return ((await answer.locator(".ac-adaptiveCard").textContent()) ?? "").replace(/\s+/g, " ");
}

async function messageIds(log: string): Promise<Array<string | null>> {
  return Promise.all((await page.locator(`${log} li.message`).all()).map((li) => li.getAttribute("data-message-id")));
}

/** The same question asked of the core directly, for comparing what the page shows. */
function coreAnswer(text: string): Promise<Reply> {
  return runCommand({ text, actor: { id: "dana" }, channel: { id: "local", platform: "console" }, surface: "console" }, server.app.context());
}

describe("console page", () => {
  it("loads the official renderer, labels demo data and offers the act-as cast", async () => {
    expect(await page.evaluate("typeof window.AdaptiveCards?.AdaptiveCard")).toBe("function");
    expect(await page.locator("#demo-label").isVisible()).toBe(true);
    expect(await page.locator("#demo-label").textContent()).toMatch(/demo data/i);
    const options = await page.locator("#actor option").allTextContents();
    expect(options).toEqual(expect.arrayContaining([expect.stringMatching(/^Dana \(requester\)$/), expect.stringMatching(/^Sam \(approver\)$/)]));
    await screenshot(page, SUITE, "01-empty-console");
  });

  it("skus swedencentral a100 shows a card with every A100 size the core answered", async () => {
    const { answer, body } = await ask("skus swedencentral a100");
    expect(body.card.type).toBe("AdaptiveCard");
    const expected = await coreAnswer("skus swedencentral a100");
    const table = expected.parts.find((p): p is TablePart => p.kind === "table");
    const sizes = (table?.rows ?? []).map((r) => r.size ?? "");
    expect(sizes).toContain("NC24ads_A100_v4");
    expect(sizes.every((s) => /A100/.test(s))).toBe(true);
    const text = await cardText(answer);
    expect(text).toContain(expected.title);
    for (const size of sizes) expect(text).toContain(size);
    expect(text).toMatch(/demo data/i);
    // Drawn by the renderer as a table, not pasted text.
    expect(await answer.locator(".ac-adaptiveCard [role=table], .ac-adaptiveCard table").count()).toBeGreaterThan(0);
    await screenshot(page, SUITE, "02-skus-swedencentral-a100");
  });

  it("quota westus answers with the GPU families and their headroom", async () => {
    const { answer, body } = await ask("quota westus");
    expect(body.reply.outcome).not.toBe("user_error");
    const expected = await coreAnswer("quota westus");
    const text = await cardText(answer);
    expect(text).toContain(expected.title);
    const table = expected.parts.find((p): p is TablePart => p.kind === "table");
    expect(table?.rows.length ?? 0).toBeGreaterThan(0);
    for (const row of table?.rows ?? []) expect(text).toContain(Object.values(row)[0]);
    await screenshot(page, SUITE, "03-quota-westus");
  });

  it("cost 7d shows the spend and its chart, loaded from the console's own server", async () => {
    const { answer, body } = await ask("cost 7d");
    expect(body.reply.outcome).toBe("ok");
    const expected = await coreAnswer("cost 7d");
    const text = await cardText(answer);
    expect(text).toContain(expected.title);
    expect(text).toMatch(/billed data complete through/i);
    const img = answer.locator(".ac-adaptiveCard img");
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    const src = await img.evaluate((el) => (el as unknown as { src: string }).src);
    expect(src).toMatch(new RegExp(`^${(server.consoleUrl as string).replace(/[.]/g, "\\.")}charts/[A-Za-z0-9_-]+\\.png$`));
    expect(await img.getAttribute("alt")).toMatch(/GPU spend per day/);
    await answer.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "04-cost-7d-chart");
  });

  it("idle lists idle GPU VMs with the money they burn", async () => {
    const { answer, body } = await ask("idle");
    expect(body.reply.outcome).not.toBe("user_error");
    // Money burns by the minute, so the page is compared with the answer it was sent, and the
    // answer with the core's list of idle VMs.
    const text = await cardText(answer);
    expect(text).toContain(body.reply.title);
    const firstColumn = (r: Reply) => (r.parts.find((p): p is TablePart => p.kind === "table")?.rows ?? []).map((row) => Object.values(row)[0] ?? "");
    const shown = firstColumn(body.reply);
    expect(shown.length).toBeGreaterThan(0);
    expect(new Set(shown)).toEqual(new Set(firstColumn(await coreAnswer("idle"))));
    for (const vm of shown.slice(0, 10)) expect(text).toContain(vm);
    expect(text).toMatch(/\$[\d,]+\.\d\d/);
    await screenshot(page, SUITE, "05-idle");
  });

  it("explain PTU answers from the glossary", async () => {
    const { answer } = await ask("explain PTU");
    const text = await cardText(answer);
    expect(text).toMatch(/provisioned throughput/i);
    await screenshot(page, SUITE, "06-explain-ptu");
  });

  it("a mistyped command gets a kind answer with an example, not an error page", async () => {
    const { answer, body } = await ask("skuz swedencentral");
    expect(body.reply.outcome).toBe("user_error");
    const text = await cardText(answer);
    expect(text).toMatch(/did you mean skus/i);
    expect(text).toMatch(/try:/i);
  });

  it("keeps the conversation: a reload shows the same history in order", async () => {
    const before = await messageIds("#chat-log");
    await page.reload();
    await page.locator("body[data-ready=true]").waitFor();
    const after = await messageIds("#chat-log");
    expect(after).toEqual(before);
    expect(before.length).toBeGreaterThanOrEqual(12);
    // Arrow-up recalls the last command typed.
    await page.focus("#command");
    await page.keyboard.press("ArrowUp");
    expect(await page.inputValue("#command")).toBe("skuz swedencentral");
    await page.fill("#command", "");
  });

  it("ran without page errors or failed requests", () => {
    expect(watched.errors).toEqual([]);
  });
});

/**
 * The console at a desktop width (1400 px) and a phone width (420 px), in real Chromium against
 * the real server in demo mode. Every command's card is checked from the DOM: no table cell (nor
 * any other card text) breaks inside a token (sizes, money, dates), no button label is clipped,
 * a new answer is scrolled to its top, and the empty local-channel pane folds away. Screenshots
 * of each card at each width go to test-artifacts/console-surfaces/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import type { RunningServer } from "../../src/server.ts";
import { ARTIFACTS_DIR, launchChromium, screenshot, startDemoServer, watchPage } from "../support/browser.ts";

const SUITE = "console-surfaces";
const COMMANDS = ["idle", "running", "quota", "where h100", "where a100 8", "skus swedencentral", "cost 7d", "help", "status"];
const WIDTHS = [1400, 420] as const;

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDemoServer(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openConsole(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const { errors } = watchPage(page);
  await page.goto(server.consoleUrl as string);
  await page.locator("body[data-ready=true]").waitFor();
  return { page, errors };
}

async function ask(page: Page, text: string): Promise<Locator & { reply?: Reply }> {
  await page.fill("#command", text);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/command")), page.press("#command", "Enter")]);
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { messageId: string; reply: Reply };
  const answer = page.locator(`#chat-log li.message.bot[data-message-id="${body.messageId}"]`);
  await answer.locator(".ac-adaptiveCard").waitFor();
  return Object.assign(answer, { reply: body.reply });
}

interface Layout {
  broken: string[];
  clipped: string[];
  cells: number;
  listRows: number;
}
const CHECK_SCRIPT = join(import.meta.dirname, "console-layout-check.js");

/** The tokens of every table value that must stay whole: every column but sentences. */
function wholeTokens(reply: Reply | undefined): string[] {
  const tables = (reply?.parts ?? []).filter((p): p is TablePart => p.kind === "table");
  return tables.flatMap((t) => t.columns.filter((c) => (c.kind ?? "text") !== "text").flatMap((c) => t.rows.flatMap((r) => (r[c.key] ?? "").split(/\s+/).filter(Boolean))));
}

/** Table cells and narrow-list rows broken inside a whole value, and clipped buttons (see console-layout-check.js). */
async function layoutProblems(answer: Locator, reply?: Reply): Promise<Layout> {
  const page = answer.page();
  // Evaluated over the DevTools protocol: the console's CSP rightly refuses injected script tags.
  if (!(await page.evaluate("typeof globalThis.gpuopsLayout === 'function'"))) await page.evaluate(readFileSync(CHECK_SCRIPT, "utf8"));
  const whole = wholeTokens(reply);
  return answer
    .locator(".ac-adaptiveCard")
    .evaluate((card, tokens) => (globalThis as unknown as { gpuopsLayout: (c: unknown, t: string[]) => Layout }).gpuopsLayout(card, tokens), whole);
}

describe.each(WIDTHS)("console at %i px", (width) => {
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ({ page, errors } = await openConsole(width));
  });
  afterAll(async () => {
    await page?.close();
  });

  it("folds the empty local channel so the chat gets the width", async () => {
    expect(await page.locator(".panes").getAttribute("class")).toContain("channel-collapsed");
    const chat = await page.locator(".pane.chat").boundingBox();
    expect(chat?.width ?? 0).toBeGreaterThan(width * 0.85);
    expect(await page.locator("#channel-toggle").isVisible()).toBe(true);
  });

  it.each(COMMANDS)("%s: no value breaks inside a token, no button label is clipped", async (command) => {
    const answer = await ask(page, command);
    const { broken, clipped, cells, listRows } = await layoutProblems(answer, answer.reply);
    // The check has something to check: the answer's tables hold values that must stay whole.
    if (command !== "help" && command !== "status") expect(wholeTokens(answer.reply).length, command).toBeGreaterThan(0);
    await answer.screenshot({ path: join(ARTIFACTS_DIR, SUITE, `${width}-${command.replace(/\W+/g, "-")}.png`) });
    expect(broken, `${command} at ${width} px`).toEqual([]);
    expect(clipped, `${command} at ${width} px`).toEqual([]);
    // Rows are shown: table cells, or on a phone the narrow list of the columns that matter.
    expect(cells + listRows, command).toBeGreaterThan(0);
    // The answer is scrolled to its top: its title is in view.
    const log = await page.locator("#chat-log").boundingBox();
    const top = await answer.boundingBox();
    expect(top?.y ?? -1).toBeGreaterThanOrEqual((log?.y ?? 0) - 1);
    expect(top?.y ?? Number.POSITIVE_INFINITY).toBeLessThan((log?.y ?? 0) + (log?.height ?? 0));
  });

  it("shows money and size names whole in idle, running, quota and where", async () => {
    for (const command of ["idle", "running", "where h100"]) {
      const answer = await ask(page, command);
      const text = (await answer.locator(".ac-adaptiveCard").innerText()).replace(/\s+/g, " ");
      expect(text, command).toMatch(/\$\d[\d,]*\.\d\d/);
      expect(text, command).toMatch(/N[CDV]\d+\w*_v\d/);
    }
    expect(errors).toEqual([]);
  });
});

describe("approver buttons at phone width", () => {
  it("Approve, Deny and the rest show their whole labels", async () => {
    const { page } = await openConsole(420);
    await ask(page, "request 1 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the llama adapter");
    const precheck = page.locator("#chat-log li.message.bot").last();
    await precheck.locator(".ac-adaptiveCard").getByRole("button", { name: "Submit", exact: true }).click();
    const approvers = page.locator("#channel-log li.message.bot").last();
    await approvers.locator(".ac-adaptiveCard").waitFor({ state: "attached" });
    // A post in the channel opens nothing by itself on a phone; the toggle says a post waits.
    expect(await page.locator("#channel-toggle").textContent()).toMatch(/Show \(\d+\)/);
    await page.locator("#channel-toggle").click();
    await approvers.scrollIntoViewIfNeeded();
    const labels = await approvers.locator(".ac-adaptiveCard button").allTextContents();
    expect(labels.some((l) => /Approve/.test(l))).toBe(true);
    const { clipped, broken } = await layoutProblems(approvers);
    await screenshot(page, SUITE, "420-approver-card");
    expect(clipped).toEqual([]);
    expect(broken).toEqual([]);
    await page.close();
  });
});

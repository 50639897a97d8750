/**
 * A GPU request end to end in the console, in real Chromium: Dana files it and submits it from
 * the pre-check card; the approvers' card lands in the local channel; Dana (the requester) and
 * Finn (not an approver) are refused when they press Approve; Sam approves, and the card is
 * updated in place, on this page and, live, on a second page. Every click goes through the
 * console API to the same action router Slack and Teams use.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchChromium, screenshot, startDemoServer, watchPage } from "../support/browser.ts";

const SUITE = "console-requests";
let server: RunningServer;
let browser: Browser;
let page: Page;
let watched: { errors: string[] };
let requestId = "";

beforeAll(async () => {
  [server, browser] = await Promise.all([startDemoServer({ GPUOPS_SCHEDULER: "false" }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  watched = watchPage(page);
  await page.goto(`${server.url}/`);
  await page.locator("body[data-ready=true]").waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const cardText = async (message: Locator) => ((await message.locator(".ac-adaptiveCard").textContent()) ?? "").replace(/\s+/g, " ");
const button = (message: Locator, name: string) => message.locator(".ac-adaptiveCard").getByRole("button", { name, exact: true });
const approversCard = (p: Page) => p.locator("#channel-log li.message.bot").filter({ hasText: `GPU request #${requestId} from Dana` });

async function actAs(p: Page, id: string): Promise<void> {
  await p.selectOption("#actor", id);
}

/** Clicks a card button and waits for the console API's answer to that click. */
async function click(message: Locator, name: string): Promise<{ updated: Array<{ id: string }>; ephemeral?: { id: string; reply: { outcome: string } } }> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/action")), button(message, name).click()]);
  expect(response.status()).toBe(200);
  return response.json();
}

describe("GPU request through the console", () => {
  it("lists the demo cast with the approvers the approval rules use", async () => {
    const labels = await page.locator("#actor option").allTextContents();
    expect(labels).toEqual(["Dana (requester)", "Sam (approver)", "Lee (infra lead, approver)", "Finn (finance, not an approver)"]);
    expect(server.app.services.requests?.approvers.console?.approvers).toEqual(expect.arrayContaining(["sam", "lee"]));
  });

  it("Dana files a request and sees its pre-check with Submit and Cancel", async () => {
    await actAs(page, "dana");
    await page.fill("#command", "request 1 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the llama adapter");
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/command")), page.press("#command", "Enter")]);
    const body = await response.json();
    const title: string = body.reply.title;
    requestId = /#(\d+)/.exec(title)?.[1] ?? "";
    expect(requestId).not.toBe("");
    const precheck = page.locator(`#chat-log li.message.bot[data-message-id="${body.messageId}"]`);
    await precheck.locator(".ac-adaptiveCard").waitFor();
    const text = await cardText(precheck);
    expect(text).toContain(`GPU request #${requestId}: pre-check`);
    expect(text).toContain("NC24ads_A100_v4");
    expect(text).toContain("fine-tune the llama adapter");
    expect(await button(precheck, "Submit").isVisible()).toBe(true);
    expect(await button(precheck, "Cancel").isVisible()).toBe(true);
    await screenshot(page, SUITE, "01-precheck");

    // Submit: the pre-check card turns into "waiting for approval"; the approvers' card appears in the local channel.
    const result = await click(precheck, "Submit");
    expect(result.updated.map((u) => u.id)).toEqual([body.messageId]);
    await expect.poll(async () => precheck.getAttribute("data-rev")).toBe("2");
    expect(await cardText(precheck)).toMatch(/waiting for approval/i);
    expect(await button(precheck, "Submit").count()).toBe(0);
    await approversCard(page).locator(".ac-adaptiveCard").waitFor();
    expect(await button(approversCard(page), "Approve").isVisible()).toBe(true);
    expect(await button(approversCard(page), "Deny").isVisible()).toBe(true);
    await screenshot(page, SUITE, "02-submitted-approvers-card");
  });

  it("Dana cannot approve her own request", async () => {
    const result = await click(approversCard(page), "Approve");
    expect(result.updated).toEqual([]);
    expect(result.ephemeral?.reply.outcome).toBe("user_error");
    const refusal = page.locator(`li.message[data-message-id="${result.ephemeral?.id}"]`);
    await refusal.waitFor();
    expect(await cardText(refusal)).toMatch(/can't approve it/i);
    expect(await refusal.locator(".meta").textContent()).toMatch(/only Dana can see this/);
    expect(await approversCard(page).getAttribute("data-rev")).toBe("1");
  });

  it("Finn, not an approver, is refused with a reason and nothing changes", async () => {
    await actAs(page, "finn");
    const result = await click(approversCard(page), "Approve");
    expect(result.updated).toEqual([]);
    expect(result.ephemeral?.reply.outcome).toBe("user_error");
    const refusal = page.locator(`li.message[data-message-id="${result.ephemeral?.id}"]`);
    await refusal.waitFor({ state: "visible" });
    expect(await cardText(refusal)).toMatch(/only the configured GPU approvers can approve/i);
    // Dana's refusal is hers alone: hidden while acting as Finn.
    expect(await page.locator('li.message.ephemeral[data-ephemeral-for="dana"]').first().isVisible()).toBe(false);
    expect(await approversCard(page).getAttribute("data-rev")).toBe("1");
    expect(await button(approversCard(page), "Approve").isVisible()).toBe(true);
    await screenshot(page, SUITE, "03-non-approver-refused");
    const stored = await server.app.services.requests?.store.get(requestId);
    expect(stored?.request.state).toBe("pending");
  });

  it("Sam approves: the card updates in place for everyone, here and on another open page", async () => {
    const other = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await other.goto(`${server.url}/`);
    await other.locator("body[data-ready=true]").waitFor();
    await approversCard(other).locator(".ac-adaptiveCard").waitFor();

    await actAs(page, "sam");
    const result = await click(approversCard(page), "Approve");
    expect(result.updated.length).toBe(1);
    // Updated in place (the action may update it again as its side effect completes).
    await expect.poll(async () => Number(await approversCard(page).getAttribute("data-rev"))).toBeGreaterThan(1);
    expect(await approversCard(page).count()).toBe(1);
    await expect.poll(async () => cardText(approversCard(page))).toMatch(/Approved by Sam at/);
    expect(await button(approversCard(page), "Approve").count()).toBe(0);
    expect(await button(approversCard(page), "Deny").count()).toBe(0);
    // The second page got the new revision over the event stream, no reload.
    await expect.poll(async () => cardText(approversCard(other)), { timeout: 10_000 }).toMatch(/Approved by Sam at/);
    await expect.poll(async () => (await approversCard(other).getAttribute("data-rev")) === (await approversCard(page).getAttribute("data-rev"))).toBe(true);
    await screenshot(page, SUITE, "04-approved-by-sam");
    await screenshot(other, SUITE, "05-second-page-live-update");
    await other.close();

    const stored = await server.app.services.requests?.store.get(requestId);
    expect(stored?.request.state).not.toBe("pending");
    expect(stored?.request.decision).toMatchObject({ outcome: "approved", by: expect.objectContaining({ id: "sam" }) });
  });

  it("the audit log records who tried and who decided", async () => {
    const events = (await server.app.services.requests?.store.history({})) ?? [];
    const mine = events.filter((e) => e.requestId === requestId);
    const refusedBy = mine.filter((e) => e.kind === "refused").map((e) => e.actor);
    expect(refusedBy).toEqual(expect.arrayContaining(["dana", "finn"]));
    expect(mine.some((e) => e.kind !== "refused" && e.actor === "sam" && e.to !== "pending")).toBe(true);
  });

  it("ran without page errors or failed requests", () => {
    expect(watched.errors).toEqual([]);
  });
});

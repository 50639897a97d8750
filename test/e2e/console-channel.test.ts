/**
 * The console's local channel in real Chromium: a channel subscribed from the chat box gets the
 * digest and the idle alerts the jobs post through the console's posting port (platform
 * "console", registered with the app's posting registry), live on the open page; the alert's
 * buttons work (Snooze; Deallocate refused for a non-approver; an approver's Deallocate, once
 * confirmed, reaches the fake ARM exactly once); and "Share in channel" posts a chat answer there.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDigest } from "../../src/jobs/digest.ts";
import { scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import type { RunningServer } from "../../src/server.ts";
import { launchChromium, screenshot, startDemoServer, watchPage } from "../support/browser.ts";

const SUITE = "console-channel";
let server: RunningServer;
let browser: Browser;
let page: Page;
let watched: { errors: string[] };

beforeAll(async () => {
  // The scheduler is off so the test decides when the jobs run. No approvers are configured: the
  // demo's own console approvers (sam, lee) must be able to deallocate.
  [server, browser] = await Promise.all([startDemoServer({ GPUOPS_SCHEDULER: "false" }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
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
const channelMessage = (id: string) => page.locator(`#channel-log li.message[data-message-id="${id}"]`);

async function ask(text: string): Promise<Locator> {
  await page.fill("#command", text);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/command")), page.press("#command", "Enter")]);
  const body = await response.json();
  const answer = page.locator(`#chat-log li.message.bot[data-message-id="${body.messageId}"]`);
  await answer.locator(".ac-adaptiveCard").waitFor();
  return answer;
}

async function click(message: Locator, name: string): Promise<{ updated: Array<{ id: string }>; posted: Array<{ id: string }>; ephemeral?: { id: string } }> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/action")), button(message, name).click()]);
  expect(response.status()).toBe(200);
  return response.json();
}

describe("the local channel", () => {
  let alertId = "";

  it("subscribing from the chat box makes the console's local channel a subscribed channel", async () => {
    await page.selectOption("#actor", "lee");
    expect(await cardText(await ask("subscribe idle"))).toMatch(/Subscribed: idle-GPU alerts/);
    expect(await cardText(await ask("subscribe digest at 08:00"))).toMatch(/Subscribed: daily GPU digest/);
    const subs = await server.app.subscriptions?.list({});
    expect(subs?.map((s) => `${s.platform}:${s.channelId}:${s.kind}`).sort()).toEqual(["console:local:digest", "console:local:idle"]);
    expect(server.app.posting.get("console")).toBe(server.console.posting);
  });

  it("the digest job posts the digest there, chart included, and the open page shows it live", async () => {
    const app = server.app;
    const sub = (await app.subscriptions?.list({ kind: "digest" }))?.[0];
    expect(sub).toBeDefined();
    const now = new Date();
    const before = server.console.messages.seq();
    const outcome = await runDigest({ subscriptions: app.subscriptions!, posting: app.posting, context: app.context }, sub!, {
      job: `digest:console:local`,
      periodKey: now.toISOString().slice(0, 10),
      scheduledAt: now,
      startedAt: now,
      catchUp: false,
    });
    expect(outcome.status).toBe("done");
    const posted = server.console.messages.list("channel", { afterSeq: before });
    expect(posted.length).toBe(1);
    const digest = channelMessage(posted[0]!.id);
    await digest.locator(".ac-adaptiveCard").waitFor();
    expect(await cardText(digest)).toContain(posted[0]!.reply!.title);
    expect(posted[0]!.reply!.parts.some((p) => p.kind === "image")).toBe(true);
    const img = digest.locator(".ac-adaptiveCard img");
    await expect.poll(() => img.first().evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    await digest.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "01-digest-in-local-channel");
  });

  it("the idle scan posts one alert per idle VM with Snooze, Keep and Deallocate buttons", async () => {
    const before = server.console.messages.seq();
    const result = await scanIdleOnce({ store: server.app.store!, posting: server.app.posting, context: server.app.context }, new Date());
    expect(result.posted).toBeGreaterThan(0);
    const alerts = server.console.messages.list("channel", { afterSeq: before });
    expect(alerts.length).toBe(result.posted);
    // A single VM (not a scale set or AKS pool), so Deallocate applies.
    const vmAlert = alerts.find((m) => /^Idle GPU: [a-z0-9-]+ \(/.test(m.reply?.title ?? ""));
    expect(vmAlert).toBeDefined();
    alertId = vmAlert!.id;
    const card = channelMessage(alertId);
    await card.locator(".ac-adaptiveCard").waitFor();
    for (const name of ["Snooze 4 h", "Snooze 24 h", "Keep 7 days", "Deallocate…"]) expect(await button(card, name).isVisible()).toBe(true);
    await expect.poll(() => page.locator("#channel-log li.message.bot").count()).toBe(server.console.messages.list("channel").length);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "02-idle-alerts");
  });

  it("Snooze 4 h updates the alert in place with who snoozed it", async () => {
    await page.selectOption("#actor", "sam");
    const card = channelMessage(alertId);
    const result = await click(card, "Snooze 4 h");
    expect(result.updated.map((u) => u.id)).toEqual([alertId]);
    await expect.poll(() => cardText(card)).toMatch(/Snoozed until/);
    expect(await cardText(card)).toMatch(/Snoozed 4 h \(Sam/);
  });

  it("Finn, not an approver nor the owner, is refused Deallocate and Azure is not called", async () => {
    await page.selectOption("#actor", "finn");
    const calls = () => server.app.fake!.requests.filter((r) => r.method === "POST" && /\/deallocate$/i.test(r.path)).length;
    const before = calls();
    const card = channelMessage(alertId);
    const rev = await card.getAttribute("data-rev");
    const result = await click(card, "Deallocate…");
    expect(result.updated).toEqual([]);
    const refusal = page.locator(`li.message[data-message-id="${result.ephemeral?.id}"]`);
    await refusal.waitFor({ state: "visible" });
    expect(await cardText(refusal)).toMatch(/Only the configured GPU approvers or the VM's owner/);
    expect(await card.getAttribute("data-rev")).toBe(rev);
    expect(calls()).toBe(before);
    await refusal.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "03-deallocate-refused");
  });

  it("Sam, an approver, deallocates after confirming; ARM is called once and the card follows it", async () => {
    await page.selectOption("#actor", "sam");
    const calls = () => server.app.fake!.requests.filter((r) => r.method === "POST" && /\/deallocate$/i.test(r.path));
    const card = channelMessage(alertId);
    await click(card, "Deallocate…");
    await expect.poll(() => cardText(card)).toMatch(/Sam asked to deallocate it/);
    expect(calls().length).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "04-deallocate-confirm");
    await click(card, "Yes, deallocate");
    await expect.poll(() => cardText(card), { timeout: 20_000 }).toMatch(/deallocated/i);
    expect(calls().length).toBe(1);
    expect(await button(card, "Deallocate…").count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "05-deallocated");
  });

  it("Share in channel posts a chat answer to the local channel", async () => {
    await page.selectOption("#actor", "dana");
    const answer = await ask("quota westus");
    const result = await click(answer, "Share in channel");
    expect(result.posted.length).toBe(1);
    const shared = channelMessage(result.posted[0]!.id);
    await shared.locator(".ac-adaptiveCard").waitFor();
    expect(await cardText(shared)).toContain(await answer.getAttribute("data-title"));
    await shared.scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, "06-shared-in-channel");
  });

  it("ran without page errors or failed requests", () => {
    expect(watched.errors).toEqual([]);
  });
});

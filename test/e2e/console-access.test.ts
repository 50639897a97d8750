/**
 * Who can reach the console, over real HTTP and in real Chromium: the API takes JSON from the
 * page's own origin only (a page on another origin can neither post a form nor fetch it), a
 * foreign Host is refused (DNS rebinding), a token-protected console needs its token (header or
 * the cookie set from ?token=), and a console that is off does not exist.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_COOKIE } from "../../src/chat/console/access.ts";
import type { RunningServer } from "../../src/server.ts";
import { launchChromium, screenshot, startDemoServer } from "../support/browser.ts";

const SUITE = "console-access";
const TOKEN = "e2e-console-token-0123456789abcdef";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, so the test controls every header (Host included), as a hostile client would. */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? "GET", headers: opts.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const command = JSON.stringify({ text: "skus swedencentral a100", actor: "dana" });

describe("default console (demo, loopback, no token)", () => {
  let server: RunningServer;
  let browser: Browser;
  let evil: Server;
  let evilUrl: string;
  const chatSize = () => server.console.messages.list("chat").length;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDemoServer(), launchChromium()]);
    // Another origin (same machine, other port) whose page tries to drive the console.
    const target = `${server.url}/console/api/command`;
    evil = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><body>
        <form id="f" method="POST" action="${target}" enctype="text/plain"><input name='{"text":"skus eastus","actor":"dana","x":"' value='"}'></form>
        <script>
          window.fetchResult = fetch(${JSON.stringify(target)}, { method: "POST", headers: { "content-type": "application/json" }, body: ${JSON.stringify(command)} })
            .then((r) => "status " + r.status, (e) => "blocked: " + e.message);
        </script></body>`);
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => evil?.close(r));
    await server?.close();
  });

  it("serves the page with a strict content security policy", async () => {
    const res = await raw(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("/console/vendor/adaptivecards.min.js");
    expect(String(res.headers["content-security-policy"])).toContain("script-src 'self'");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    const vendor = await raw(`${server.url}/console/vendor/adaptivecards.min.js`);
    expect(vendor.status).toBe(200);
    expect(vendor.body).toContain("AdaptiveCards");
    expect((await raw(`${server.url}/console/vendor/package.json`)).status).toBe(404);
    expect((await raw(`${server.url}/console/vendor/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it("refuses API calls that are not same-origin JSON, and runs nothing for them", async () => {
    const url = `${server.url}/console/api/command`;
    const before = chatSize();
    const textPlain = await raw(url, { method: "POST", headers: { "content-type": "text/plain" }, body: command });
    expect(textPlain.status).toBe(415);
    const form = await raw(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "text=skus" });
    expect(form.status).toBe(415);
    const foreign = await raw(url, { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example" }, body: command });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error).toBe("console_origin");
    const crossSite = await raw(url, { method: "POST", headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" }, body: command });
    expect(crossSite.status).toBe(403);
    const rebound = await raw(url, { method: "POST", headers: { "content-type": "application/json", host: "rebound.evil.example:80" }, body: command });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toBe("console_host");
    const reboundPage = await raw(`${server.url}/`, { headers: { host: "rebound.evil.example" } });
    expect(reboundPage.status).toBe(403);
    expect(chatSize()).toBe(before);
  });

  it("answers bad input kindly: malformed JSON, an unknown identity, an unknown button", async () => {
    const url = `${server.url}/console/api/command`;
    const broken = await raw(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).message).toMatch(/not valid JSON\. Example/);
    expect(broken.body).not.toMatch(/at .*\.ts|SyntaxError/);
    const stranger = await raw(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "help", actor: "mallory" }) });
    expect(stranger.status).toBe(400);
    expect(JSON.parse(stranger.body).message).toMatch(/dana/);
    const action = await raw(`${server.url}/console/api/action`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ verb: "no-such-button", payload: {}, actor: "dana", messageId: "00000000-0000-4000-8000-000000000000" }),
    });
    expect(action.status).toBe(200);
    expect(JSON.parse(action.body).ephemeral.reply.outcome).toBe("user_error");
  });

  it("a page on another origin can neither post a form nor fetch the API in Chromium", async () => {
    const page = await browser.newPage();
    const before = chatSize();
    const submitted: number[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/console/api/command")) submitted.push(r.status());
    });
    await page.goto(evilUrl);
    const fetchResult = await page.evaluate("window.fetchResult");
    expect(fetchResult).toMatch(/^blocked/);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith("/console/api/command")), page.evaluate('document.getElementById("f").submit()')]);
    expect(submitted.length).toBeGreaterThan(0);
    expect(submitted.every((s) => s === 403 || s === 415)).toBe(true);
    await screenshot(page, SUITE, "01-cross-origin-form-refused");
    expect(chatSize()).toBe(before);
    await page.close();
  });
});

describe("token-protected console (GPUOPS_CONSOLE=on + GPUOPS_CONSOLE_TOKEN)", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDemoServer({ GPUOPS_CONSOLE: "on", GPUOPS_CONSOLE_TOKEN: TOKEN }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("refuses every call without the right token, constant answer, no hint of the token", async () => {
    const url = `${server.url}/console/api/identities`;
    expect((await raw(url)).status).toBe(401);
    expect((await raw(url, { headers: { "x-gpuops-console-token": `${TOKEN.slice(0, -1)}x` } })).status).toBe(401);
    expect((await raw(`${url}?token=${TOKEN}`)).status).toBe(401);
    const page = await raw(`${server.url}/`);
    expect(page.status).toBe(401);
    expect(page.body).not.toContain(TOKEN);
    expect((await raw(url, { headers: { "x-gpuops-console-token": TOKEN } })).status).toBe(200);
    expect((await raw(url, { headers: { authorization: `Bearer ${TOKEN}`, host: "gpuops.example.internal" } })).status).toBe(200);
  });

  it("?token= sets an HttpOnly SameSite=Strict cookie and drops the token from the address", async () => {
    const res = await raw(`${server.url}/?token=${encodeURIComponent(TOKEN)}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/");
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toContain(`${TOKEN_COOKIE}=`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
  });

  it("works in Chromium after opening /?token= once", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?token=${encodeURIComponent(TOKEN)}`);
    expect(page.url()).toBe(`${server.url}/`);
    await page.locator("body[data-ready=true]").waitFor();
    await page.fill("#command", "explain TPM");
    await page.press("#command", "Enter");
    await page.locator("#chat-log li.message.bot .ac-adaptiveCard").first().waitFor();
    expect(await page.locator("#chat-log li.message.bot .ac-adaptiveCard").first().textContent()).toMatch(/tokens per minute/i);
    await screenshot(page, SUITE, "02-token-console");
    await page.close();
  });
});

describe("console switched off", () => {
  it("GPUOPS_CONSOLE=off: the page and API are not there; the server still runs", async () => {
    const server = await startDemoServer({ GPUOPS_CONSOLE: "off" });
    try {
      expect(server.consoleUrl).toBeUndefined();
      expect((await raw(`${server.url}/`)).status).toBe(404);
      expect((await raw(`${server.url}/console/api/identities`)).status).toBe(404);
      expect((await raw(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("the default server names its console address as http://localhost:<port>/", async () => {
    const server = await startDemoServer();
    try {
      expect(server.consoleUrl).toMatch(/^http:\/\/localhost:\d+\/$/);
    } finally {
      await server.close();
    }
  });
});

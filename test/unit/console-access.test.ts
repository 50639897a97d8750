import { tmpdir } from "node:os";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consoleAccess, hostName, presentedToken, readCookie, refuseRequest, TOKEN_COOKIE, tokenMatches } from "../../src/chat/console/access.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";

const load = (env: Record<string, string>) => loadConfig(env, { cwd: tmpdir() });
const TOKEN = "0123456789abcdef0123456789abcdef";
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";

describe("consoleAccess: when the console is on", () => {
  it("is on by default in demo mode on loopback, without a token", () => {
    const a = consoleAccess(load({}));
    expect(a.enabled).toBe(true);
    expect(a.token).toBeUndefined();
  });

  it("is off with live Azure (production) unless GPUOPS_CONSOLE=on", () => {
    expect(consoleAccess(load({ AZURE_SUBSCRIPTION_IDS: SUB })).enabled).toBe(false);
    expect(consoleAccess(load({ AZURE_SUBSCRIPTION_IDS: SUB, GPUOPS_DEMO: "false" })).enabled).toBe(false);
    expect(consoleAccess(load({ AZURE_SUBSCRIPTION_IDS: SUB, GPUOPS_DEMO: "false", GPUOPS_CONSOLE: "on" })).enabled).toBe(true);
  });

  it("is off on a non-loopback address unless on + token; the config refuses on without a token", () => {
    const exposed = consoleAccess(load({ GPUOPS_HOST: "0.0.0.0" }));
    expect(exposed.enabled).toBe(false);
    expect(exposed.reason).toMatch(/GPUOPS_CONSOLE_TOKEN/);
    expect(() => load({ GPUOPS_HOST: "0.0.0.0", GPUOPS_CONSOLE: "on" })).toThrow(ConfigError);
    expect(() => load({ GPUOPS_HOST: "0.0.0.0", GPUOPS_CONSOLE: "on" })).toThrow(/GPUOPS_CONSOLE_TOKEN: required/);
    const withToken = consoleAccess(load({ GPUOPS_HOST: "0.0.0.0", GPUOPS_CONSOLE: "on", GPUOPS_CONSOLE_TOKEN: TOKEN }));
    expect(withToken).toMatchObject({ enabled: true, token: TOKEN });
  });

  it("is off when asked, and refuses a short token at start-up", () => {
    expect(consoleAccess(load({ GPUOPS_CONSOLE: "off" })).enabled).toBe(false);
    expect(() => load({ GPUOPS_CONSOLE_TOKEN: "short" })).toThrow(/GPUOPS_CONSOLE_TOKEN: must be at least 24 characters/);
    expect(() => load({ GPUOPS_CONSOLE: "yes" })).toThrow(/GPUOPS_CONSOLE/);
  });
});

describe("refuseRequest", () => {
  const open = consoleAccess(load({}));
  const locked = consoleAccess(load({ GPUOPS_CONSOLE_TOKEN: TOKEN }));
  const json = { host: "localhost:3978", "content-type": "application/json" };

  it("lets the page's own JSON calls through", () => {
    expect(refuseRequest(open, { ...json, origin: "http://localhost:3978", "sec-fetch-site": "same-origin" }, { api: true, method: "POST" })).toBeUndefined();
    expect(refuseRequest(open, { host: "127.0.0.1:3978" }, { api: true, method: "GET" })).toBeUndefined();
    expect(refuseRequest(open, { host: "[::1]:3978" }, { api: false, method: "GET" })).toBeUndefined();
  });

  it("refuses other sites: cross-site fetch metadata, a foreign Origin, a non-JSON body", () => {
    expect(refuseRequest(open, { ...json, "sec-fetch-site": "cross-site" }, { api: true, method: "POST" })?.code).toBe("console_origin");
    expect(refuseRequest(open, { ...json, "sec-fetch-site": "same-site" }, { api: true, method: "POST" })?.code).toBe("console_origin");
    expect(refuseRequest(open, { ...json, origin: "http://evil.example" }, { api: true, method: "POST" })?.code).toBe("console_origin");
    expect(refuseRequest(open, { ...json, origin: "null" }, { api: true, method: "POST" })?.code).toBe("console_origin");
    expect(refuseRequest(open, { ...json, origin: "http://localhost:9999" }, { api: true, method: "POST" })?.code).toBe("console_origin");
    expect(refuseRequest(open, { host: "localhost:3978", "content-type": "text/plain" }, { api: true, method: "POST" })?.status).toBe(415);
    expect(refuseRequest(open, { host: "localhost:3978", "content-type": "application/x-www-form-urlencoded" }, { api: true, method: "POST" })?.status).toBe(415);
    expect(refuseRequest(open, { host: "localhost:3978" }, { api: true, method: "POST" })?.status).toBe(415);
  });

  it("refuses a non-loopback Host without a token (DNS rebinding)", () => {
    expect(refuseRequest(open, { ...json, host: "evil.example:3978" }, { api: true, method: "POST" })?.code).toBe("console_host");
    expect(refuseRequest(open, { host: "evil.example" }, { api: false, method: "GET" })?.code).toBe("console_host");
    expect(refuseRequest(open, {}, { api: false, method: "GET" })?.code).toBe("console_host");
  });

  it("with a token: any host, but only with the token (header, bearer, cookie, or ?token= for the page)", () => {
    const h = { ...json, host: "gpuops.internal:3978" };
    expect(refuseRequest(locked, h, { api: true, method: "POST" })?.status).toBe(401);
    expect(refuseRequest(locked, { ...h, "x-gpuops-console-token": `${TOKEN}x` }, { api: true, method: "POST" })?.status).toBe(401);
    expect(refuseRequest(locked, { ...h, "x-gpuops-console-token": TOKEN }, { api: true, method: "POST" })).toBeUndefined();
    expect(refuseRequest(locked, { ...h, authorization: `Bearer ${TOKEN}` }, { api: true, method: "POST" })).toBeUndefined();
    expect(refuseRequest(locked, { ...h, cookie: `a=b; ${TOKEN_COOKIE}=${TOKEN}` }, { api: true, method: "POST" })).toBeUndefined();
    expect(refuseRequest(locked, { host: h.host }, { api: false, method: "GET", queryToken: TOKEN })).toBeUndefined();
    // ?token= opens the page only, never the API.
    expect(refuseRequest(locked, { ...h }, { api: true, method: "POST", queryToken: TOKEN })?.status).toBe(401);
  });
});

describe("header parsing", () => {
  it("tokenMatches is exact", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (a, b) => {
        expect(tokenMatches(a, a)).toBe(true);
        expect(tokenMatches(a, b)).toBe(a === b);
      }),
    );
    expect(tokenMatches(TOKEN, undefined)).toBe(false);
    expect(tokenMatches(TOKEN, "")).toBe(false);
  });

  it("readCookie finds one cookie among many and never throws", () => {
    expect(readCookie("x=1; gpuops_console_token=abc%20d; y=2", TOKEN_COOKIE)).toBe("abc d");
    expect(readCookie("gpuops_console_token_other=1", TOKEN_COOKIE)).toBeUndefined();
    expect(readCookie("gpuops_console_token=%E0%A4%A", TOKEN_COOKIE)).toBe("%E0%A4%A");
    fc.assert(fc.property(fc.string(), (s) => void readCookie(s, TOKEN_COOKIE)));
  });

  it("hostName strips ports and brackets, and rejects junk", () => {
    expect(hostName("LocalHost:3978")).toBe("localhost");
    expect(hostName("[::1]:3978")).toBe("::1");
    expect(hostName("127.0.0.1")).toBe("127.0.0.1");
    expect(hostName("a:b:c")).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => void hostName(s)));
  });

  it("presentedToken prefers Authorization, then the header, then the cookie", () => {
    expect(presentedToken({ authorization: "Bearer one", "x-gpuops-console-token": "two", cookie: `${TOKEN_COOKIE}=three` })).toBe("one");
    expect(presentedToken({ "x-gpuops-console-token": "two", cookie: `${TOKEN_COOKIE}=three` })).toBe("two");
    expect(presentedToken({ cookie: `${TOKEN_COOKIE}=three` })).toBe("three");
    expect(presentedToken({})).toBeUndefined();
  });
});

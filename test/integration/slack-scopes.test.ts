/**
 * The Slack scopes follow from what the code calls: every Web API method gpuops calls is in the
 * table below (Slack's documented required scope per method), every scope those methods need is
 * in deploy/slack/manifest.yaml, and every scope the manifest asks for is needed by a method, the
 * slash command, or a subscribed event. A new Slack call without its scope fails here, not in a
 * customer's workspace. And a missing scope is reported by the name Slack gives it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { missingScopeReason, postingError } from "../../src/chat/slack/web-client.ts";

/** Method → bot scopes it needs (https://docs.slack.dev/reference/methods/<method>, "Required scopes"). */
const METHOD_SCOPES: ReadonlyMap<string, readonly string[]> = new Map([
  ["auth.test", []],
  ["chat.postMessage", ["chat:write"]],
  ["chat.postEphemeral", ["chat:write"]],
  ["chat.update", ["chat:write"]],
  ["views.open", []],
  ["views.publish", []],
  ["views.update", []],
  ["usergroups.users.list", ["usergroups:read"]],
  // users.info itself needs users:read; the profile's e-mail (what owner tags are matched on) also users:read.email.
  ["users.info", ["users:read", "users:read.email"]],
  // Public channels need channels:history, private ones groups:history (gpuops checks its own earlier posts in both).
  ["conversations.history", ["channels:history", "groups:history"]],
  // The WebClient's upload helper: files.getUploadURLExternal + files.completeUploadExternal.
  ["filesUploadV2", ["files:write"]],
]);

/** Bot events → the scope their subscription needs (https://docs.slack.dev/reference/events/<event>). */
const EVENT_SCOPES: ReadonlyMap<string, readonly string[]> = new Map([
  ["app_home_opened", []],
  ["app_mention", ["app_mentions:read"]],
  ["message.im", ["im:history"]],
  ["message.channels", ["channels:history"]],
  ["message.groups", ["groups:history"]],
  ["message.mpim", ["mpim:history"]],
]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** "chat.postMessage" for every `<client>.chat.postMessage(` in the Slack door's code. */
function calledMethods(): Set<string> {
  const called = new Set<string>();
  const root = new URL("../../src/chat/slack/", import.meta.url).pathname;
  for (const file of [...sources(root), new URL("../../src/server.ts", import.meta.url).pathname]) {
    const code = readFileSync(file, "utf8");
    for (const m of code.matchAll(/\b(?:client|web|slack\.client)\s*\.\s*((?:[a-z]+\.)+[a-zA-Z]+|filesUploadV2)\s*\(/g)) called.add(m[1] as string);
  }
  return called;
}

const manifest = parse(readFileSync(new URL("../../deploy/slack/manifest.yaml", import.meta.url), "utf8")) as {
  oauth_config: { scopes: { bot: string[] } };
  features: { slash_commands?: unknown[] };
  settings: { event_subscriptions: { bot_events: string[] } };
};

describe("Slack scopes derived from the code", () => {
  const called = calledMethods();

  it("finds the Web API methods the door calls, each with a known scope", () => {
    expect(called.size).toBeGreaterThan(3);
    expect(called).toContain("usergroups.users.list");
    expect(called).toContain("users.info");
    for (const method of called) expect(METHOD_SCOPES.has(method), `${method} is called but has no scope entry`).toBe(true);
  });

  it("the manifest grants every scope the called methods need", () => {
    const granted = new Set(manifest.oauth_config.scopes.bot);
    for (const method of called) for (const scope of METHOD_SCOPES.get(method) ?? []) expect(granted.has(scope), `${method} needs ${scope}`).toBe(true);
    if (manifest.features.slash_commands?.length) expect(granted.has("commands")).toBe(true);
  });

  it("the manifest asks for no scope that nothing needs", () => {
    const needed = new Set<string>([...called].flatMap((m) => [...(METHOD_SCOPES.get(m) ?? [])]));
    if (manifest.features.slash_commands?.length) needed.add("commands");
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      expect(EVENT_SCOPES.has(event), `event ${event} has no scope entry`).toBe(true);
      for (const scope of EVENT_SCOPES.get(event) ?? []) needed.add(scope);
    }
    for (const scope of manifest.oauth_config.scopes.bot) expect(needed.has(scope), `${scope} is granted but nothing needs it`).toBe(true);
  });
});

describe("a missing scope is named as Slack names it", () => {
  // The shape @slack/web-api throws for `{ ok: false, error: "missing_scope", needed, provided }`.
  const missing = (needed: string) =>
    Object.assign(new Error("An API error occurred: missing_scope"), {
      code: "slack_webapi_platform_error",
      data: { ok: false, error: "missing_scope", needed, provided: "commands,chat:write" },
    });

  it("usergroups.users.list without usergroups:read says usergroups:read, not chat:write", () => {
    const reason = missingScopeReason(missing("usergroups:read"));
    expect(reason).toContain("usergroups:read");
    expect(reason).not.toContain("chat:write");
    expect(postingError(missing("chat:write"), "C1").message).toContain("lacks the chat:write scope");
  });
});

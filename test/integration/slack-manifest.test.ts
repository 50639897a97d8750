/** deploy/slack/manifest.yaml imports as a Slack app manifest and matches what the door serves. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SLACK_EVENTS_PATH } from "../../src/chat/slack/slack-door.ts";

interface Manifest {
  _metadata?: { major_version?: number };
  display_information: { name: string; description?: string };
  features: {
    app_home: { home_tab_enabled: boolean; messages_tab_enabled?: boolean };
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: Array<{ command: string; url: string; description: string; usage_hint?: string; should_escape?: boolean }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
    org_deploy_enabled?: boolean;
    token_rotation_enabled?: boolean;
  };
}

const manifest = parse(readFileSync(new URL("../../deploy/slack/manifest.yaml", import.meta.url), "utf8")) as Manifest;

describe("Slack app manifest", () => {
  it("has only the documented top-level keys, and the required ones", () => {
    expect(Object.keys(manifest).sort()).toEqual(["_metadata", "display_information", "features", "oauth_config", "settings"]);
    expect(manifest._metadata?.major_version).toBe(1);
    expect(manifest.display_information.name).toBe("gpuops");
  });

  it("declares /gpu, interactivity and events at the door's one endpoint", () => {
    const [cmd] = manifest.features.slash_commands;
    expect(cmd?.command).toBe("/gpu");
    expect(cmd?.should_escape).toBe(false);
    expect(cmd?.description.length).toBeGreaterThan(0);
    for (const url of [cmd?.url, manifest.settings.interactivity.request_url, manifest.settings.event_subscriptions.request_url]) {
      expect(new URL(url as string).pathname).toBe(SLACK_EVENTS_PATH);
      expect(url).toMatch(/^https:\/\//);
    }
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("asks for the least scopes, subscribes to App Home, mentions and DMs, and says whether Socket Mode is on", () => {
    // Which scopes, exactly, follows from the methods the code calls (slack-scopes.test.ts).
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        "commands",
        "chat:write",
        "files:write",
        "channels:history",
        "groups:history",
        "usergroups:read",
        "users:read",
        "users:read.email",
        "app_mentions:read",
        "im:history",
      ]),
    );
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened", "app_mention", "message.im"]);
    // Questions can be sent to the bot directly.
    expect((manifest.features.app_home as { messages_tab_read_only_enabled?: boolean }).messages_tab_read_only_enabled).toBe(false);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.bot_user.display_name).toBe("gpuops");
    expect(typeof manifest.settings.socket_mode_enabled).toBe("boolean");
  });
});

import { describe, expect, it } from "vitest";
import { teamsAuthConfig } from "../../src/chat/teams/auth-config.ts";
import { ConfigError, loadConfig, redactConfig, summariseConfig } from "../../src/config.ts";

const APP = "9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const load = (env: Record<string, string>) => loadConfig({ GPUOPS_DEMO: "true", ...env }, { cwd: "/nonexistent" });

describe("Teams settings", () => {
  it("reads the Agents SDK's variable names and builds its auth configuration", () => {
    const config = load({ clientId: APP, clientSecret: "s3cr3t-value", tenantId: TENANT });
    expect(config.teams).toMatchObject({ appId: APP, appPassword: "s3cr3t-value", tenantId: TENANT, slowReplyMs: 2000 });
    expect(teamsAuthConfig(config.teams)).toEqual({ clientId: APP, clientSecret: "s3cr3t-value", tenantId: TENANT, authType: "ClientSecret", validateIssuer: true });
  });

  it("is local mode (an empty auth configuration) without a clientId", () => {
    const config = load({});
    expect(config.teams.appId).toBeUndefined();
    expect(teamsAuthConfig(config.teams)).toEqual({});
    expect(summariseConfig(config)).toMatch(/teams: local mode at \/api\/messages/);
  });

  it("needs a secret with the app id unless another identity is named", () => {
    expect(() => load({ clientId: APP })).toThrow(/clientSecret: required with clientId.*authType=UserManagedIdentity/);
    expect(load({ clientId: APP, authType: "UserManagedIdentity" }).teams.authType).toBe("UserManagedIdentity");
    expect(() => load({ clientSecret: "x" })).toThrow(ConfigError);
    expect(() => load({ clientId: "not-a-guid", clientSecret: "x" })).toThrow(/clientId: must be the bot's Microsoft Entra app \(client\) id/);
    expect(() => load({ clientId: APP, clientSecret: "x", authType: "Password" })).toThrow(/authType/);
  });

  it("accepts an https authority, and http only on loopback", () => {
    expect(load({ clientId: APP, clientSecret: "x", authorityEndpoint: "https://login.microsoftonline.us" }).teams.authority).toBe("https://login.microsoftonline.us");
    expect(load({ clientId: APP, clientSecret: "x", authorityEndpoint: "http://127.0.0.1:8080" }).teams.authority).toBe("http://127.0.0.1:8080");
    expect(() => load({ clientId: APP, clientSecret: "x", authorityEndpoint: "http://login.example.com" })).toThrow(/authorityEndpoint: must be an https:\/\/ URL/);
  });

  it("never shows the secret in the summary or the redacted config", () => {
    const config = load({ clientId: APP, clientSecret: "s3cr3t-value", tenantId: TENANT });
    expect(summariseConfig(config)).toContain(`teams: app ${APP} (ClientSecret, secret: [redacted])`);
    expect(summariseConfig(config)).not.toContain("s3cr3t-value");
    expect(JSON.stringify(redactConfig(config))).not.toContain("s3cr3t-value");
  });
});

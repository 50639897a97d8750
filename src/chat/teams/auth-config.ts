/**
 * gpuops' Teams settings → the Agents SDK's AuthConfiguration. With an app id the SDK validates
 * inbound JWTs (issuer checked too) and gets outbound tokens for that identity; without one it
 * runs in anonymous local mode, which the SDK itself refuses under NODE_ENV=production.
 */
import type { AuthConfiguration } from "@microsoft/agents-hosting";
import type { Config } from "../../config.ts";

export type TeamsSettings = Config["teams"];

export function isLocalMode(teams: TeamsSettings): boolean {
  return teams.appId === undefined;
}

export function teamsAuthConfig(teams: TeamsSettings): AuthConfiguration {
  if (teams.appId === undefined) return {};
  const auth: AuthConfiguration = {
    clientId: teams.appId,
    authType: teams.authType ?? "ClientSecret",
    // Off by default in the SDK; on, a token signed by a Microsoft key for another issuer is refused.
    validateIssuer: true,
  };
  if (teams.appPassword !== undefined) auth.clientSecret = teams.appPassword;
  if (teams.tenantId !== undefined) auth.tenantId = teams.tenantId;
  if (teams.authority !== undefined) auth.authorityEndpoint = teams.authority;
  if (teams.sidecarUrl !== undefined) auth.sidecarBaseUrl = teams.sidecarUrl;
  return auth;
}

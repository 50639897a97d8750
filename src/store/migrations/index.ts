/** Every migration, in order. Names sort; never rename or edit a released one, add a new one. */
import type { Migration } from "kysely/migration";
import * as m001 from "./001-core.ts";
import * as m002teams from "./002-teams-conversations.ts";
import * as m004subscriptions from "./004-channel-subscriptions.ts";
import * as m005idle from "./005-idle-alerts.ts";
import * as m006requests from "./006-gpu-requests.ts";
import * as m007poolClaims from "./007-pool-claims-audit-guard.ts";
import * as m008slackSeen from "./008-slack-request-seen.ts";

export const MIGRATIONS: Record<string, Migration> = {
  "001-core": m001,
  "002-teams-conversations": m002teams,
  "004-channel-subscriptions": m004subscriptions,
  "005-idle-alerts": m005idle,
  "006-gpu-requests": m006requests,
  "007-pool-claims-audit-guard": m007poolClaims,
  "008-slack-request-seen": m008slackSeen,
};

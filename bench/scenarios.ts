/** Every `npm run bench` scenario, in the order they run. Add yours to the list. */
import { digestScenario } from "./digest.ts";
import type { BenchScenario } from "./harness.ts";
import { idleScanScenario } from "./idle-scan.ts";
import { inventoryScenario } from "./inventory.ts";
import { skusScenario } from "./skus.ts";
import { slackAckScenario } from "./slack-ack.ts";
import { startupScenario } from "./startup.ts";
import { understandScenario } from "./understand.ts";

export const scenarios: BenchScenario[] = [skusScenario, slackAckScenario, startupScenario, digestScenario, inventoryScenario, idleScanScenario, understandScenario];

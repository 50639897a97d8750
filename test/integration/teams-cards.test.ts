// Every card the Teams door sends for every command is a valid Adaptive Card 1.5 (read back with
// the official adaptivecards library) and fits the 28 KB budget. The cards are taken from the
// loopback Bot Connector, i.e. exactly what Teams would receive.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKING_ON_IT } from "../../src/chat/teams/teams-agent.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { TEAMS_CARD_MAX_BYTES } from "../../src/render/teams.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { withTextRuns } from "../support/card-inlines.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { verbs } from "../support/router.ts";
import { personalMessage, postActivity } from "../support/teams-activities.ts";
import { validateAdaptiveCard } from "../support/validate-adaptive-card.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-cards-"));
let server: RunningServer;
let connector: FakeBotConnector;

/** The card Teams would show for `command` (the final one, if a placeholder came first). */
async function cardFor(command: string): Promise<unknown> {
  const activity = personalMessage(connector.url, command);
  const res = await postActivity(server.url, activity);
  expect(res.status).toBe(200);
  await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id), 20_000);
  let call = connector.calls.find((c) => c.activityId === activity.id);
  if (JSON.stringify(call?.activity.attachments).includes(WORKING_ON_IT)) {
    const placeholderId = call?.id;
    await connector.waitFor((calls) => calls.some((c) => c.kind === "update" && c.activityId === placeholderId), 30_000);
    call = connector.calls.find((c) => c.kind === "update" && c.activityId === placeholderId);
  }
  const attachments = call?.activity.attachments as Array<{ contentType: string; content: unknown }>;
  expect(attachments).toHaveLength(1);
  expect(attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
  return attachments[0]?.content;
}

function runTexts(card: unknown, out: string[] = []): string[] {
  const node = withTextRuns(card);
  if (Array.isArray(node)) for (const n of node) runTexts(n, out);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o.type === "TextRun" && typeof o.text === "string") out.push(o.text);
    for (const v of Object.values(o)) runTexts(v, out);
  }
  return out;
}

const NAMED = [
  "help",
  "help quota",
  "skus",
  "skus swedencentral a100",
  "skus eastus h100",
  "quota",
  "quota westus",
  "quota eastus a100",
  "where h100",
  "where a100 16",
  "explain PTU",
  "what is a PTU?",
  "quota narnia",
  "skus eastus zz99",
  "frobnicate everything",
  "where",
];
const EXAMPLES = verbs().flatMap((v) => v.examples);
const COMMANDS = [...new Set([...NAMED, ...EXAMPLES])];
const sizes: Record<string, number> = {};

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_CONSOLE: "off", GPUOPS_LOG_LEVEL: "silent" }, { cwd: dataDir });
  server = await startServer(config, { log: createLogger("silent") });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(`Teams card sizes (bytes): ${JSON.stringify(sizes)}\n`);
});

describe("Teams cards for every command", () => {
  it.each(COMMANDS)("`%s` → a valid Adaptive Card 1.5 under 28 KB", async (command) => {
    const card = await cardFor(command);
    expect(validateAdaptiveCard(card)).toEqual([]);
    expect((card as { version: string }).version).toBe("1.5");
    const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
    sizes[command] = bytes;
    expect(bytes).toBeLessThan(TEAMS_CARD_MAX_BYTES);
    // No template placeholder survives binding.
    expect(JSON.stringify(card)).not.toContain("$" + "{");
    expect(runTexts(card).length).toBeGreaterThan(0);
  });

  it("cuts the longest table (`skus` over every region) and says how to narrow it", async () => {
    const card = await cardFor("skus");
    const texts = runTexts(card);
    const note = texts.find((t) => / more rows? — narrow with: /.test(t));
    expect(note).toMatch(/^\d+ more rows? — narrow with: skus /);
    expect(Buffer.byteLength(JSON.stringify(card), "utf8")).toBeLessThan(TEAMS_CARD_MAX_BYTES);
  });
});

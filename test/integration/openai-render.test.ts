// Every `openai` answer, as the demo tenant gives it, rendered for Slack (Block Kit within limits),
// Teams (an Adaptive Card the official library accepts) and text (console/CLI): no renderer knows
// the verb, so this checks the Reply carries everything each surface needs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSlackLimits, renderSlack } from "../../src/render/slack.ts";
import { renderAdaptiveCard } from "../../src/render/teams.ts";
import { renderText } from "../../src/render/text.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";
import { validateAdaptiveCard } from "../support/validate-adaptive-card.ts";

const NOW = new Date("2026-12-03T09:00:00Z");
let h: DemoHarness;
beforeAll(async () => {
  h = await startDemoApp({ now: () => NOW });
});
afterAll(async () => {
  await h.close();
});

const cases: Array<[string, string[]]> = [
  ["openai quota swedencentral", ["gpt-4o Standard: 240k of 450k TPM used, 210k left", "RPM left"]],
  ["openai where gpt-4o 300k tpm", ["eastus2", "GlobalStandard", "3M TPM"]],
  ["openai deployments", ["ptu-reserved", "50 PTU", "2027-01-31"]],
  ["openai idle", ["ptu-reserved", "$1,200.00", "AzureOpenAIProvisionedManagedUtilizationV2"]],
];

describe("`openai` answers on every surface", () => {
  for (const [question, expected] of cases) {
    it(question, async () => {
      const reply = await runCommand(cliRequest(question), h.app.context());
      expect(reply.outcome).toBe("ok");

      const plain = renderText(reply);
      for (const e of expected) expect(plain).toContain(e);

      const slack = renderSlack(reply);
      expect(checkSlackLimits(slack)).toEqual([]);
      const slackJson = JSON.stringify(slack.blocks);
      for (const e of expected) expect(slackJson).toContain(e);

      const card = renderAdaptiveCard(reply);
      expect(validateAdaptiveCard(card)).toEqual([]);
      const cardJson = JSON.stringify(card);
      for (const e of expected) expect(cardJson).toContain(e);
    });
  }
});

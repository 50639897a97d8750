// Whatever follows `openai`, the verb answers with a Reply (never a throw), and a refusal says what
// was wrong with an example. The port here is an empty in-memory tenant: this tests the grammar,
// the Azure side is tested against the fake in test/integration/openai-azure.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openaiVerb } from "../../src/commands/openai.ts";
import type { CommandContext } from "../../src/commands/types.ts";
import type { OpenAiPort, Services } from "../../src/services/ports.ts";
import { testLog } from "../support/log.ts";

const empty: OpenAiPort = {
  accounts: async () => [],
  deployments: async () => [],
  usages: async () => [],
  models: async () => [],
  modelCapacities: async () => [],
  ptuUtilization: async () => [],
  ptuHourlyPrice: () => ({ known: false, reason: "none" }),
};
const ctx: CommandContext = {
  services: { scope: { subscriptions: async () => [{ id: "00000000-0000-0000-0000-000000000000", name: "sub" }] }, openai: empty } as unknown as Services,
  settings: { regions: ["eastus", "swedencentral"], currency: "USD", timezone: "UTC", demo: false },
  now: () => new Date("2026-12-03T09:00:00Z"),
  log: testLog(),
};
const req = { text: "", actor: { id: "t" }, channel: { id: "c", platform: "cli" as const }, surface: "cli" as const };

describe("openai grammar (property)", () => {
  it("answers any words with a Reply; refusals carry an example", async () => {
    const word = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(
        "quota",
        "where",
        "deployments",
        "idle",
        "gpt-4o",
        "300k",
        "tpm",
        "50",
        "ptu",
        "global",
        "standard",
        "%",
        "eastus",
        "East",
        "US",
        "2",
        "constructor",
        "__proto__",
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 7 }), async (args) => {
        const r = await openaiVerb.run(args, req, ctx);
        expect(typeof r.title).toBe("string");
        expect(["ok", "partial", "user_error", "azure_error"]).toContain(r.outcome);
        if (r.outcome === "user_error") expect(r.parts.some((p) => p.kind === "text" && p.text.startsWith("Try: openai "))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

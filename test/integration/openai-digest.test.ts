// The digest's Azure OpenAI section: present when a PTU deployment sits idle, absent otherwise,
// and limited to the digest's subscriptions.
import { afterEach, describe, expect, it } from "vitest";
import { buildDigest } from "../../src/commands/digest.ts";
import { openAiOf } from "../../src/fake-azure/demo-openai.ts";
import type { TablePart } from "../../src/reply/reply.ts";
import { type DemoHarness, startDemoApp } from "../support/demo-app.ts";

const NOW = new Date("2026-12-03T09:00:00Z");
const open: DemoHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});
async function demo(): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => NOW });
  open.push(h);
  return h;
}
const ptuTable = (parts: unknown[]) => parts.find((p): p is TablePart => (p as TablePart).kind === "table" && (p as TablePart).title === "Idle PTU deployments");

describe("digest: Azure OpenAI section", () => {
  it("lists the idle PTU deployment with what it burnt", async () => {
    const h = await demo();
    const d = await buildDigest(h.app.context(), { scope: null, timezone: "UTC" }, NOW);
    expect(ptuTable(d.reply.parts)?.rows).toEqual([{ deployment: "ptu-reserved", account: "foundry-prod-eus2", region: "eastus2", ptu: "50", burnt: "$1,200.00" }]);
  });

  it("says nothing when no PTU deployment is idle", async () => {
    const h = await demo();
    const reserved = openAiOf(h.fake.tenant).deployments.find((d) => d.name === "ptu-reserved");
    if (reserved) reserved.utilisation = () => 45;
    const d = await buildDigest(h.app.context(), { scope: null, timezone: "UTC" }, NOW);
    expect(ptuTable(d.reply.parts)).toBeUndefined();
    expect(JSON.stringify(d.reply.parts)).not.toContain("Azure OpenAI");
  });

  it("keeps to the digest's subscriptions", async () => {
    const h = await demo();
    const d = await buildDigest(h.app.context(), { scope: { kind: "subscription", value: "ml-research-dev" }, timezone: "UTC" }, NOW);
    expect(ptuTable(d.reply.parts)).toBeUndefined();
  });

  it("never holds the digest back when Azure OpenAI does not answer", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/Microsoft.CognitiveServices/", status: 500 });
    const d = await buildDigest(h.app.context(), { scope: null, timezone: "UTC" }, NOW);
    expect(d.reply.outcome).not.toBe("azure_error");
    expect(ptuTable(d.reply.parts)).toBeUndefined();
  });
});

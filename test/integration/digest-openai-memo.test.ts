// Many channels' digests at the same minute against the fake Azure through the real SDK clients:
// the Azure OpenAI section's reads (Cognitive Services accounts, deployments, Azure Monitor PTU
// metrics) are made once per run, not once per digest, and every digest still says the same.
import { afterEach, describe, expect, it } from "vitest";
import { openAiOf } from "../../src/fake-azure/demo-openai.ts";
import { renderText } from "../../src/render/text.ts";
import { type DigestWorld, startDigestWorld } from "../support/digest-world.ts";

let world: DigestWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const OPENAI_APIS = ["Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices/deployments", "Microsoft.CognitiveServices/metrics"] as const;

/** `channels` Slack channels subscribed to the 09:00 UTC digest; the run's Azure OpenAI calls and each channel's digest text. */
async function oneRun(channels: number, prepare?: (w: DigestWorld) => void) {
  world = await startDigestWorld("2026-03-03T08:00:00Z");
  const w = world;
  const app = await w.boot({ platforms: ["slack"] });
  for (let i = 0; i < channels; i++) expect((await w.say("slack", `C0MEMO${i}`, "subscribe digest at 09:00 tz UTC")).outcome).toBe("ok");
  prepare?.(w);
  app.azure.resetCounters();
  await w.clock.advanceTo("2026-03-03T09:05:00Z");
  const counters = app.azure.counters();
  const calls = Object.fromEntries(OPENAI_APIS.map((api) => [api, counters[api]?.calls ?? 0]));
  const posts = w.posters.slack.posts.filter((p) => p.kind === "post");
  expect(posts).toHaveLength(channels);
  const texts = posts.map((p) => renderText(p.reply));
  // The demo tenant: accounts that can host deployments, and those holding provisioned (PTU) ones.
  const demo = openAiOf(w.fake.tenant);
  const hosts = demo.accounts.filter((a) => /^(openai|aiservices)$/i.test(a.kind));
  const ptuHosts = hosts.filter((a) => demo.deployments.some((d) => d.account === a.name && /provisioned/i.test(d.sku)));
  const demoCounts = { subscriptions: new Set(demo.accounts.map((a) => a.subscriptionId)).size, hosts: hosts.length, ptuHosts: ptuHosts.length };
  await w.close();
  world = undefined;
  return { calls, texts, demo: demoCounts };
}

describe("digest: the Azure OpenAI section's reads are shared by the digests of one run", () => {
  it("makes as many Cognitive Services and PTU metrics calls for 8 digests as for one, and says the same in each", async () => {
    const one = await oneRun(1);
    const many = await oneRun(8);
    expect(one.texts[0]).toContain("Azure OpenAI:");
    expect(one.texts[0]).toContain("ptu-reserved");
    expect(many.calls).toEqual(one.calls);
    expect(many.calls["Microsoft.CognitiveServices/accounts"]).toBeLessThanOrEqual(many.demo.subscriptions);
    expect(many.calls["Microsoft.CognitiveServices/deployments"]).toBeLessThanOrEqual(many.demo.hosts);
    expect(many.calls["Microsoft.CognitiveServices/metrics"]).toBeLessThanOrEqual(many.demo.ptuHosts);
    expect(many.calls["Microsoft.CognitiveServices/metrics"]).toBeGreaterThan(0);
    expect(new Set(many.texts)).toEqual(new Set(one.texts));
  });

  it("does not share a failed read: the digests after it ask again and say the full story", async () => {
    const clean = await oneRun(1);
    const failed = await oneRun(8, (w) => w.fake.addFault({ match: /accounts\/foundry-prod-eus2\/providers\/microsoft\.insights\/metrics/i, status: 403, times: 1 }));
    // The one failure cost a second read for that account, not a second read for every digest.
    expect(failed.calls["Microsoft.CognitiveServices/metrics"]).toBe((clean.calls["Microsoft.CognitiveServices/metrics"] ?? 0) + 1);
    const full = clean.texts[0];
    expect(failed.texts.some((t) => t !== full)).toBe(true);
    expect(failed.texts.at(-1)).toBe(full);
  });
});

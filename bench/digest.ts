/**
 * Fifty channels' digests at the same minute: the real scheduler, digest job and Azure SDK
 * clients against the fake Azure (test/support/digest-world.ts, a fake clock), posting to
 * recording ports. Reports Azure calls per API and 429s for the whole run; the goals are at most one
 * Compute usages call per subscription × region (shared by every digest), ≤ 50 in all, and for the
 * Azure OpenAI section at most one Cognitive Services accounts call per subscription, one
 * deployments call per account and one PTU metrics call per account holding PTUs, for the whole run
 * (a miss there fails the scenario).
 */

import type { ApiCounter } from "../src/azure/client-factory.ts";
import { openAiOf } from "../src/fake-azure/demo-openai.ts";
import { startDigestWorld } from "../test/support/digest-world.ts";
import { type BenchScenario, quick } from "./harness.ts";

const GOAL_USAGES_CALLS = 50;

/** One read per scope for the whole run: the most calls the digest's Azure OpenAI section may make, from the demo tenant. */
function openAiGoals(tenant: object): Array<{ api: string; per: string; goal: number }> {
  const demo = openAiOf(tenant);
  const hosts = demo.accounts.filter((a) => /^(openai|aiservices)$/i.test(a.kind));
  const ptuHosts = hosts.filter((a) => demo.deployments.some((d) => d.account === a.name && /provisioned/i.test(d.sku)));
  return [
    { api: "Microsoft.CognitiveServices/accounts", per: "subscription", goal: new Set(demo.accounts.map((a) => a.subscriptionId)).size },
    { api: "Microsoft.CognitiveServices/deployments", per: "account", goal: hosts.length },
    { api: "Microsoft.CognitiveServices/metrics", per: "PTU account", goal: ptuHosts.length },
  ];
}

/** The Azure OpenAI figures, and what missed its goal. */
function openAiFigures(tenant: object, counters: Record<string, ApiCounter>): { figures: Record<string, string>; misses: string[] } {
  const figures: Record<string, string> = {};
  const misses: string[] = [];
  for (const { api, per, goal } of openAiGoals(tenant)) {
    const calls = counters[api]?.calls ?? 0;
    figures[`${api.replace("Microsoft.CognitiveServices/", "Cognitive Services ")} calls (goal ≤ ${goal}, 1 per ${per})`] = `${calls} ${calls <= goal ? "ok" : "MISS"}`;
    if (calls > goal) misses.push(`${calls} ${api} calls, goal ≤ ${goal}`);
  }
  return { figures, misses };
}

export const digestScenario: BenchScenario = {
  name: "digests: 50 channels at once",
  async run() {
    const channels = Number(process.env.BENCH_DIGEST_CHANNELS ?? (quick() ? 50 : 50));
    const world = await startDigestWorld("2026-03-03T08:00:00Z");
    try {
      const app = await world.boot({ platforms: ["slack"] });
      for (let i = 0; i < channels; i++) {
        const reply = await world.say("slack", `C0DIGEST${String(i).padStart(3, "0")}`, "subscribe digest at 09:00 tz UTC");
        if (reply.outcome !== "ok") throw new Error(`subscribe failed: ${reply.title}`);
      }
      app.azure.resetCounters();
      const started = performance.now();
      await world.clock.advanceTo("2026-03-03T09:05:00Z");
      const posted = world.posters.slack.posts.filter((p) => p.kind === "post").length;
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const counters = app.azure.counters();
      const usages = Object.entries(counters)
        .filter(([api]) => /usages/i.test(api))
        .reduce((n, [, c]) => n + c.calls, 0);
      const openAi = openAiFigures(world.fake.tenant, counters);
      const figures: Record<string, string | number> = {
        channels,
        "digests posted": posted,
        "wall time (s)": seconds,
        [`Compute usages calls (goal ≤ ${GOAL_USAGES_CALLS})`]: `${usages} ${usages <= GOAL_USAGES_CALLS ? "ok" : "MISS"}`,
        ...openAi.figures,
        "Azure calls in all": Object.values(counters).reduce((n, c) => n + c.calls, 0),
        "429s in all": Object.values(counters).reduce((n, c) => n + c.throttled, 0),
      };
      for (const [api, c] of Object.entries(counters).sort()) figures[`  ${api}: calls, 429s`] = `${c.calls}, ${c.throttled}`;
      if (posted !== channels) throw new Error(`${posted} of ${channels} digests posted`);
      if (openAi.misses.length > 0) throw new Error(`Azure OpenAI reads not shared by the run: ${openAi.misses.join("; ")}`);
      return figures;
    } finally {
      await world.close();
    }
  },
};

/**
 * Fifty channels' digests at the same minute: the real scheduler, digest job and Azure SDK
 * clients against the fake Azure (test/support/digest-world.ts, a fake clock), posting to
 * recording ports. Reports Azure calls per API and 429s for the whole run; the goal is at most one
 * Compute usages call per subscription × region (shared by every digest), ≤ 50 in all.
 */
import { startDigestWorld } from "../test/support/digest-world.ts";
import { type BenchScenario, quick } from "./harness.ts";

const GOAL_USAGES_CALLS = 50;

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
      const figures: Record<string, string | number> = {
        channels,
        "digests posted": posted,
        "wall time (s)": seconds,
        [`Compute usages calls (goal ≤ ${GOAL_USAGES_CALLS})`]: `${usages} ${usages <= GOAL_USAGES_CALLS ? "ok" : "MISS"}`,
        "Azure calls in all": Object.values(counters).reduce((n, c) => n + c.calls, 0),
        "429s in all": Object.values(counters).reduce((n, c) => n + c.throttled, 0),
      };
      for (const [api, c] of Object.entries(counters).sort()) figures[`  ${api}: calls, 429s`] = `${c.calls}, ${c.throttled}`;
      if (posted !== channels) throw new Error(`${posted} of ${channels} digests posted`);
      return figures;
    } finally {
      await world.close();
    }
  },
};

// An idle run past the telemetry takes the start gpuops' scans watched only when the two join up.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IdleVerdict, type WatchedEpisode, withWatchedStart } from "../../src/domain/idle-rule.ts";

const NOW = Date.parse("2026-03-03T12:00:00Z");
const HOUR = 3_600_000;
const LOOKBACK_START = NOW - 26 * HOUR;

const reachesPastData = (idleSince = LOOKBACK_START): IdleVerdict => ({
  state: "idle",
  signal: "gpu_util",
  idleSince,
  sinceAtLeast: true,
  idleSeconds: (NOW - idleSince) / 1000,
});

describe("withWatchedStart", () => {
  it("counts from the watched start when a scan saw the VM idle inside the data", () => {
    const watched: WatchedEpisode = { since: NOW - 40 * HOUR, sinceAtLeast: false, lastSeen: NOW - 15 * 60_000 };
    const v = withWatchedStart(reachesPastData(), watched, NOW);
    expect(v).toMatchObject({ state: "idle", idleSince: NOW - 40 * HOUR, sinceAtLeast: false, idleSeconds: 40 * 3600 });
  });

  it("keeps the lower bound when the watched start was one too, but moves it back", () => {
    const v = withWatchedStart(reachesPastData(), { since: NOW - 30 * HOUR, sinceAtLeast: true, lastSeen: NOW - HOUR }, NOW);
    expect(v).toMatchObject({ idleSince: NOW - 30 * HOUR, sinceAtLeast: true });
  });

  it("leaves the verdict when the scans last saw the VM before the data begins (an unwatched gap)", () => {
    const v0 = reachesPastData();
    expect(withWatchedStart(v0, { since: NOW - 40 * HOUR, sinceAtLeast: false, lastSeen: LOOKBACK_START - 1 }, NOW)).toBe(v0);
  });

  it("leaves the verdict when the watched episode began after the data does, or there is none", () => {
    const v0 = reachesPastData();
    expect(withWatchedStart(v0, { since: LOOKBACK_START + HOUR, sinceAtLeast: false, lastSeen: NOW }, NOW)).toBe(v0);
    expect(withWatchedStart(v0, undefined, NOW)).toBe(v0);
  });

  it("never touches a start the telemetry read exactly, nor busy or unknown verdicts", () => {
    const exact: IdleVerdict = { state: "idle", signal: "gpu_util", idleSince: NOW - 3 * HOUR, sinceAtLeast: false, idleSeconds: 3 * 3600 };
    const watched: WatchedEpisode = { since: NOW - 40 * HOUR, sinceAtLeast: false, lastSeen: NOW };
    expect(withWatchedStart(exact, watched, NOW)).toBe(exact);
    const busy: IdleVerdict = { state: "busy", signal: "gpu_util", lastActiveAt: NOW - 60_000 };
    expect(withWatchedStart(busy, watched, NOW)).toBe(busy);
    const unknown: IdleVerdict = { state: "unknown", reason: "stale", detail: "x" };
    expect(withWatchedStart(unknown, watched, NOW)).toBe(unknown);
  });

  it("property: the start only ever moves back, and only when the episodes join up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 72 * 60 }),
        fc.integer({ min: 0, max: 96 * 60 }),
        fc.integer({ min: 0, max: 96 * 60 }),
        fc.boolean(),
        (dataMinutes, sinceMinutes, seenMinutes, atLeast) => {
          const v0 = reachesPastData(NOW - dataMinutes * 60_000);
          const watched: WatchedEpisode = { since: NOW - sinceMinutes * 60_000, sinceAtLeast: atLeast, lastSeen: NOW - seenMinutes * 60_000 };
          const v = withWatchedStart(v0, watched, NOW);
          if (v.state !== "idle" || v0.state !== "idle") throw new Error("state changed");
          const joins = watched.since <= v0.idleSince && watched.lastSeen >= v0.idleSince;
          expect(v === v0).toBe(!joins);
          expect(v.idleSince).toBeLessThanOrEqual(v0.idleSince);
          expect(v.idleSeconds * 1000).toBe(NOW - v.idleSince);
          expect(v.sinceAtLeast).toBe(joins ? atLeast : true);
        },
      ),
    );
  });
});

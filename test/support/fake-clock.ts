/**
 * A clock tests move by hand. Timers fire in time order when the test advances the clock, and
 * each timer's returned promise is awaited before the next fires, so a scheduler's wake-up has
 * finished (claims written, posts made) when `advance` resolves.
 *
 * @example
 * const clock = createFakeClock("2026-03-01T00:00:00Z");
 * await clock.advance(24 * 3600_000);
 */
import type { Clock } from "../../src/jobs/scheduler.ts";

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<void>;
  /** Moves time forward to `when` (never backwards). */
  advanceTo(when: Date | string): Promise<void>;
  /** Timers waiting to fire. */
  pending(): number;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => unknown;
}

export function createFakeClock(start: Date | string): FakeClock {
  let now = new Date(start).getTime();
  let seq = 0;
  let timers: Timer[] = [];

  async function advanceTo(target: number): Promise<void> {
    for (;;) {
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = timers[0];
      if (!next || next.at > target) break;
      timers = timers.slice(1);
      now = Math.max(now, next.at);
      await next.fn();
    }
    now = Math.max(now, target);
  }

  return {
    now: () => new Date(now),
    setTimer(fn, ms) {
      const t: Timer = { at: now + Math.max(0, ms), seq: seq++, fn };
      timers.push(t);
      return {
        cancel: () => {
          timers = timers.filter((x) => x !== t);
        },
      };
    },
    advance: (ms) => advanceTo(now + ms),
    advanceTo: (when) => advanceTo(new Date(when).getTime()),
    pending: () => timers.length,
  };
}

// Property tests for the shared retry loop: how long it waits, how often it tries, and when a
// server's Retry-After stops it. Sleep is recorded, never slept.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Backoff, backoffDelay, parseRetryAfter, type RetryAfterRule, retry, retryDelay } from "../../src/services/retry.ts";

const backoffArb: fc.Arbitrary<Backoff> = fc.record({
  baseMs: fc.integer({ min: 0, max: 10_000 }),
  factor: fc.constantFrom(1, 2, 4),
  capMs: fc.integer({ min: 0, max: 60_000 }),
  jitter: fc.constantFrom("none" as const, "equal" as const),
});
const ruleArb: fc.Arbitrary<RetryAfterRule> = fc.record({
  mode: fc.constantFrom("at-least" as const, "instead" as const),
  maxMs: fc.integer({ min: 0, max: 120_000 }),
  beyond: fc.constantFrom("clamp" as const, "give-up" as const),
});
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("retry delays", () => {
  it("back-off never exceeds its cap, and equal jitter keeps at least half the step", () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 1, max: 40 }), unit, (backoff, attempt, r) => {
        const step = Math.min(backoff.capMs ?? Number.POSITIVE_INFINITY, backoff.baseMs * (backoff.factor ?? 2) ** (attempt - 1));
        const d = backoffDelay(attempt, backoff, () => r);
        expect(d).toBeLessThanOrEqual(step);
        expect(d).toBeGreaterThanOrEqual(backoff.jitter === "equal" ? step / 2 : step);
      }),
    );
  });

  it("honours Retry-After up to its bound: waits at least (or exactly) what was asked, and never beyond the larger bound", () => {
    fc.assert(
      fc.property(backoffArb, ruleArb, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 200_000 }), unit, (backoff, rule, attempt, asked, r) => {
        const d = retryDelay(attempt, asked, { backoff, retryAfter: rule, random: () => r });
        if (asked > rule.maxMs && rule.beyond === "give-up") {
          expect(d).toBeUndefined();
          return;
        }
        const honoured = Math.min(asked, rule.maxMs);
        expect(d).toBeDefined();
        if (rule.mode === "instead") expect(d).toBe(honoured);
        else expect(d).toBeGreaterThanOrEqual(honoured);
        expect(d).toBeLessThanOrEqual(Math.max(Math.round(backoff.capMs ?? 0), rule.maxMs));
      }),
    );
  });

  it("without a Retry-After the wait is the back-off step, rounded", () => {
    fc.assert(
      fc.property(backoffArb, fc.option(ruleArb, { nil: undefined }), fc.integer({ min: 1, max: 20 }), unit, (backoff, rule, attempt, r) => {
        const d = retryDelay(attempt, undefined, { backoff, ...(rule ? { retryAfter: rule } : {}), random: () => r });
        expect(d).toBe(Math.round(backoffDelay(attempt, backoff, () => r)));
      }),
    );
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates as milliseconds from now, and nothing else", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), fc.integer({ min: 0, max: 2_000_000_000 }), (seconds, nowS) => {
        const now = nowS * 1000;
        expect(parseRetryAfter(` ${seconds} `, now)).toBe(seconds * 1000);
        expect(parseRetryAfter(new Date(now + seconds * 1000).toUTCString(), now)).toBe(seconds * 1000);
        expect(parseRetryAfter(new Date(now - seconds * 1000).toUTCString(), now)).toBe(0);
      }),
    );
    for (const junk of ["soon", "", "   ", "never", null, undefined]) expect(parseRetryAfter(junk, 0)).toBeUndefined();
  });
});

describe("retry loop", () => {
  it("tries at most `attempts` times, sleeps once between tries, and the last failure is thrown unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 12 }), backoffArb, async (attempts, failures, backoff) => {
        const sleeps: number[] = [];
        const seen: number[] = [];
        const decided: number[] = [];
        const result = await retry(
          async (attempt) => {
            seen.push(attempt);
            if (attempt <= failures) throw new Error(`try ${attempt}`);
            return attempt;
          },
          {
            attempts,
            backoff,
            decide: (o, attempt) => {
              decided.push(attempt);
              return o.ok ? { retry: false } : { retry: true };
            },
            sleep: async (ms) => void sleeps.push(ms),
            random: () => 0.5,
          },
        ).then(
          (v) => ({ ok: true as const, v }),
          (e: Error) => ({ ok: false as const, e }),
        );
        const tries = Math.min(attempts, failures + 1);
        expect(seen).toEqual(Array.from({ length: tries }, (_, i) => i + 1));
        expect(decided).toEqual(seen);
        expect(sleeps).toHaveLength(tries - 1);
        sleeps.forEach((ms, i) => {
          expect(ms).toBe(Math.round(backoffDelay(i + 1, backoff, () => 0.5)));
        });
        if (failures < attempts) expect(result).toEqual({ ok: true, v: failures + 1 });
        else expect(result.ok === false && result.e.message).toBe(`try ${attempts}`);
      }),
    );
  });

  it("stops at once when told not to retry, returning a value or throwing the error", async () => {
    const sleeps: number[] = [];
    const base = { attempts: 5, backoff: { baseMs: 100 }, decide: () => ({ retry: false as const }), sleep: async (ms: number) => void sleeps.push(ms) };
    await expect(retry(async () => "503 body", base)).resolves.toBe("503 body");
    await expect(
      retry(async () => {
        throw new Error("gone");
      }, base),
    ).rejects.toThrow("gone");
    expect(sleeps).toEqual([]);
  });

  it("retries on a returned value (an HTTP answer) and gives up on a Retry-After beyond the bound", async () => {
    const sleeps: number[] = [];
    const answers = [
      { status: 429, retryAfterMs: 1500 },
      { status: 503, retryAfterMs: undefined },
      { status: 429, retryAfterMs: 90_000 },
      { status: 200, retryAfterMs: undefined },
    ];
    const retried: number[] = [];
    const got = await retry(async (attempt) => answers[attempt - 1] ?? { status: 200, retryAfterMs: undefined }, {
      attempts: 10,
      backoff: { baseMs: 200 },
      retryAfter: { mode: "instead", maxMs: 30_000, beyond: "give-up" },
      decide: (o) => (o.ok && o.value.status !== 200 ? { retry: true, retryAfterMs: o.value.retryAfterMs } : { retry: false }),
      onRetry: ({ attempt }) => void retried.push(attempt),
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(got.status).toBe(429);
    expect(sleeps).toEqual([1500, 400]);
    expect(retried).toEqual([1, 2]);
  });
});

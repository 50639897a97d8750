import { HttpError } from "@microsoft/agents-hosting";
import { describe, expect, it } from "vitest";
import { backoffDelay, classifyConnectorError, parseRetryAfter, withConnectorRetry } from "../../src/chat/teams/connector-retry.ts";
import { GpuopsError } from "../../src/errors.ts";

function httpError(status: number, body: unknown, headers: Record<string, string> = {}): HttpError {
  const config = { method: "post", url: "v3/conversations/x/activities" };
  return new HttpError(`Request failed with status ${status}`, { data: body, status, statusText: "", headers: new Headers(headers), config }, config);
}

const policy = (sleeps: number[]) => ({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5000, random: () => 0, sleep: async (ms: number) => void sleeps.push(ms) });

describe("connector failures", () => {
  it("parses Retry-After in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter("0.5", 0)).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it("classifies Teams' answers", () => {
    expect(classifyConnectorError(httpError(429, {}, { "retry-after": "7" }))).toEqual({ kind: "transient", status: 429, retryAfterMs: 7000 });
    for (const s of [412, 502, 504]) expect(classifyConnectorError(httpError(s, {})).kind).toBe("transient");
    expect(classifyConnectorError(httpError(403, { error: { code: "BotNotInConversationRoster", message: "not in roster" } }))).toMatchObject({ kind: "gone", status: 403 });
    expect(classifyConnectorError(httpError(404, { error: { code: "ConversationNotFound" } }))).toMatchObject({ kind: "gone" });
    expect(classifyConnectorError(httpError(400, { error: { code: "BadArgument" } }))).toEqual({ kind: "permanent", status: 400 });
    expect(classifyConnectorError(new TypeError("fetch failed")).kind).toBe("transient");
    expect(classifyConnectorError(new Error("boom")).kind).toBe("permanent");
  });

  it("backs off exponentially with jitter in [step/2, step], never below Retry-After, never above the cap", () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, undefined, { ...p, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, undefined, { ...p, random: () => 0.999999 })).toBe(100);
    expect(backoffDelay(3, undefined, { ...p, random: () => 0 })).toBe(200);
    expect(backoffDelay(10, undefined, { ...p, random: () => 0.999999 })).toBe(1000);
    expect(backoffDelay(1, 700, { ...p, random: () => 0 })).toBe(700);
  });

  it("retries transient failures then succeeds; gives up on 'gone' at once", async () => {
    const sleeps: number[] = [];
    let n = 0;
    const result = await withConnectorRetry(
      "send",
      async () => {
        n++;
        if (n === 1) throw httpError(429, {}, { "retry-after": "1" });
        if (n === 2) throw httpError(502, {});
        return "ok";
      },
      policy(sleeps),
    );
    expect(result).toBe("ok");
    expect(sleeps).toEqual([1000, 100]);

    const gone = await withConnectorRetry(
      "send",
      async () => {
        throw httpError(403, { error: { code: "BotNotInConversationRoster" } });
      },
      policy([]),
    ).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GpuopsError);
    expect((gone as GpuopsError).context.gone).toBe("yes");
  });

  it("does not wait out a Retry-After longer than the cap: it reports throttling", async () => {
    const sleeps: number[] = [];
    const err = await withConnectorRetry(
      "send",
      async () => {
        throw httpError(429, {}, { "retry-after": "3600" });
      },
      policy(sleeps),
    ).catch((e: unknown) => e);
    expect((err as GpuopsError).code).toBe("chat_throttled");
    expect(sleeps).toEqual([]);
  });
});

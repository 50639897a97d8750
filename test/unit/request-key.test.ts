// The Slack request key read straight from the form (src/chat/slack/request-guard.ts,
// requestKeyOf): the same key as decoding the whole body first, for any body.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBody, requestKey, requestKeyOf } from "../../src/chat/slack/request-guard.ts";

const FORM = "application/x-www-form-urlencoded";
const reference = (body: string, contentType = FORM) => requestKey(parseBody(body, contentType));

/** A form as Slack sends one: some of the key's fields, others, in any order, any values. */
const form = fc
  .array(fc.tuple(fc.constantFrom("trigger_id", "command", "type", "event_id", "text", "user_id", "payload", "team_id", "trigger%5Fid", "x"), fc.string({ unit: "binary" })), {
    maxLength: 8,
  })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${new URLSearchParams({ v }).toString().slice(2)}`).join("&"));

describe("requestKeyOf", () => {
  it("reads a slash command's key", () => {
    const body = "token=x&team_id=T1&command=%2Fgpu&text=skus+swedencentral&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=13345224609.738474920.8088930838d88f008e0";
    expect(requestKeyOf(body, FORM)).toBe("command:13345224609.738474920.8088930838d88f008e0");
  });

  it("reads an interaction's key from its payload", () => {
    const body = `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", trigger_id: "t-9" }))}`;
    expect(requestKeyOf(body, FORM)).toBe("block_actions:t-9");
  });

  it("is the key of the fully decoded form, for forms as Slack encodes them", () => {
    fc.assert(
      fc.property(form, (body) => {
        expect(requestKeyOf(body, FORM)).toBe(reference(body));
      }),
      { numRuns: 2000 },
    );
  });

  it("is the key of the fully decoded form, for any text at all (malformed encodings, stray separators)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "=", "&", "%", "+", "2", "F", "C3", "trigger_id", "command", "payload", "{}", "é") }), (body) => {
        expect(requestKeyOf(body, FORM)).toBe(reference(body));
      }),
      { numRuns: 3000 },
    );
  });

  it("reads JSON bodies (the Events API) as before", () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (eventId, triggerId) => {
        const body = JSON.stringify({ event_id: eventId ?? undefined, trigger_id: triggerId ?? undefined, type: "event_callback" });
        expect(requestKeyOf(body, "application/json")).toBe(reference(body, "application/json"));
      }),
    );
  });
});

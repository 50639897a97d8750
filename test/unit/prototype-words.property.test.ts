// Words like "__proto__" or "constructor" are ordinary user text: they must never reach an object
// lookup as a key that resolves to Object.prototype. Every verb gets them in every position, with
// the store open so the request and subscription verbs parse their words too.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../src/domain/duration.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";

const PROTO_WORDS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
  "isPrototypeOf",
  "__lookupSetter__",
  "toLocaleString",
  "tostring",
  "valueof",
  "hasownproperty",
  "__definegetter__",
];

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemoApp({ withStore: true, env: { GPUOPS_AZURE_MAX_RETRIES: "0" } });
});
afterAll(async () => h?.close());

const verbNames = verbs().map((v) => v.name);

describe("prototype words in any verb", () => {
  it("`cost __proto__` is a user error that names the word, not an internal failure", async () => {
    const r = await runCommand(cliRequest("cost __proto__"), h.app.context());
    expect(r.outcome).toBe("user_error");
    expect(JSON.stringify(r)).toContain("__proto__");
  });

  it("every verb answers prototype words as ordinary words (never 'Something went wrong')", async () => {
    const word = fc.constantFrom(...PROTO_WORDS);
    const filler = fc.constantFrom("eastus", "7d", "by", "digest", "at", "09:00", "tz", "a100", "idle", "for", "in", "--", "2");
    const text = fc
      .tuple(fc.constantFrom(...verbNames, "__proto__", "constructor"), fc.array(fc.oneof(word, filler), { minLength: 0, maxLength: 5 }), word, fc.nat(6))
      .map(([verb, rest, w, at]) => {
        const parts = [...rest];
        parts.splice(Math.min(at, parts.length), 0, w);
        return `${verb} ${parts.join(" ")}`;
      });
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const r = await runCommand(cliRequest(t), h.app.context());
        expect(r.outcome, t).not.toBe(undefined);
        expect(r.code, `${t} → ${JSON.stringify(r).slice(0, 300)}`).not.toBe("internal");
        expect(JSON.stringify(r), t).not.toContain("Something went wrong");
      }),
      { numRuns: 300 },
    );
    // A duration unit is a word too: "2constructor" once parsed as NaN hours.
    for (const w of ["constructor", "valueof", "tostring"]) expect(parseDuration(`2${w}`).ok, w).toBe(false);
    const lease = await runCommand(cliRequest("request 1 NC24ads_A100_v4 in eastus for 2constructor -- training"), h.app.context());
    // Refused, or (read as a sentence) only offered for confirmation: never filed with a NaN lease.
    if (lease.outcome === "user_error") expect(JSON.stringify(lease)).toContain("constructor");
    else expect(lease.title).toBe("Confirm before I act");
    expect(await h.app.requests?.port.store.list({})).toEqual([]);
    // Each verb with each word directly after it, so no pair is left to chance.
    for (const v of verbNames) {
      for (const w of PROTO_WORDS) {
        const r = await runCommand(cliRequest(`${v} ${w}`), h.app.context());
        expect(JSON.stringify(r), `${v} ${w}`).not.toContain("Something went wrong");
      }
    }
  });
});

// Properties of plain-language understanding: any text gives an answer and never a throw, and
// every command a reading emits passes the same parsers a typed command goes through.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveSizeFilter, takeRegion, tokenize } from "../../src/commands/args.ts";
import { parseCostArgs } from "../../src/commands/cost.ts";
import { explain } from "../../src/commands/explain.ts";
import { takeMonthly } from "../../src/commands/format.ts";
import { parseIdleArgs } from "../../src/commands/idle.ts";
import { parseIdleArgs as parseOpenAiIdleArgs } from "../../src/commands/openai.ts";
import { parseRegionAndFilter } from "../../src/commands/region-and-filter.ts";
import { parseRequest } from "../../src/commands/request-parse.ts";
import { parseRunningArgs } from "../../src/commands/running.ts";
import { parseKind, parseSubscribeArgs } from "../../src/commands/subscribe.ts";
import type { CommandContext } from "../../src/commands/types.ts";
import { MODEL_NAME, parseCapacityAsk } from "../../src/domain/openai-capacity.ts";
import type { Services } from "../../src/services/ports.ts";
import { cleanChatText } from "../../src/understand/chat-text.ts";
import { type Reading, understand } from "../../src/understand/understand.ts";
import { testLog } from "../support/log.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-12-03T10:00:00Z");

/** Why a command would be refused by the typed grammar, or undefined when it parses. */
function refusal(command: string): string | undefined {
  const [head, ...all] = tokenize(command);
  // skus and where take a trailing "monthly" before their own words.
  const rest = head === "skus" || head === "where" ? takeMonthly(all).rest : all;
  switch (head) {
    case "cost": {
      const r = parseCostArgs(rest);
      return "error" in r ? JSON.stringify(r.error.parts) : undefined;
    }
    case "skus":
    case "quota": {
      const r = parseRegionAndFilter(rest, head, ["eastus"]);
      return "reply" in r ? JSON.stringify(r.reply.parts) : undefined;
    }
    case "where": {
      const words = rest.length > 1 && /^\d{1,5}$/.test(rest.at(-1) as string) ? rest.slice(0, -1) : rest;
      return words.length > 0 && resolveSizeFilter(words.join(" ")) ? undefined : "where needs a GPU or size";
    }
    case "running": {
      const r = parseRunningArgs(rest);
      return "error" in r ? JSON.stringify(r.error.parts) : undefined;
    }
    case "idle": {
      const r = parseIdleArgs(rest);
      return "error" in r ? JSON.stringify(r.error.parts) : undefined;
    }
    case "explain":
      return explain(rest.join(" ")).outcome === "ok" ? undefined : `explain ${rest.join(" ")} is not in the glossary`;
    case "requests":
      return rest.length === 0 || (rest.length === 1 && ["mine", "open", "all", "export"].includes(rest[0] as string)) ? undefined : "requests filter";
    case "status":
    case "digest":
    case "help":
      return rest.length === 0 ? undefined : `${head} takes no words here`;
    case "subscribe": {
      const r = parseSubscribeArgs(rest, "USD");
      return r.ok ? undefined : r.problem;
    }
    case "unsubscribe": {
      const r = parseKind(rest[0], "unsubscribe");
      return r.ok && rest.length === 1 ? undefined : "unsubscribe kind";
    }
    case "request": {
      if (["approve", "deny", "cancel", "release", "submit", "show"].includes(rest[0] as string))
        return /^\d+$/.test(rest[1] ?? "") && rest.length === 2 ? undefined : "request <sub> <id>";
      if (rest[0] === "extend") return /^\d+$/.test(rest[1] ?? "") && rest[2] === "by" && /^\d+[hdw]$/.test(rest[3] ?? "") ? undefined : "request extend <id> by <d>";
      // A request read from a sentence may still lack its region, duration or reason (the
      // confirmation asks for them); what it does say must parse.
      const r = parseRequest(rest, command);
      return r.ok || ["reason_required", "missing_region", "missing_duration"].includes(r.code) ? undefined : r.problem;
    }
    case "openai": {
      const [sub, ...args] = rest;
      if (sub === "idle") return "problem" in parseOpenAiIdleArgs(args) ? "openai idle args" : undefined;
      if (sub === "where") return parseCapacityAsk(args).ok ? undefined : "openai where args";
      if (sub === "quota" || sub === "deployments") {
        const taken = takeRegion(args);
        const left = taken ? taken.rest : args;
        return left.length === 0 || (sub === "quota" && left.length === 1 && MODEL_NAME.test(left[0] as string)) ? undefined : `openai ${sub} args`;
      }
      return `openai ${sub}`;
    }
    default:
      return `unknown verb ${head}`;
  }
}

const readingsOf = (text: string): Reading[] => {
  const u = understand(text, { teamTag: "team", now: NOW });
  if (u.kind === "reading") return [u.reading, ...u.alternatives];
  if (u.kind === "ambiguous") return u.readings;
  return u.suggestions.map((command) => ({ command, verb: command.split(" ")[0] as string, writes: false, confidence: 0 }));
};

const VOCAB = [
  ...[
    "what",
    "which",
    "how",
    "much",
    "many",
    "did",
    "we",
    "is",
    "are",
    "the",
    "a",
    "an",
    "in",
    "for",
    "by",
    "per",
    "of",
    "any",
    "can",
    "i",
    "get",
    "?",
    "pls",
    "&amp;",
    ":tada:",
    "<@U123>",
    "🔥",
  ],
  ...["cost", "spend", "spent", "burn", "bill", "price", "per hour", "per month", "quota", "room", "capacity", "idle", "running", "where", "regions", "available", "sizes"],
  ...[
    "explain",
    "what is",
    "vs",
    "which one has",
    "how many gpus does",
    "how much gpu memory",
    "requests",
    "pending",
    "status",
    "digest",
    "help",
    "subscribe",
    "unsubscribe",
    "stop sending",
  ],
  ...["approve", "deny", "release", "extend", "request", "need", "reserve", "#3", "request 7", "by 2d"],
  ...["yesterday", "today", "last week", "this month", "last month", "past 14 days", "in november", "in march", "past 90 days", "fortnight"],
  ...["by team", "per rg", "by size", "by subscription", "by owner", "by tag project", "team vision", "owned by alice", "tag:team=vision", "project atlas", "amortized"],
  ...["eastus", "east us 2", "Sweden Central", "westeurope", "swedencentrl", "uk south", "sweden", "japan east"],
  ...[
    "a100",
    "H100s",
    "8x A100",
    "h100 nvl",
    "t4",
    "mi300x",
    "rtx pro 6000",
    "gb200",
    "v620",
    "NC24ads_A100_v4",
    "Standard_ND96isr_H100_v5",
    "nc40ads h100 v5",
    "NCv3",
    "NCads H100 v5 family",
  ],
  ...[
    "1",
    "2",
    "4",
    "eight",
    "16",
    "a couple of",
    "gpus",
    "vms",
    "for 3 days",
    "for a week",
    "for 12h",
    "at 9am",
    "-- fine tune",
    "because demo",
    "ptu",
    "tpm",
    "infiniband",
    "vcpu",
    "cdua",
  ],
];
const sentence = fc.array(fc.constantFrom(...VOCAB), { minLength: 1, maxLength: 14 }).map((ws) => ws.join(" "));

function refusingContext(): CommandContext {
  const port = new Proxy({}, { get: (_t, m) => (m === "then" ? undefined : () => Promise.reject(new Error("no Azure in this test"))) });
  const services = new Proxy({}, { get: (_t, p) => (p === "then" ? undefined : port) }) as Services;
  return { services, settings: { regions: ["eastus"], currency: "USD", timezone: "UTC", demo: false }, now: () => NOW, log: testLog() };
}

describe("understanding (properties)", () => {
  it("never throws on any text, and always says what it read or what to try", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), sentence), (text) => {
        const u = understand(text);
        expect(["reading", "ambiguous", "none"]).toContain(u.kind);
        if (u.kind === "ambiguous") expect(u.readings.length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
  });

  it("only emits commands that the typed grammar's parsers accept", () => {
    fc.assert(
      fc.property(sentence, (text) => {
        for (const r of readingsOf(text)) expect(refusal(r.command), `${text} → ${r.command}`).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it("marks every reading that changes something as a write", () => {
    fc.assert(
      fc.property(sentence, (text) => {
        for (const r of readingsOf(text)) if (/^(request|subscribe|unsubscribe)\b/.test(r.command)) expect(r.writes, r.command).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("gives every text a reply through the one entry point, never a throw", async () => {
    const ctx = refusingContext();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), sentence), async (text) => {
        const reply = await runCommand({ text, actor: { id: "U1" }, channel: { id: "C1", platform: "slack" }, surface: "slack" }, ctx);
        expect(typeof reply.title).toBe("string");
        expect(reply.parts.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("strips chat markup before reading", () => {
    expect(cleanChatText("<@U0BOT> *cost* yesterday &amp; <#C1|gpu-ops> :tada: 🔥")).toBe("cost yesterday & gpu-ops");
    expect(cleanChatText("<at>gpuops</at> _quota_ eastus")).toBe("quota eastus");
    expect(cleanChatText("~NC24ads_A100_v4~ <https://x.example|the docs>")).toBe("NC24ads_A100_v4 the docs");
  });
});

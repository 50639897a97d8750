// The router the app builds (src/commands/router.ts): each instance holds its own verbs and
// buttons, every answer carries its verb and whether it may be shared, and what a verb could not
// answer reaches the context's logger.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createRouter } from "../../src/commands/router.ts";
import type { CommandContext, Verb } from "../../src/commands/types.ts";
import { reply, text } from "../../src/reply/reply.ts";
import type { Services } from "../../src/services/ports.ts";
import { testLog } from "../support/log.ts";

const NOW = new Date("2026-12-03T10:00:00Z");
const who = { actor: { id: "U1", name: "Dana" }, channel: { id: "C1", platform: "console" as const }, surface: "console" as const };
/** No Azure behind these answers: a verb that reaches for it fails the test loudly. */
const noAzure = new Proxy({}, { get: (_t, p) => (p === "then" ? undefined : () => Promise.reject(new Error(`Azure was called: ${String(p)}`))) }) as Services;
const context = (log = testLog()): CommandContext => ({ services: noAzure, settings: { regions: ["eastus"], currency: "USD", timezone: "UTC", demo: false }, now: () => NOW, log });

const echo = (name: string, extra: Partial<Verb> = {}): Verb => ({
  name,
  summary: `says ${name}`,
  usage: name,
  examples: [name],
  usesAzure: false,
  run: async (args) => reply(name, [text(args.join(" "))]),
  ...extra,
});

describe("router", () => {
  it("stamps every answer with the verb that answered and whether it may be shared", async () => {
    const router = createRouter();
    const explained = await router.run({ text: "explain h100", ...who }, context());
    expect(explained.verb).toBe("explain");
    expect(explained.shareable).toBe(true);
    const help = await router.run({ text: "", ...who }, context());
    expect(help.verb).toBe("help");
    const request = await router.run({ text: "request 1 t4 in eastus for 1d -- eval", ...who }, context());
    expect(request.verb).toBe("request");
    expect(request.shareable).toBe(false);
  });

  it("offers Share by what the answer carries, without reading its text again", () => {
    const router = createRouter();
    const stamped = { ...reply("x", []), verb: "skus", shareable: false };
    expect(router.shareButtonFor(stamped, "skus eastus")).toBeUndefined();
    const shareable = { ...reply("x", []), verb: "explain", shareable: true };
    expect(router.shareButtonFor(shareable, "request 1 t4 in eastus for 1d -- x")?.verb).toBe("share");
  });

  it("keeps each router's buttons to itself", async () => {
    const a = createRouter();
    const b = createRouter();
    a.addAction({ verb: "test.only-a", schema: z.object({ n: z.number() }), run: async (p) => ({ ephemeral: reply(`got ${p.n}`, []) }) });
    const onA = await a.runAction({ verb: "test.only-a", payload: { n: 3 }, ...who }, context());
    expect(onA.ephemeral?.title).toBe("got 3");
    const onB = await b.runAction({ verb: "test.only-a", payload: { n: 3 }, ...who }, context());
    expect(onB.ephemeral?.code).toBe("bad_action");
  });

  it("answers with the verbs it was built with, help listing exactly those", async () => {
    const router = createRouter({ verbs: [echo("ping"), echo("pong")] });
    expect(router.verbs().map((v) => v.name)).toEqual(["ping", "pong", "help"]);
    const r = await router.run({ text: "ping a b", ...who }, context());
    expect(r.title).toBe("ping");
    expect(r.verb).toBe("ping");
    expect(router.resolveVerbName("skus eastus")).toBeUndefined();
    expect(createRouter().resolveVerbName("skus eastus")).toBe("skus");
  });

  it("idle alert buttons without a store say why; an app's own handlers replace them", async () => {
    const bare = await createRouter().runAction({ verb: "idle.snooze", payload: { alert: 1, hours: 4 }, ...who }, context());
    expect(bare.ephemeral?.code).toBe("alerts_unavailable");
    const bound = createRouter({ actions: [{ verb: "idle.snooze", schema: z.unknown(), run: async () => ({ ephemeral: reply("snoozed", []) }) }] });
    const r = await bound.runAction({ verb: "idle.snooze", payload: {}, ...who }, context());
    expect(r.ephemeral?.title).toBe("snoozed");
  });

  it("a verb that throws answers kindly and its error reaches the context's logger", async () => {
    const log = testLog();
    const router = createRouter({
      verbs: [
        echo("boom", {
          run: async () => {
            throw new Error("disk on fire");
          },
        }),
      ],
    });
    const r = await router.run({ text: "boom", ...who }, context(log));
    expect(r.outcome).toBe("user_error");
    expect(r.code).toBe("internal");
    expect(JSON.stringify(r)).not.toContain("disk on fire");
    expect(log.lines).toEqual([expect.objectContaining({ level: "error", msg: "command failed" })]);
  });
});

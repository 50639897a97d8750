// What a question gets back through the one entry point and its buttons: a question back with a
// button per reading, suggestions chosen from the recognised words, and clicks that run a
// reading (read-only) or only ever confirm (writes).
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../src/commands/types.ts";
import type { ActionsPart, Reply } from "../../src/reply/reply.ts";
import type { Services } from "../../src/services/ports.ts";
import { testLog } from "../support/log.ts";
import { runAction, runCommand } from "../support/router.ts";

const NOW = new Date("2026-12-03T10:00:00Z");
const touched: string[] = [];
const port = (name: string) =>
  new Proxy(
    {},
    {
      get: (_t, m) =>
        m === "then"
          ? undefined
          : () => {
              touched.push(`${name}.${String(m)}`);
              return Promise.reject(new Error("no Azure here"));
            },
    },
  );
const ctx: CommandContext = {
  services: new Proxy({}, { get: (_t, p) => (p === "then" ? undefined : port(String(p))) }) as Services,
  settings: { regions: ["eastus"], currency: "USD", timezone: "UTC", demo: false, digest: { defaultAt: "09:00", groupBy: "tag:squad" } },
  now: () => NOW,
  log: testLog(),
};
const who = { actor: { id: "U1" }, channel: { id: "C1", platform: "console" as const }, surface: "console" as const };
const ask = (text: string) => runCommand({ text, ...who }, ctx);
const allText = (r: Reply) => r.parts.map((p) => (p.kind === "text" ? p.text : "")).join("\n");
const buttons = (r: Reply) => r.parts.filter((p): p is ActionsPart => p.kind === "actions").flatMap((p) => p.actions);

describe("answers to plain-language questions", () => {
  it("asks back with one button per reading when a question could mean several things", async () => {
    const r = await ask("h100?");
    expect(r.title).toBe("Which did you mean?");
    expect(buttons(r).map((b) => b.payload.command)).toEqual(["explain h100", "where h100", "skus h100"]);
    expect(buttons(r).every((b) => b.verb === "understand.run")).toBe(true);
  });

  it("a clicked reading runs it, with the reading on top", async () => {
    const res = await runAction({ verb: "understand.run", payload: { command: "explain h100" }, ...who }, ctx);
    expect(res.update?.parts[0]).toEqual({ kind: "text", text: "I read this as `explain h100`" });
    expect(res.update?.title).toBe("NVIDIA H100 (Hopper)");
  });

  it("a read-only reading's answer starts with what was read, glossary answers included", async () => {
    const r = await ask("what's the difference between the t4 and a10?");
    expect(r.parts[0]).toEqual({ kind: "text", text: "I read this as `explain t4 vs a10`" });
    expect(r.title).toBe("NVIDIA T4 (Turing) vs NVIDIA A10 (Ampere)");
  });

  it('"by team" groups by the configured team tag', async () => {
    touched.length = 0;
    const r = await ask("gpu spend last month by team");
    expect(r.parts[0]).toEqual({ kind: "text", text: "I read this as `cost last-month by tag:squad`" });
    expect(touched.length).toBeGreaterThan(0);
  });

  it("a forged click that carries a write is answered with the confirmation, and nothing runs", async () => {
    touched.length = 0;
    const res = await runAction({ verb: "understand.run", payload: { command: "request 2 a100 in eastus for 1w -- eval" }, ...who }, ctx);
    expect(res.update?.title).toBe("Confirm before I act");
    expect(buttons(res.update as Reply)[0]).toMatchObject({ verb: "understand.confirm", payload: { command: "request 2 a100 in eastus for 1w -- eval" } });
    expect(touched).toEqual([]);
  });

  it("a write sentence with everything needed offers a button showing the exact command", async () => {
    const r = await ask("please approve request 12");
    expect(r.title).toBe("Confirm before I act");
    const [b] = buttons(r);
    expect(b).toMatchObject({ verb: "understand.confirm", label: "Run: request approve 12", payload: { command: "request approve 12" } });
    expect(b?.confirm?.text).toBe("request approve 12");
  });

  it("suggests by the words it recognised: money → cost, a GPU → skus/where, a term → the glossary", async () => {
    const money = await ask("$$$ ???");
    expect(money.outcome).toBe("user_error");
    expect(buttons(money).map((b) => b.payload.command)).toContain("cost 7d");
    const gpu = await ask("the mi300x thingy blah");
    expect(allText(gpu)).toContain("`skus mi300x`");
    expect(allText(gpu)).toContain("`where mi300x`");
    const term = await ask("something about infinband wiring");
    expect(allText(term)).toContain("`explain infiniband`");
  });
});

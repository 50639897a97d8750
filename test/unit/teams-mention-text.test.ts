import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clickFromInvoke, clickFromMessageValue } from "../../src/chat/teams/action-data.ts";
import { commandText, mentionEntities } from "../../src/chat/teams/mention-text.ts";

const BOT = "28:9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162";
const own = { id: BOT, text: "<at>gpuops</at>" };

/** Command-ish text as people type it: words, regions, sizes, punctuation; no markup. */
const command = fc.array(fc.stringMatching(/^[A-Za-z0-9_.,:?'"$%()\-/=+]{1,12}$/), { minLength: 0, maxLength: 6 }).map((words) => words.join(" "));

describe("commandText", () => {
  it("strips the bot's mention wherever it sits and keeps the command", () => {
    expect(commandText({ text: "<at>gpuops</at> quota westus\n", mentions: [own], botId: BOT })).toBe("quota westus");
    expect(commandText({ text: "hey <at>gpuops</at>, skus eastus a100", mentions: [own], botId: BOT })).toBe("hey , skus eastus a100");
    expect(commandText({ text: "gpu quota westus", mentions: [], botId: BOT })).toBe("gpu quota westus");
  });

  it("keeps other people's mentions as plain names, and decodes Teams' entities", () => {
    const bob = { id: "29:bob", text: "<at>Bob Smith</at>" };
    expect(commandText({ text: "<at>gpuops</at> explain PTU for <at>Bob Smith</at>", mentions: [own, bob], botId: BOT })).toBe("explain PTU for Bob Smith");
    expect(commandText({ text: "<at>gpuops</at>&nbsp;where&nbsp;h100 &amp; a100", mentions: [own], botId: BOT })).toBe("where h100 & a100");
  });

  it("treats a leading mention as the bot's when the client sent no mention entity", () => {
    expect(commandText({ text: '<at id="0">GPU Ops</at> help', mentions: [], botId: BOT })).toBe("help");
  });

  it("property: mention + command → exactly the command (whitespace tidied)", () => {
    fc.assert(
      fc.property(command, fc.constantFrom("", " ", "\n", "&nbsp;"), (cmd, pad) => {
        const expected = cmd.replace(/\s+/g, " ").trim();
        expect(commandText({ text: `<at>gpuops</at>${pad} ${cmd}${pad}`, mentions: [own], botId: BOT })).toBe(expected);
      }),
    );
  });

  it("property: never throws, never leaves an <at> tag, and is stable when applied twice", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 20 }), (raw, name) => {
        const text = `<at>${name.replace(/[<>]/g, "")}</at> ${raw.replace(/&/g, "")}`;
        const once = commandText({ text, mentions: [], botId: BOT });
        expect(once).not.toMatch(/<at\b[^>]*>[\s\S]*?<\/at>/i);
        expect(commandText({ text: once, mentions: [], botId: BOT })).toBe(once);
      }),
    );
  });

  it("reads mention entities and ignores everything else", () => {
    expect(
      mentionEntities([
        { type: "clientInfo", locale: "en-US" },
        { type: "mention", text: "<at>gpuops</at>", mentioned: { id: BOT, name: "gpuops" } },
        { type: "mention", text: 5 },
        null,
      ]),
    ).toEqual([own]);
    expect(mentionEntities(undefined)).toEqual([]);
  });
});

describe("button clicks", () => {
  it("reads verb and payload from an adaptiveCard/action invoke, preferring action.verb", () => {
    expect(clickFromInvoke({ action: { type: "Action.Execute", verb: "share", data: { verb: "share", payload: { command: "quota westus" } } } })).toEqual({
      verb: "share",
      payload: { command: "quota westus" },
    });
    expect(clickFromInvoke({ action: { type: "Action.Execute", data: { verb: "share" } } })).toEqual({ verb: "share", payload: {} });
    expect(clickFromInvoke({ action: { type: "Action.Execute" } })).toBeUndefined();
    expect(clickFromInvoke("nonsense")).toBeUndefined();
  });

  it("reads an Action.Submit message value with the card's inputs (button ids win), and ignores ordinary message values", () => {
    // Card inputs (a deny reason, a form field) travel beside the button data; the action's own
    // schema decides which of them it accepts.
    expect(clickFromMessageValue({ verb: "share", payload: { command: "help" }, someInput: "x" })).toEqual({ verb: "share", payload: { command: "help", someInput: "x" } });
    expect(clickFromMessageValue({ verb: "share", payload: { command: "help" }, command: "forged" })).toEqual({ verb: "share", payload: { command: "help" } });
    expect(clickFromMessageValue({ payload: {} })).toBeUndefined();
    expect(clickFromMessageValue({ verb: "x".repeat(65) })).toBeUndefined();
    expect(clickFromMessageValue(undefined)).toBeUndefined();
  });
});

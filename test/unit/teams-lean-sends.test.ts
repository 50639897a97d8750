// The Teams door's sends without the Agents SDK's copy (src/chat/teams/lean-sends.ts): what it
// puts on the wire is what the SDK's own normalizeOutgoingActivity would have made of the same
// activity, for any text in it, and a kept card's JSON text is made once.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Activity } from "@microsoft/agents-activity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cardActivity, replyActivity } from "../../src/chat/teams/card-activity.ts";
import { sendUnchanged, wireJson } from "../../src/chat/teams/lean-sends.ts";
import { reply, table, text } from "../../src/reply/reply.ts";
import { personalMessage } from "../support/teams-activities.ts";

// The SDK's own normalisation, loaded from its file: the reference the lean send must match.
const require = createRequire(import.meta.url);
const { normalizeOutgoingActivity } = require(join(dirname(require.resolve("@microsoft/agents-hosting")), "activityWireCompat.js")) as {
  normalizeOutgoingActivity: (a: unknown) => unknown;
};

/** An activity as the adapter receives it: the reply with the incoming message's conversation reference applied. */
function outgoing(a: Activity, incomingText = "skus swedencentral"): Activity {
  const incoming = Activity.fromObject(personalMessage("http://127.0.0.1:9/connector", incomingText));
  return Activity.fromObject(a).applyConversationReference(incoming.getConversationReference());
}

describe("wireJson", () => {
  it("is what the SDK's normalizeOutgoingActivity makes of an answer card reply", () => {
    const a = outgoing(
      replyActivity(
        reply("GPU sizes in swedencentral", [
          text("Demo data."),
          table(
            [
              { key: "size", label: "Size" },
              { key: "gpus", label: "GPUs", align: "right" },
            ],
            [{ size: "NC24ads_A100_v4", gpus: "1" }],
          ),
        ]),
      ),
    );
    expect(a.channelId).toBe("msteams");
    const wire = JSON.parse(wireJson(a)) as Record<string, unknown>;
    expect(wire).toEqual(normalizeOutgoingActivity(a));
    expect(wire.channelId).toBe("msteams");
    expect(wire).not.toHaveProperty("_channelId");
  });

  it("renames relatesTo.agent to bot, as the SDK does", () => {
    const a = outgoing(cardActivity({ type: "AdaptiveCard", version: "1.5", body: [] } as never, "hi"));
    (a as unknown as { relatesTo: unknown }).relatesTo = { activityId: "1", agent: { id: "28:bot" }, conversation: { id: "c" }, channelId: "msteams", serviceUrl: "http://x" };
    const wire = JSON.parse(wireJson(a)) as { relatesTo: Record<string, unknown> };
    expect(wire).toEqual(normalizeOutgoingActivity(a));
    expect(wire.relatesTo.bot).toEqual({ id: "28:bot" });
    expect(wire.relatesTo).not.toHaveProperty("agent");
  });

  it("matches the SDK for any text in the message, the card and the summary", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ unit: "binary" }), fc.boolean(), (incoming, summary, cell, kept) => {
        const card = { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: cell }] };
        const a = outgoing(cardActivity((kept ? sendUnchanged(card) : card) as never, summary), incoming);
        expect(JSON.parse(wireJson(a))).toEqual(normalizeOutgoingActivity(a));
      }),
      { numRuns: 300 },
    );
  });

  it("writes a plain text message (no attachments) as the SDK does", () => {
    const a = outgoing(Activity.fromObject({ type: "message", text: 'Sorry, "something" went wrong' }));
    expect(JSON.parse(wireJson(a))).toEqual(normalizeOutgoingActivity(a));
  });

  it("serialises a kept card once: its first send's JSON text is what every later send carries", () => {
    const card = sendUnchanged({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "first" }] });
    const first = wireJson(outgoing(cardActivity(card as never, "s")));
    // A kept card is never changed; were it changed, the kept text (not the change) would be sent.
    card.body[0] = { type: "TextBlock", text: "changed" };
    const again = wireJson(outgoing(cardActivity(card as never, "s")));
    expect(again).toContain('"text":"first"');
    expect(again).not.toContain("changed");
    expect(again.length).toBe(first.length);
    // A card not marked as kept is written afresh on every send.
    const fresh = { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "one" }] };
    wireJson(outgoing(cardActivity(fresh as never, "s")));
    fresh.body[0] = { type: "TextBlock", text: "two" };
    expect(wireJson(outgoing(cardActivity(fresh as never, "s")))).toContain('"text":"two"');
  });
});

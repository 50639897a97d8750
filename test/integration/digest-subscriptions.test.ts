// Channel subscriptions through the commands, on both store engines: created and changed only
// from the channel itself, every change recorded with who made it, listed with next run and
// history, removed; the terminal (no channel) is refused kindly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderText } from "../../src/render/text.ts";
import type { TablePart } from "../../src/reply/reply.ts";
import { type DigestWorld, startDigestWorld } from "../support/digest-world.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";

for (const engine of ["sqlite", "postgres"] as const) {
  describe(`subscriptions on ${engine}`, () => {
    let w: DigestWorld;
    let db: FreshDatabase;
    beforeAll(async () => {
      db = engine === "sqlite" ? freshSqlite() : await freshPostgres("gpuops_subs");
      w = await startDigestWorld("2026-03-03T07:30:00Z", { db, env: { GPUOPS_TIMEZONE: "Europe/Berlin" } });
      await w.boot();
    });
    afterAll(async () => {
      await w.close();
      await db.drop();
    });

    it("subscribes a channel with defaults, changes only what is given, and records who did what", async () => {
      const first = await w.say("slack", "C0TEAM", "subscribe digest", "U0ADA");
      expect(first.title).toBe("Subscribed: daily GPU digest");
      expect(renderText(first)).toMatch(/daily at 09:00 Europe\/Berlin, covering everything in scope, every day, a new message each day/);
      // 07:30Z is 08:30 in Berlin: the first digest is today at 09:00.
      expect(renderText(first)).toMatch(/Next: Tue 3 Mar, 09:00 Europe\/Berlin/);

      const change = await w.say("slack", "C0TEAM", "subscribe digest at 17:30 when change > 10%", "U0BOB");
      expect(change.title).toBe("Subscription changed: digest");
      const same = await w.say("slack", "C0TEAM", "subscribe digest at 17:30", "U0BOB");
      expect(same.title).toBe("Already subscribed: digest");

      const sub = await w.app().subscriptions?.get("slack", "C0TEAM", "digest");
      expect(sub).toMatchObject({
        at: "17:30",
        timezone: "Europe/Berlin",
        noise: { kind: "percent", threshold: 10 },
        scope: null,
        updateInPlace: false,
        createdBy: "U0ADA",
        changedBy: "U0BOB",
      });

      const history = await w.app().subscriptions?.history("slack", "C0TEAM");
      expect(history?.map((e) => [e.action, e.actor.id, e.summary])).toEqual([
        ["change", "U0BOB", "at 09:00 → 17:30; every day → when spend moves > 10 %"],
        ["subscribe", "U0ADA", "at 09:00; time zone Europe/Berlin; scope all; every day; a new message each day"],
      ]);

      const list = await w.say("slack", "C0TEAM", "subscriptions", "U0CAT");
      const [subs, changes] = list.parts.filter((p): p is TablePart => p.kind === "table");
      expect(subs?.rows[0]).toMatchObject({ kind: "digest", next: "Tue 3 Mar, 17:30 Europe/Berlin", last: "not yet" });
      expect(subs?.rows[0]?.changed).toMatch(/^U0BOB|^u0bob/);
      expect(changes?.rows.map((r) => r.who)).toEqual(["u0bob", "u0ada"]);

      // Idle alerts have no time, noise rule or message mode: their log line names only what they use.
      await w.say("slack", "C0IDLELOG", "subscribe idle", "U0ADA");
      expect((await w.app().subscriptions?.history("slack", "C0IDLELOG", 1))?.[0]?.summary).toBe("time zone Europe/Berlin; scope all");
      await w.say("slack", "C0IDLELOG", "unsubscribe idle", "U0ADA");
    });

    it("keeps channels apart and refuses to change another channel from here", async () => {
      const refused = await w.say("slack", "C0OTHER", "subscribe digest channel C0TEAM", "U0EVE");
      expect(refused.outcome).toBe("user_error");
      expect(renderText(refused)).toMatch(/only be changed from inside the channel itself/);
      const refused2 = await w.say("slack", "C0OTHER", "unsubscribe digest <#C0TEAM|team>", "U0EVE");
      expect(refused2.outcome).toBe("user_error");
      expect(await w.app().subscriptions?.get("slack", "C0TEAM", "digest")).toBeDefined();
      const none = await w.say("slack", "C0OTHER", "subscriptions", "U0EVE");
      expect(none.title).toBe("No subscriptions here");
      // The same channel id on another platform is another channel.
      expect((await w.say("teams", "C0TEAM", "subscriptions")).title).toBe("No subscriptions here");
    });

    it("subscribes idle alerts, and unsubscribes with a record", async () => {
      expect((await w.say("teams", "19:gpu@thread.tacv2", "subscribe idle", "AAD-1")).title).toBe("Subscribed: idle-GPU alerts");
      const idle = await w.app().subscriptions?.list({ kind: "idle" });
      expect(idle?.map((s) => [s.platform, s.channelId, s.at])).toEqual([["teams", "19:gpu@thread.tacv2", null]]);
      const gone = await w.say("teams", "19:gpu@thread.tacv2", "unsubscribe idle", "AAD-2");
      expect(gone.title).toBe("Unsubscribed: idle");
      const again = await w.say("teams", "19:gpu@thread.tacv2", "unsubscribe idle", "AAD-2");
      expect(again.title).toBe("Not subscribed: idle");
      const history = await w.app().subscriptions?.history("teams", "19:gpu@thread.tacv2");
      expect(history?.map((e) => [e.action, e.actor.id])).toEqual([
        ["unsubscribe", "AAD-2"],
        ["subscribe", "AAD-1"],
      ]);
    });

    it("previews the channel's digest with what its noise rule would decide", async () => {
      const preview = await w.say("slack", "C0TEAM", "digest --dry-run");
      expect(preview.title).toMatch(/^GPU digest · 3 Mar/);
      const line = preview.context.find((c) => c.startsWith("Dry run for slack channel C0TEAM"));
      expect(line).toMatch(
        /only when spend moves more than 10 % from the 7-day average, a new message each day; would be (posted|held back): spend changed [\d.]+ % vs the 7-day average \(threshold 10 %\)\. Nothing posted\./,
      );
      const other = await w.say("slack", "C0TEAM", "digest --channel C0OTHER");
      expect(other.outcome).toBe("user_error");
      // Nothing was posted or recorded by a preview.
      expect(await w.app().store?.db.selectFrom("digest_post").selectAll().execute()).toEqual([]);
    });

    it("answers mistakes with what was wrong and an example", async () => {
      const bad = await w.say("slack", "C0TEAM", "subscribe digest at 25:00");
      expect(bad.outcome).toBe("user_error");
      expect(renderText(bad)).toMatch(/not a time of day[\s\S]*Try: subscribe digest at 08:30/);
      const kind = await w.say("slack", "C0TEAM", "unsubscribe");
      expect(renderText(kind)).toMatch(/digest \(the daily GPU-spend digest\) or idle/);
      const cli = await import("../support/router.ts").then((m) =>
        m.runCommand({ text: "subscribe digest", actor: { id: "cli" }, channel: { id: "cli", platform: "cli" }, surface: "cli" }, w.app().context()),
      );
      expect(renderText(cli)).toMatch(/the terminal is not one/);
    });
  });
}

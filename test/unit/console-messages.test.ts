import { describe, expect, it } from "vitest";
import { consoleIdentities } from "../../src/chat/console/identities.ts";
import { createConsoleMessages } from "../../src/chat/console/messages.ts";
import { createConsolePosting } from "../../src/chat/console/posting.ts";
import { forConsole } from "../../src/chat/console/router.ts";
import { GpuopsError } from "../../src/errors.ts";
import { reply, text } from "../../src/reply/reply.ts";

const r = (title: string) => reply(title, [text(title)]);

describe("console messages", () => {
  it("keeps the latest N per pane, in order, and notifies every add and update", () => {
    const messages = createConsoleMessages({ capacity: 3 });
    const heard: string[] = [];
    const stop = messages.subscribe((m) => heard.push(`${m.reply?.title ?? m.text}@${m.rev}`));
    const ids = ["a", "b", "c", "d"].map((t) => messages.add({ pane: "channel", channelId: "local", from: "bot", reply: r(t) }).id);
    messages.add({ pane: "chat", channelId: "local", from: "user", text: "hi" });
    expect(messages.list("channel").map((m) => m.reply?.title)).toEqual(["b", "c", "d"]);
    expect(messages.list("chat").map((m) => m.text)).toEqual(["hi"]);
    expect(messages.get(ids[0] as string)).toBeUndefined();
    const updated = messages.update(ids[2] as string, r("c2"));
    expect(updated.rev).toBe(2);
    expect(updated.order).toBeLessThan(updated.seq);
    const seenUpTo = updated.seq;
    stop();
    messages.update(ids[2] as string, r("c3"));
    expect(heard).toEqual(["a@1", "b@1", "c@1", "d@1", "hi@1", "c2@2"]);
    // "What changed since" returns only the newer changes.
    expect(messages.list("channel", { afterSeq: seenUpTo }).map((m) => m.reply?.title)).toEqual(["c3"]);
  });

  it("an update to a message that scrolled out, or to a user's message, is a chat_unavailable error", () => {
    const messages = createConsoleMessages({ capacity: 1 });
    const first = messages.add({ pane: "channel", channelId: "local", from: "bot", reply: r("one") });
    messages.add({ pane: "channel", channelId: "local", from: "bot", reply: r("two") });
    expect(() => messages.update(first.id, r("x"))).toThrow(GpuopsError);
    const typed = messages.add({ pane: "chat", channelId: "local", from: "user", text: "skus" });
    expect(() => messages.update(typed.id, r("x"))).toThrow(/no longer there/);
  });
});

describe("console posting port", () => {
  it("posts into the channel pane and updates in place, like a chat platform", async () => {
    const messages = createConsoleMessages();
    const posting = createConsolePosting(messages);
    expect(posting.platform).toBe("console");
    const posted = await posting.post("local", r("digest"), { threadId: "root" });
    expect(posted).toMatchObject({ platform: "console", channelId: "local", threadId: "root" });
    await posting.update(posted, r("digest, updated"));
    const [m] = messages.list("channel");
    expect(m).toMatchObject({ id: posted.messageId, rev: 2, threadId: "root", reply: { title: "digest, updated" } });
  });

  it("refuses odd channel names and other platforms' messages", async () => {
    const posting = createConsolePosting(createConsoleMessages());
    await expect(posting.post("../etc", r("x"))).rejects.toMatchObject({ code: "chat_unavailable" });
    await expect(posting.update({ platform: "slack", channelId: "C1", messageId: "1" }, r("x"))).rejects.toMatchObject({ code: "chat_unavailable" });
  });
});

describe("console view of a reply", () => {
  it("points kept charts at this server's own /charts route, whatever public URL the reply names", () => {
    const withChart = reply("cost", [{ kind: "image", alt: "spend", imageId: "IxfX8khLQVpcO9i0VLPeY_dz", url: "https://gpuops.example.com/charts/IxfX8khLQVpcO9i0VLPeY_dz.png" }]);
    expect(forConsole(withChart).parts[0]).toMatchObject({ url: "/charts/IxfX8khLQVpcO9i0VLPeY_dz.png" });
    const odd = reply("cost", [{ kind: "image", alt: "spend", imageId: "../../x", url: "https://elsewhere/x.png" }]);
    expect(forConsole(odd).parts[0]).toMatchObject({ url: "https://elsewhere/x.png" });
    const plain = r("no chart");
    expect(forConsole(plain)).toBe(plain);
  });
});

describe("console identities", () => {
  it("labels the demo cast from the approver list in force", () => {
    expect(consoleIdentities(["sam", "lee"]).map((i) => `${i.name} (${i.role})`)).toEqual([
      "Dana (requester)",
      "Sam (approver)",
      "Lee (infra lead, approver)",
      "Finn (finance, not an approver)",
    ]);
    const custom = consoleIdentities(["finn", "ops-oncall", "group:abc"]);
    expect(custom.find((i) => i.id === "finn")).toMatchObject({ approver: true, role: "finance, approver" });
    expect(custom.find((i) => i.id === "sam")).toMatchObject({ approver: false, role: "not an approver" });
    expect(custom.find((i) => i.id === "ops-oncall")).toMatchObject({ approver: true });
    expect(custom.some((i) => i.id.startsWith("group:"))).toBe(false);
  });
});

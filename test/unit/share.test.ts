// The "Share in channel" rule every door uses (src/commands/share.ts): answers only, never for
// verbs that change state, and only commands that fit a button; the share posts the kept answer.
import { describe, expect, it } from "vitest";
import { MAX_BUTTON_COMMAND, offeredAnswer, shareButton } from "../../src/commands/share.ts";
import type { CommandContext } from "../../src/commands/types.ts";
import { reply, table, userError } from "../../src/reply/reply.ts";
import { runAction, shareButtonFor } from "../support/router.ts";

const ok = reply("GPU sizes in eastus", []);

describe("shareButtonFor", () => {
  it("offers Share for an answer (ok or partial), carrying the command as typed and the kept answer's id", () => {
    const b = shareButtonFor(ok, "skus eastus a100");
    expect(b).toMatchObject({ verb: "share", label: "Share in channel", payload: { command: "skus eastus a100" } });
    expect(Object.keys(b?.payload ?? {}).sort()).toEqual(["answer", "command"]);
    expect(String(b?.payload.answer)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(offeredAnswer(String(b?.payload.answer))).toEqual(ok);
    expect(shareButtonFor({ ...ok, outcome: "partial" }, "quota westus")?.payload).toMatchObject({ command: "quota westus" });
  });

  it("Share posts the very answer the person saw, and says who shared it", async () => {
    const seen = reply("Idle GPUs: $2,746.58 burnt so far", [table([{ key: "vm", label: "VM" }], [{ vm: "train-se-nd96isr-03" }])], { context: ["Demo data"] });
    const b = shareButtonFor(seen, "idle");
    // Changing the original afterwards (a later refresh) does not change what is shared.
    seen.title = "changed";
    const result = await runAction(
      { verb: "share", payload: b?.payload, actor: { id: "dana", name: "Dana" }, channel: { id: "local", platform: "console" }, surface: "console" },
      {} as CommandContext,
    );
    expect(result.post?.title).toBe("Idle GPUs: $2,746.58 burnt so far");
    expect(result.post?.parts).toEqual([table([{ key: "vm", label: "VM" }], [{ vm: "train-se-nd96isr-03" }])]);
    expect(result.post?.context).toEqual(["Demo data", "Shared by Dana"]);
  });

  it("a forged answer id is refused before anything runs", async () => {
    const result = await runAction(
      { verb: "share", payload: { command: "idle", answer: "../../etc/passwd" }, actor: { id: "x" }, channel: { id: "c", platform: "console" }, surface: "console" },
      {} as CommandContext,
    );
    expect(result.post).toBeUndefined();
    expect(result.ephemeral?.code).toBe("bad_action");
  });

  it("never for errors", () => {
    expect(shareButtonFor(userError("bad_command", "nope"), "skus mars")).toBeUndefined();
    expect(shareButtonFor({ ...ok, outcome: "azure_error" }, "skus eastus")).toBeUndefined();
  });

  it("never for verbs that change state (re-running a GPU request for someone else would repeat it)", () => {
    expect(shareButtonFor(ok, "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune")).toBeUndefined();
    expect(shareButtonFor(ok, "/gpu request 1 t4 in eastus for 1d -- x")).toBeUndefined();
  });

  it("only commands that fit a button and carry no control characters", () => {
    expect(shareButton("x".repeat(MAX_BUTTON_COMMAND))).toBeDefined();
    expect(shareButton("x".repeat(MAX_BUTTON_COMMAND + 1))).toBeUndefined();
    expect(shareButton("skus\u0007eastus")).toBeUndefined();
    expect(shareButtonFor(ok, "")).toBeUndefined();
  });
});

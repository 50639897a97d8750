// The "Share in channel" rule every door uses (src/commands/share.ts): answers only, never for
// verbs that change state, and only commands that fit a button.
import { describe, expect, it } from "vitest";
import { MAX_BUTTON_COMMAND, shareButton, shareButtonFor } from "../../src/commands/share.ts";
import { reply, userError } from "../../src/reply/reply.ts";

const ok = reply("GPU sizes in eastus", []);

describe("shareButtonFor", () => {
  it("offers Share for an answer (ok or partial), carrying the command as typed", () => {
    expect(shareButtonFor(ok, "skus eastus a100")).toEqual({ verb: "share", label: "Share in channel", payload: { command: "skus eastus a100" } });
    expect(shareButtonFor({ ...ok, outcome: "partial" }, "quota westus")?.payload).toEqual({ command: "quota westus" });
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

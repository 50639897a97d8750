import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IdleAlertView, idleAlertReply, parseIdleArgs } from "../../src/commands/idle.ts";
import { isKnownRegion } from "../../src/domain/regions.ts";
import { isTagKey, isTagValue } from "../../src/domain/tags.ts";
import { mayDeallocate } from "../../src/jobs/idle-actions.ts";

describe("idle arguments", () => {
  it("reads a region in any spelling and a tag filter", () => {
    expect(parseIdleArgs([])).toEqual({});
    expect(parseIdleArgs(["East", "US", "2"])).toEqual({ region: "eastus2" });
    expect(parseIdleArgs(["tag:team=vision", "westus2"])).toEqual({ region: "westus2", tag: { key: "team", value: "vision" } });
  });

  it("answers bad input with what was wrong and an example", () => {
    const r = parseIdleArgs(["narnia"]);
    expect("error" in r && r.error.outcome).toBe("user_error");
    expect("error" in r && JSON.stringify(r.error)).toContain("Try: idle");
    const t = parseIdleArgs(['tag:team="x"']);
    expect("error" in t && t.error.code).toBe("bad_idle_filter");
  });

  it("never throws, and whatever it accepts is a known region and a safe tag", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("eastus", "East", "US", "tag:team=ml", "tag:", "tag:a=", "tag:=b", "westus2")), { maxLength: 5 }),
        (args) => {
          const r = parseIdleArgs(args);
          if ("error" in r) {
            expect(r.error.outcome).toBe("user_error");
            return;
          }
          if (r.region !== undefined) expect(isKnownRegion(r.region)).toBe(true);
          if (r.tag) {
            expect(isTagKey(r.tag.key)).toBe(true);
            expect(isTagValue(r.tag.value)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("who may deallocate", () => {
  const approvers = { slack: ["U0SAM"], teams: ["aad-lee"] };
  it("approvers of the platform, and the owner by user id or e-mail", () => {
    expect(mayDeallocate({ id: "U0SAM" }, "slack", approvers, undefined)).toEqual({ ok: true, as: "approver" });
    expect(mayDeallocate({ id: "U0SAM" }, "teams", approvers, undefined).ok).toBe(false);
    expect(mayDeallocate({ id: "U0ALICE", name: "Alice@Contoso.com" }, "slack", approvers, "alice@contoso.com")).toEqual({ ok: true, as: "owner" });
    expect(mayDeallocate({ id: "U0ALICE" }, "slack", approvers, "u0alice")).toEqual({ ok: true, as: "owner" });
  });
  it("refuses look-alikes with a reason that names the owner tag", () => {
    const r = mayDeallocate({ id: "U0X", name: "alice" }, "slack", approvers, "alice@contoso.com");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain("owner tag: alice@contoso.com");
    const none = mayDeallocate({ id: "U0X", name: "x" }, "slack", approvers, undefined);
    expect(!none.ok && none.reason).toContain("no owner tag");
  });
});

describe("idle alert message", () => {
  const now = Date.parse("2026-03-02T12:00:00Z");
  const base: IdleAlertView = {
    id: 7,
    status: "open",
    actions: [],
    snapshot: {
      name: "train-nd96-01",
      resourceName: "train-nd96-01",
      kind: "vm",
      resourceGroup: "rg-train",
      subscriptionId: "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90",
      region: "eastus",
      size: "Standard_ND96isr_H100_v5",
      state: "parked",
      idleSince: now - 3 * 3600_000,
      sinceAtLeast: false,
      idleSeconds: 3 * 3600,
      memoryUsedMib: 58_555,
      soFar: 294.96,
      perDay: 2359.68,
      currency: "USD",
      owner: "alice@contoso.com",
      at: now,
    },
  };

  it("says what, since when, the money, the owner, and offers the four buttons with ids only", () => {
    const r = idleAlertReply(base, "UTC", now);
    expect(r.title).toBe("Parked GPU: train-nd96-01 (ND96isr_H100_v5, eastus)");
    const text = JSON.stringify(r);
    for (const s of ["$294.96", "$2,359.68", "alice@contoso.com", "Mon 09:00 (3 h)", "57.2 GiB"]) expect(text).toContain(s);
    const buttons = r.parts.flatMap((p) => (p.kind === "actions" ? p.actions : []));
    expect(buttons.map((b) => b.label)).toEqual(["Snooze 4 h", "Snooze 24 h", "Keep 7 days", "Deallocate…"]);
    for (const b of buttons) for (const v of Object.values(b.payload)) expect(typeof v).toBe("number");
  });

  it("names the node pool instead of offering Deallocate for AKS nodes", () => {
    const r = idleAlertReply({ ...base, snapshot: { ...base.snapshot, kind: "aks-pool", name: "aks-gpu-1-vmss000001 (node of aks/gpu)", resourceName: "aks/gpu" } }, "UTC", now);
    expect(JSON.stringify(r)).toContain("scale node pool aks/gpu down");
    expect(r.parts.flatMap((p) => (p.kind === "actions" ? p.actions : [])).some((a) => a.verb === "idle.deallocate")).toBe(false);
  });

  it("shows progress, the action log, and no buttons once resolved", () => {
    const running = idleAlertReply(
      {
        ...base,
        deallocate: { state: "running", by: "sam", at: now, detail: "running" },
        actions: [{ action: "deallocate_confirmed", actorName: "sam", at: now, detail: "Deallocate confirmed" }],
      },
      "UTC",
      now,
    );
    expect(JSON.stringify(running)).toContain("Deallocating… (asked by sam at Mon 12:00; Azure: running)");
    expect(JSON.stringify(running)).toContain("Deallocate confirmed (sam, Mon 12:00)");
    expect(running.parts.some((p) => p.kind === "actions")).toBe(false);
    const resolved = idleAlertReply({ ...base, status: "resolved", resolution: "busy" }, "UTC", now);
    expect(resolved.title).toBe("Resolved: train-nd96-01 is busy again");
    expect(resolved.parts.some((p) => p.kind === "actions")).toBe(false);
  });
});

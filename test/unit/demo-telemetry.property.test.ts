// The fake Monitor reads a resource's minutes in one go (`samples`); every reading must be the one
// `sample` gives for that minute, whatever the timeline rewrites, stops and id casing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { createDemoTelemetry, type GpuProfile } from "../../src/fake-azure/demo-telemetry.ts";

const NOW = Date.parse("2026-03-02T10:17:00Z");
const MINUTE = 60_000;
const fleet = createDemoFleet({ now: () => new Date(NOW) });
const ids = fleet.resources.map((r) => r.id);

const profileArb: fc.Arbitrary<GpuProfile> = fc.oneof(
  fc.constant({ kind: "busy" as const }),
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("idle" as const), parked: fc.boolean() }),
  fc.record({ kind: fc.constant("idle" as const), memoryMib: fc.integer({ min: 0, max: 90_000 }) }),
);
const minuteArb = fc.integer({ min: -3000, max: 60 }).map((m) => Math.floor(NOW / MINUTE) * MINUTE + m * MINUTE);
const idArb = fc.oneof(
  fc.constantFrom(...ids),
  fc.constantFrom(...ids).map((id) => id.toUpperCase()),
  fc.constant("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/x/providers/Microsoft.Compute/virtualMachines/ghost"),
);
const editArb = fc.oneof(
  fc.record({ op: fc.constant("set" as const), id: idArb, profile: profileArb, from: fc.option(minuteArb, { nil: undefined }) }),
  fc.record({ op: fc.constant("stop" as const), id: idArb, at: minuteArb }),
);

describe("demo telemetry", () => {
  it("samples(id, from, n)[k] is sample(id, from + k minutes), after any rewrites and stops", () => {
    fc.assert(
      fc.property(fc.array(editArb, { maxLength: 6 }), idArb, minuteArb, fc.integer({ min: 0, max: 200 }), (edits, id, from, count) => {
        const telemetry = createDemoTelemetry(fleet);
        for (const e of edits) {
          if (e.op === "stop") telemetry.stop(e.id, e.at);
          else if (e.from === undefined) telemetry.set(e.id, e.profile);
          else telemetry.set(e.id, e.profile, e.from);
        }
        const batch = telemetry.samples(id, from, count);
        expect(batch).toHaveLength(count);
        batch.forEach((s, k) => {
          expect(s).toEqual(telemetry.sample(id, from + k * MINUTE));
        });
      }),
      { numRuns: 150 },
    );
  });
});

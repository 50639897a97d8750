// `running` counts VMs that are Starting (Azure bills from start-up) and marks them; the truth is
// read from the fake Resource Graph's own records (the instance view's power state code).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemoApp();
});
afterAll(async () => h?.close());

const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table");
const powerCode = (p: Record<string, unknown>) =>
  ((p.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code ?? "").toLowerCase();

const isGpuSize = (p: Record<string, unknown>) => /^Standard_N[CDGV]/i.test((p.hardwareProfile as { vmSize?: string } | undefined)?.vmSize ?? "");

describe("running and Starting VMs", () => {
  it("counts every Starting GPU VM, marks it in the table and says how many there are", async () => {
    const starting = h.fake.fleet.resources
      .filter((x) => x.type === "microsoft.compute/virtualmachines" && isGpuSize(x.properties) && powerCode(x.properties) === "powerstate/starting")
      .map((x) => x.name);
    expect(starting.length).toBeGreaterThan(0);
    const r = await runCommand(cliRequest("running"), h.app.context());
    const names = (tableOf(r)?.rows ?? []).map((x) => x.name ?? "");
    const marked = names.filter((n) => n.endsWith(" (starting)")).map((n) => n.replace(/ \(starting\)$/, ""));
    expect(marked.sort()).toEqual([...starting].sort());
    const head = r.parts[0]?.kind === "text" ? r.parts[0].text : "";
    expect(head).toContain(`${starting.length} of them are starting (marked): Azure bills from start-up.`);
    expect(r.data?.starting).toBe(starting.length);
  });
});

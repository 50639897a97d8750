// Warm `skus` answers are kept with the data they were built from (src/commands/derived-memo.ts):
// the same cached SKU and price lists give the very same answer without rebuilding it, and new
// data (a refetched list) gives a new answer built from it, never the old one.
import { afterEach, describe, expect, it } from "vitest";
import { derivedMemo } from "../../src/commands/derived-memo.ts";
import { skusVerb } from "../../src/commands/skus.ts";
import type { CommandContext } from "../../src/commands/types.ts";
import type { TablePart } from "../../src/reply/reply.ts";
import type { VmSku } from "../../src/services/ports.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";

const open: DemoHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});
async function demo(env: Record<string, string> = {}): Promise<DemoHarness> {
  const h = await startDemoApp({ env });
  open.push(h);
  return h;
}
const sizes = (parts: unknown[]) => (parts.find((p) => (p as { kind: string }).kind === "table") as TablePart | undefined)?.rows.map((r) => r.size) ?? [];

describe("derivedMemo", () => {
  it("answers only for the very same data objects and key", () => {
    const memo = derivedMemo<string>();
    const a = [1];
    const b = [1];
    memo.set([a, b], "eastus", "answer");
    expect(memo.get([a, b], "eastus")).toBe("answer");
    expect(memo.get([a, [1]], "eastus")).toBeUndefined();
    expect(memo.get([b, a], "eastus")).toBeUndefined();
    expect(memo.get([a, b], "westus")).toBeUndefined();
    expect(memo.get([a], "eastus")).toBeUndefined();
  });
});

describe("skus answers over cached data", () => {
  it("a warm answer is the same answer, with no Azure call", async () => {
    const h = await demo();
    // The first answer fills the caches; an answer is kept once it is built from cached data.
    const cold = await h.app.router.run(cliRequest("skus swedencentral"), h.app.context());
    const calls = h.fake.requests.length;
    const first = await h.app.router.run(cliRequest("skus swedencentral"), h.app.context());
    const second = await h.app.router.run(cliRequest("skus swedencentral"), h.app.context());
    expect(first).toEqual(cold);
    expect(second).toBe(first);
    expect(h.fake.requests.length).toBe(calls);
    // Another question over the same data is its own answer.
    const a100 = await h.app.router.run(cliRequest("skus swedencentral a100"), h.app.context());
    expect(a100).not.toBe(first);
    expect(sizes(a100.parts).length).toBeLessThan(sizes(first.parts).length);
  });

  it("a refetched SKU list gives an answer built from it", async () => {
    const h = await demo();
    const sub = (h.fake.tenant.subscriptions[0] as { id: string }).id;
    const real = h.app.services.skus;
    let list: VmSku[] = await real.listVmSkus(sub, "swedencentral");
    // The SKU cache as the verb sees it, with its entry replaced the way a refetch replaces it.
    const skus = { listVmSkus: async () => list, cachedVmSkus: () => list };
    const ctx: CommandContext = { ...h.app.context(), services: { ...h.app.services, skus } };
    const ask = () => skusVerb.run(["swedencentral"], cliRequest("skus swedencentral"), ctx);
    await ask(); // fills the price cache
    const before = await ask();
    expect(await ask()).toBe(before);
    const dropped = list.find((s) => s.name === "Standard_ND96isr_H100_v5");
    expect(dropped).toBeDefined();
    list = list.filter((s) => s !== dropped);
    const after = await ask();
    expect(after).not.toBe(before);
    expect(sizes(before.parts)).toContain("ND96isr_H100_v5");
    expect(sizes(after.parts)).not.toContain("ND96isr_H100_v5");
    expect(sizes(after.parts)).toHaveLength(sizes(before.parts).length - 1);
  });

  it("without a SKU cache (GPUOPS_SKU_CACHE_TTL=0) every answer is built anew from Azure", async () => {
    const h = await demo({ GPUOPS_SKU_CACHE_TTL: "0" });
    const first = await h.app.router.run(cliRequest("skus swedencentral"), h.app.context());
    const calls = h.fake.requests.length;
    const second = await h.app.router.run(cliRequest("skus swedencentral"), h.app.context());
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(h.fake.requests.length).toBeGreaterThan(calls);
  });
});

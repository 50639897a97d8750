import { describe, expect, it } from "vitest";
import { renderJson, renderTable, renderText } from "../../src/render/text.ts";
import { actions, facts, type Reply, reply, table, text, userError } from "../../src/reply/reply.ts";

const columns = [
  { key: "size", label: "Size" },
  { key: "gpu", label: "GPU" },
  { key: "vcpus", label: "vCPUs", align: "right" as const },
];

describe("renderTable", () => {
  it("aligns columns, right-aligns numbers, and underlines the header", () => {
    const out = renderTable(
      table(columns, [
        { size: "NC24ads_A100_v4", gpu: "1 × A100 80 GB", vcpus: "24" },
        { size: "ND96amsr_A100_v4", gpu: "8 × A100 80 GB", vcpus: "96" },
        { size: "NC4as_T4_v3", gpu: "1 × T4", vcpus: "4" },
      ]),
    ).split("\n");
    expect(out[0]).toBe("Size              GPU             vCPUs");
    expect(out[1]).toBe("----------------  --------------  -----");
    expect(out[2]).toBe("NC24ads_A100_v4   1 × A100 80 GB     24");
    expect(out[4]).toBe("NC4as_T4_v3       1 × T4              4");
    // Every row is as wide as the header line once trailing blanks are trimmed for right-aligned columns.
    for (const line of out.slice(2)) expect([...line].length).toBe([...(out[0] as string)].length);
  });

  it("counts characters, not UTF-16 units, and prints a missing cell as blank", () => {
    const out = renderTable(
      table(
        [
          { key: "a", label: "A" },
          { key: "b", label: "B" },
        ],
        [{ a: "×××", b: "x" }, { a: "y" }],
      ),
    ).split("\n");
    expect(out[2]).toBe("×××  x");
    expect(out[3]).toBe("y");
  });

  it("puts the title first when there is one", () => {
    expect(renderTable(table(columns, [], { title: "A100 sizes" })).split("\n")[0]).toBe("A100 sizes");
  });
});

describe("renderText", () => {
  it("renders the title, every kind of part, and the context as small print", () => {
    const r = reply(
      "GPU quota in westus (West US)",
      [
        facts([{ label: "westus regional cap", value: "421 / 550 vCPUs used (77 %)" }]),
        text("Careful: partial", "warning"),
        table(columns, [{ size: "NC4as_T4_v3", gpu: "1 × T4", vcpus: "4" }]),
        { kind: "image", alt: "GPU spend", url: "https://example.test/c.png" },
        actions([{ verb: "share", label: "Share in channel", payload: { id: 1 } }]),
      ],
      { context: ["Demo data: a fake Azure tenant, not your subscriptions."] },
    );
    const out = renderText(r);
    const lines = out.split("\n");
    expect(lines[0]).toBe("GPU quota in westus (West US)");
    expect(lines[1]).toBe("=".repeat("GPU quota in westus (West US)".length));
    expect(out).toContain("westus regional cap: 421 / 550 vCPUs used (77 %)");
    expect(out).toContain("Warning: Careful: partial");
    expect(out).toContain("NC4as_T4_v3  1 × T4      4");
    expect(out).toContain("[chart: GPU spend https://example.test/c.png]");
    expect(out).toContain("Actions: Share in channel");
    expect(lines.at(-1)).toBe("· Demo data: a fake Azure tenant, not your subscriptions.");
    expect(out).not.toMatch(/\n$/);
  });

  it("renders a user error as what went wrong plus an example", () => {
    const out = renderText(userError("unknown_region", "I don't know the region mars.", "skus eastus a100"));
    expect(out).toContain("Error: I don't know the region mars.");
    expect(out).toContain("Try: skus eastus a100");
  });

  it("caps the underline at 80 characters", () => {
    const title = "x".repeat(200);
    expect(renderText(reply(title, [])).split("\n")[1]).toBe("=".repeat(80));
  });
});

describe("renderJson", () => {
  it("is the Reply itself, round-tripping through JSON", () => {
    const r: Reply = reply("t", [text("a"), table(columns, [{ size: "s", gpu: "g", vcpus: "1" }])], { context: ["c"], outcome: "partial", code: "too_slow" });
    expect(JSON.parse(renderJson(r))).toEqual(r);
  });
});

import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { colorIcon, MANIFEST_LIMITS, outlineIcon, teamsManifest } from "../../deploy/teams/build-package.ts";
import { verbs } from "../support/router.ts";

const dir = new URL("../../deploy/teams/", import.meta.url);
const committed = JSON.parse(readFileSync(new URL("manifest.json", dir), "utf8")) as ReturnType<typeof teamsManifest> & {
  bots: Array<{ botId: string; scopes: string[]; commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }> }>;
  icons: { color: string; outline: string };
};

/** Width, height and RGBA pixels of a PNG written by build-package (8-bit RGBA, filter 0 rows). */
function readPng(buf: Buffer): { width: number; height: number; pixels: number[][] } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const idatLength = buf.readUInt32BE(33);
  const raw = inflateSync(buf.subarray(41, 41 + idatLength));
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.push([...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 5 + x * 4)]);
  return { width, height, pixels };
}

describe("Teams app package (deploy/teams)", () => {
  it("offers the bot in personal, team and group chat scopes", () => {
    expect(committed.manifestVersion).toBe("1.17");
    expect(committed.bots).toHaveLength(1);
    expect(committed.bots[0]?.scopes).toEqual(["personal", "team", "groupChat"]);
  });

  it("keeps the command menus within Teams' limits, and lists only verbs the bot answers", () => {
    const known = new Set(verbs().map((v) => v.name));
    const lists = committed.bots[0]?.commandLists ?? [];
    expect(lists.length).toBeLessThanOrEqual(MANIFEST_LIMITS.commandLists);
    expect(lists.flatMap((l) => l.scopes).sort()).toEqual(["groupChat", "personal", "team"]);
    for (const list of lists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(MANIFEST_LIMITS.commands);
      for (const c of list.commands) {
        expect(known.has(c.title)).toBe(true);
        expect(c.title.length).toBeLessThanOrEqual(MANIFEST_LIMITS.title);
        expect(c.description.length).toBeLessThanOrEqual(MANIFEST_LIMITS.description);
      }
    }
  });

  it("ships the icons Teams requires: color 192×192, outline 32×32 white on transparent", () => {
    const color = readPng(readFileSync(new URL(committed.icons.color, dir)));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(color.pixels.every((p) => p[3] === 255)).toBe(true);
    const outline = readPng(readFileSync(new URL(committed.icons.outline, dir)));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.pixels.every((p) => (p[0] === 255 && p[1] === 255 && p[2] === 255 && p[3] === 255) || p[3] === 0)).toBe(true);
    expect(outline.pixels.some((p) => p[3] === 255)).toBe(true);
    // The committed files are what the generator draws.
    expect(readFileSync(new URL("color.png", dir))).toEqual(colorIcon());
    expect(readFileSync(new URL("outline.png", dir))).toEqual(outlineIcon());
  });

  it("fills in the bot id when building a real package", () => {
    const manifest = teamsManifest("9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162") as { bots: Array<{ botId: string }> };
    expect(manifest.bots[0]?.botId).toBe("9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162");
  });
});

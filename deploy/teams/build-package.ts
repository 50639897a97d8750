/**
 * Builds the Teams app package files in this folder: manifest.json (bot scopes and the command
 * menus, taken from the verb registry so they never drift from what the bot answers) and the two
 * icons Teams requires (color.png 192×192, outline.png 32×32 white on transparent), drawn here
 * with node:zlib so no image tool is needed.
 *
 *   node deploy/teams/build-package.ts                         # placeholder bot id (committed files)
 *   node deploy/teams/build-package.ts --bot-id <app id> --out dist/teams
 *   cd dist/teams && zip ../gpuops-teams.zip manifest.json color.png outline.png
 *
 * Limits (platform-facts C, T10): ≤ 3 command lists, ≤ 10 commands each, title ≤ 32, description ≤ 128.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import { createRouter } from "../../src/commands/router.ts";

export const PLACEHOLDER_BOT_ID = "00000000-0000-0000-0000-000000000000";
/** The Teams app's own id (the package identity; not the bot's Entra app id). */
export const TEAMS_APP_ID = "5f1c6d3e-8a47-4b2e-9c61-2a7d0e9b4f13";
export const MANIFEST_LIMITS = { commandLists: 3, commands: 10, title: 32, description: 128 } as const;

/** Verbs offered in each scope's command menu, most useful first. Channel-only verbs stay out of personal chat. */
const PERSONAL = ["help", "skus", "where", "quota", "cost", "running", "explain", "status", "idle", "request"];
const SHARED = ["help", "skus", "where", "quota", "cost", "running", "idle", "request", "subscribe", "subscriptions", "status", "explain", "unsubscribe"];

function commandsFor(order: string[]): Array<{ title: string; description: string }> {
  const known = new Map(createRouter().verbs().map((v) => [v.name, v]));
  return order
    .flatMap((name) => {
      const v = known.get(name);
      return v ? [v] : [];
    })
    .slice(0, MANIFEST_LIMITS.commands)
    .map((v) => {
      const description = `${v.summary}. e.g. ${v.examples[0] ?? v.name}`;
      return {
        title: v.name.slice(0, MANIFEST_LIMITS.title),
        description: description.length > MANIFEST_LIMITS.description ? `${description.slice(0, MANIFEST_LIMITS.description - 1)}…` : description,
      };
    });
}

/** The Teams app manifest (schema 1.17) for a bot with this Microsoft Entra app id. */
export function teamsManifest(botId: string = PLACEHOLDER_BOT_ID, version = "0.1.0"): Record<string, unknown> {
  return {
    $schema: "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json",
    manifestVersion: "1.17",
    version,
    id: TEAMS_APP_ID,
    developer: {
      name: "gpuops",
      websiteUrl: "https://gpuops.example.com/",
      privacyUrl: "https://gpuops.example.com/privacy",
      termsOfUseUrl: "https://gpuops.example.com/terms",
    },
    name: { short: "gpuops", full: "gpuops: straight answers about GPUs on Azure" },
    description: {
      short: "GPU sizes, quota, spend and idle VMs on Azure, in chat.",
      full: "Ask where you can get GPUs on Azure (skus, where), how much quota is left (quota), what GPUs cost and which sit idle (cost, running, idle), request capacity (request), and get plain-words answers about AI-infrastructure terms (explain). @mention gpuops in a channel or chat, or message it directly.",
    },
    icons: { color: "color.png", outline: "outline.png" },
    accentColor: "#0F6CBD",
    bots: [
      {
        botId,
        scopes: ["personal", "team", "groupChat"],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          { scopes: ["personal"], commands: commandsFor(PERSONAL) },
          { scopes: ["team", "groupChat"], commands: commandsFor(SHARED) },
        ],
      },
    ],
    permissions: ["identity", "messageTeamMembers"],
    validDomains: [],
  };
}

// --- PNG drawing (RGBA, 8 bits per channel) -------------------------------------------------

type Rgba = [number, number, number, number];

function png(width: number, height: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 4 + 1) + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter set, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** A GPU chip in a unit square: body outline, pins on all four sides, and a die in the middle. */
function chip(u: number, v: number, stroke: number, pins: number[]): "pin" | "body" | "die" | "none" {
  const inBox = (lo: number, hi: number) => u >= lo && u <= hi && v >= lo && v <= hi;
  if (inBox(0.4, 0.6)) return "die";
  if (inBox(0.25, 0.75) && !inBox(0.25 + stroke, 0.75 - stroke)) return "body";
  const pinAt = (t: number) => pins.some((p) => Math.abs(t - p) < stroke / 2);
  const outside = (t: number) => (t >= 0.12 && t < 0.25) || (t > 0.75 && t <= 0.88);
  if ((outside(u) && pinAt(v)) || (outside(v) && pinAt(u))) return "pin";
  return "none";
}

/** 192×192 full-colour icon: white chip on the accent colour. */
export function colorIcon(): Buffer {
  const bg: Rgba = [0x0f, 0x6c, 0xbd, 255];
  const white: Rgba = [255, 255, 255, 255];
  const die: Rgba = [0x76, 0xb9, 0x00, 255]; // GPU green
  return png(192, 192, (x, y) => {
    const part = chip((x + 0.5) / 192, (y + 0.5) / 192, 0.045, [0.33, 0.45, 0.55, 0.67]);
    return part === "die" ? die : part === "none" ? bg : white;
  });
}

/** 32×32 outline icon: white chip on transparent, as Teams requires. */
export function outlineIcon(): Buffer {
  return png(32, 32, (x, y) => (chip((x + 0.5) / 32, (y + 0.5) / 32, 0.07, [0.36, 0.5, 0.64]) === "none" ? [0, 0, 0, 0] : [255, 255, 255, 255]));
}

export function writePackage(outDir: string, botId = PLACEHOLDER_BOT_ID): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(teamsManifest(botId), null, 2)}\n`);
  writeFileSync(join(outDir, "color.png"), colorIcon());
  writeFileSync(join(outDir, "outline.png"), outlineIcon());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const botId = arg("--bot-id") ?? PLACEHOLDER_BOT_ID;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(botId)) {
    process.stderr.write("--bot-id must be the bot's Microsoft Entra app id (a GUID), e.g. --bot-id 9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162\n");
    process.exit(1);
  }
  const out = arg("--out") ?? dirname(fileURLToPath(import.meta.url));
  writePackage(out, botId);
  process.stdout.write(`Teams app package files written to ${out}\n`);
}

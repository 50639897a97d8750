// The Teams door without a clientId is anonymous: fine for development on loopback, dangerous
// anywhere else (anyone could run commands and aim the replies at a serviceUrl of their choosing).
// The real server is started listening on every interface; the door must stay shut, say so in one
// log line, and send nothing to the serviceUrl a forged activity names.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { personalMessage, postActivity } from "../support/teams-activities.ts";

const dirs: string[] = [];
const servers: RunningServer[] = [];
let connector: FakeBotConnector | undefined;
afterAll(async () => {
  for (const s of servers) await s.close();
  await connector?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(host: string): Promise<{ server: RunningServer; lines: Array<Record<string, unknown>> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-exposed-"));
  dirs.push(dataDir);
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const config = loadConfig({ PORT: "0", GPUOPS_HOST: host, GPUOPS_DATA_DIR: dataDir, GPUOPS_CONSOLE: "off", GPUOPS_SCHEDULER: "false" }, { cwd: dataDir });
  const server = await startServer(config, { log: createLogger("info", sink) });
  servers.push(server);
  return { server, lines };
}

describe("Teams door without a clientId", () => {
  it("refuses to open when the server listens beyond loopback, with one clear line, and posts nothing", async () => {
    connector = await startFakeBotConnector();
    const { server, lines } = await start("0.0.0.0");
    expect(server.teams.mode).toBe("off");
    const said = lines.filter((l) => l.door === "teams" && l.level === 50);
    expect(said).toHaveLength(1);
    expect(String(said[0]?.msg)).toMatch(/clientId/);
    expect(String(said[0]?.msg)).toMatch(/0\.0\.0\.0/);
    expect(lines.some((l) => /TEAMS LOCAL MODE/.test(String(l.msg)))).toBe(false);

    const port = new URL(server.url).port;
    const azureBefore = server.app.fake?.requests.length ?? 0;
    const res = await postActivity(`http://127.0.0.1:${port}`, personalMessage(connector.url, "gpu quota westus"));
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(connector.calls).toHaveLength(0);
    expect(server.app.fake?.requests.length ?? 0).toBe(azureBefore);
  });

  it("still runs anonymously for development when the server listens on loopback", async () => {
    connector ??= await startFakeBotConnector();
    const { server } = await start("127.0.0.1");
    expect(server.teams.mode).toBe("local");
    const res = await postActivity(server.url, personalMessage(connector.url, "gpu help"));
    expect(res.status).toBeLessThan(300);
    await connector.waitFor((calls) => calls.length > 0, 10_000);
  });
});

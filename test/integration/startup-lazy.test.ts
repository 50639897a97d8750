// Start-up keeps off the path to listen what can wait: when the demo server listens, no Azure SDK
// and no certificate library has been loaded (the fake Azure reuses its cached certificate); the
// background warm-up then loads the SDKs the first answers need, started a moment after listen as
// main() starts it, so a health probe sent at listen is answered first. A real process records every
// module it loads, so a static import slipping back onto the start-up path fails here.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { fakeAzureCertificate } from "../../src/fake-azure/certificate.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER = new URL("../../src/server.ts", import.meta.url).href;
const CONFIG = new URL("../../src/config.ts", import.meta.url).href;

const PACKAGES = {
  compute: "/node_modules/@azure/arm-compute/",
  openai: "/node_modules/@azure/arm-cognitiveservices/",
  resourceGraph: "/node_modules/@azure/arm-resourcegraph/",
  monitor: "/node_modules/@azure/monitor-query-metrics/",
  azureCore: "/node_modules/@azure/core-rest-pipeline/",
  certificates: "/node_modules/selfsigned/",
  postgres: "/node_modules/pg/",
  yaml: "/node_modules/yaml/",
} as const;
type Loaded = Record<keyof typeof PACKAGES, boolean>;

const CHILD = `
import { registerHooks } from "node:module";
const loaded = new Set();
registerHooks({ load(url, context, next) { loaded.add(url); return next(url, context); } });
const packages = ${JSON.stringify(PACKAGES)};
const seen = () => Object.fromEntries(Object.entries(packages).map(([k, p]) => [k, [...loaded].some((u) => u.includes(p))]));
const fakeAzure = () => [...loaded].filter((u) => u.includes("/src/fake-azure/")).length;
const { startServer, WARM_UP_AFTER_LISTEN_MS } = await import(${JSON.stringify(SERVER)});
const { loadConfig } = await import(${JSON.stringify(CONFIG)});
if (process.env.AS_MAIN) {
  // As main() starts it: a health probe sent the moment it listens, then nobody asks anything.
  const server = await startServer(loadConfig(), { warmUpAfterMs: WARM_UP_AFTER_LISTEN_MS });
  const health = (await fetch(server.url + "/healthz")).status;
  const atProbe = seen();
  const until = performance.now() + 20000;
  while (!seen().compute && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  const warmed = seen();
  await server.close();
  process.stdout.write(JSON.stringify({ health, atProbe, warmed }));
} else {
  const server = await startServer(loadConfig());
  const atListen = seen();
  await server.app.warmUp();
  const warmed = seen();
  await server.close();
  process.stdout.write(JSON.stringify({ atListen, warmed, fakeAzureModules: fakeAzure() }));
}
`;

interface ChildRun {
  atListen: Loaded;
  warmed: Loaded;
  fakeAzureModules: number;
}

interface MainRun {
  health: number;
  atProbe: Loaded;
  warmed: Loaded;
}

const DEMO = { GPUOPS_DEMO: "true" };
// Live Azure (never reached here: nothing at start asks it anything before the scheduler runs).
const DEPLOYED = {
  GPUOPS_DEMO: "false",
  AZURE_SUBSCRIPTION_IDS: "00000000-0000-0000-0000-000000000001",
  GPUOPS_AZURE_URL: "https://127.0.0.1:9",
  GPUOPS_AZURE_TOKEN: "unused",
  GPUOPS_MONITOR_METRICS: "false",
};

function runChild<T = ChildRun>(mode: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        ...mode,
        GPUOPS_DATA_DIR: ":memory:",
        GPUOPS_HOST: "127.0.0.1",
        PORT: "0",
        GPUOPS_LOG_LEVEL: "silent",
        GPUOPS_SCHEDULER: "false",
      },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(out) as T);
    });
  });
}

describe("start-up order", () => {
  beforeAll(async () => {
    // The cached pair the demo's fake Azure reuses (the first start anywhere makes it).
    await fakeAzureCertificate();
  });

  it("listens before any Azure SDK or certificate library loads (nor the PostgreSQL driver on SQLite, nor YAML without gpuops.yaml), and the warm-up loads the SDKs after", async () => {
    const { atListen, warmed, fakeAzureModules } = await runChild(DEMO);
    expect(atListen).toEqual({ compute: false, openai: false, resourceGraph: false, monitor: false, azureCore: false, certificates: false, postgres: false, yaml: false });
    expect(warmed).toEqual({ compute: true, openai: true, resourceGraph: true, monitor: true, azureCore: true, certificates: false, postgres: false, yaml: false });
    expect(fakeAzureModules).toBeGreaterThan(0);
  });

  it("answers the first health probe before the warm-up holds the event loop, then warms up without being asked", async () => {
    const { health, atProbe, warmed } = await runChild<MainRun>({ ...DEMO, AS_MAIN: "1" });
    expect(health).toBe(200);
    expect(atProbe).toMatchObject({ compute: false, resourceGraph: false, azureCore: false });
    expect(warmed).toMatchObject({ compute: true, resourceGraph: true, azureCore: true });
  });

  it("never loads the demo's fake Azure when gpuops runs against a real Azure", async () => {
    const { warmed, fakeAzureModules } = await runChild(DEPLOYED);
    expect(warmed.compute).toBe(true);
    expect(fakeAzureModules).toBe(0);
  });
});

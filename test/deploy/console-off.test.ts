/**
 * `docker run` sets GPUOPS_HOST=0.0.0.0, which keeps the console off: `/` then says so and how to
 * turn it on with a token, instead of a bare 404. Switched off on purpose, `/` stays empty.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";

async function withServer(env: Record<string, string>, fn: (url: string) => Promise<void>): Promise<void> {
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: ":memory:", PORT: "0", ...env });
  const server = await startServer(config, { log: createLogger("silent") });
  try {
    const port = new URL(server.url).port;
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    await server.close();
  }
}

describe("the console-off page", () => {
  it("beyond loopback, / explains that the console is off and how to turn it on with a token", async () => {
    await withServer({ GPUOPS_HOST: "0.0.0.0" }, async (url) => {
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain("console is off");
      expect(text).toContain("beyond loopback");
      expect(text).toContain("GPUOPS_CONSOLE=on");
      expect(text).toContain("GPUOPS_CONSOLE_TOKEN=");
      expect(text).toMatch(/docker run .*-e GPUOPS_CONSOLE_TOKEN=/);
      // The console's API is still not there.
      expect((await fetch(`${url}/console/api/identities`)).status).toBe(404);
    });
  });

  it("GPUOPS_CONSOLE=off keeps / a 404", async () => {
    await withServer({ GPUOPS_HOST: "0.0.0.0", GPUOPS_CONSOLE: "off" }, async (url) => {
      expect((await fetch(`${url}/`)).status).toBe(404);
    });
  });
});

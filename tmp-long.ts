import { startFakeSlack } from "./test/support/fake-slack.ts";
import { load, startTarget } from "./bench/processes.ts";
const SECRET = "bench-signing-secret";
const fake = await startFakeSlack();
const t = await startTarget("gpuops", ["src/server.ts"], { GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: ":memory:", PORT: "0", GPUOPS_HOST: "127.0.0.1", GPUOPS_LOG_LEVEL: "error", GPUOPS_CONSOLE: "off", SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl });
const plan = { url: t.url, kind: "slack" as const, text: "skus swedencentral", concurrency: 200, secret: SECRET, replyUrl: fake.responseUrl("p") };
for (let i = 0; i < 12; i++) {
  const r = await load({ ...plan, requests: 3000 });
  console.log(i, r.rps, r.p99);
}
await t.stop(); await fake.close();

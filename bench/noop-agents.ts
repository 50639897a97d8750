/**
 * The Teams baseline, run as its own process: an Agents SDK CloudAdapter (anonymous local mode,
 * as gpuops runs without a clientId) behind express that answers every message with one short
 * text reply to the activity's serviceUrl. Prints "listening <url>" when ready.
 *
 * @example
 * node bench/noop-agents.ts
 */
import type { AddressInfo } from "node:net";
import { CloudAdapter } from "@microsoft/agents-hosting";
import express from "express";

const adapter = new CloudAdapter({});
const web = express();
web.get("/healthz", (_req, res) => {
  res.json({ status: "ok" });
});
web.post(
  "/api/messages",
  (req, res, next) => adapter.authorizeRequest(req, res, next),
  express.json({ limit: "1mb" }),
  async (req, res) => {
    await adapter.process(req, res, async (context) => {
      if (context.activity.type === "message") await context.sendActivity("ok");
    });
  },
);
const http = web.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
});

/**
 * The Slack baseline, run as its own process: a Bolt app that acks every slash command and does
 * nothing else, on the same express 5 + ExpressReceiver stack and with the bot ids given (no
 * auth.test per request), as gpuops runs it. Prints "listening <url>" when ready.
 *
 * @example
 * SLACK_SIGNING_SECRET=s SLACK_BOT_TOKEN=xoxb-… SLACK_API_URL=http://127.0.0.1:4000/api/ node bench/noop-bolt.ts
 */
import type { AddressInfo } from "node:net";
import { App as BoltApp, ExpressReceiver, LogLevel } from "@slack/bolt";
import express from "express";

const web = express();
web.get("/healthz", (_req, res) => {
  res.json({ status: "ok" });
});
const receiver = new ExpressReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "", app: web, logLevel: LogLevel.ERROR });
const bolt = new BoltApp({
  receiver,
  token: process.env.SLACK_BOT_TOKEN,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "https://slack.com/api/" },
  logLevel: LogLevel.ERROR,
  botId: "B0NOOP001",
  botUserId: "U0NOOP001",
});
bolt.command(/.*/, async ({ ack }) => {
  await ack();
});
const http = web.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
});

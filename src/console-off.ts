/**
 * What `/` answers when the local console is off (say `docker run` with GPUOPS_HOST=0.0.0.0):
 * a short plain-text page saying why, and how to turn it on safely with a token, instead of a 404.
 * It never shows a token or any setting's value.
 */
import type { RequestHandler } from "express";
import type { ConsoleAccess } from "./chat/console/access.ts";

export function consoleOffText(access: ConsoleAccess): string {
  return [
    "gpuops is running. Its web console is off on this server.",
    `Why: ${access.reason}.`,
    "",
    "To turn the console on beyond this machine, give it a token and restart:",
    "  GPUOPS_CONSOLE=on",
    "  GPUOPS_CONSOLE_TOKEN=<at least 24 random characters, e.g. from: openssl rand -hex 24>",
    "then open this address with ?token=<that token> once; the browser keeps it in a cookie.",
    "",
    "With Docker:",
    "  docker run -p 3978:3978 -e GPUOPS_CONSOLE=on -e GPUOPS_CONSOLE_TOKEN=$(openssl rand -hex 24) gpuops",
    "",
    "Health: /healthz and /readyz. Metrics: /metrics. Slack: /slack/events. Teams: /api/messages.",
    "",
  ].join("\n");
}

export function consoleOffPage(access: ConsoleAccess): RequestHandler {
  const body = consoleOffText(access);
  return (_req, res) => {
    res.status(200).type("text/plain; charset=utf-8").set("cache-control", "no-store").send(body);
  };
}

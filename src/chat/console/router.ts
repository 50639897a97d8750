/**
 * The local console's HTTP face, mounted at `/` of the gpuops server: the page (static HTML,
 * CSS and vanilla JS from ./public, the official Adaptive Cards renderer from node_modules) and
 * its JSON API. Commands and button clicks go through the app's router (`run` / `runAction`), as
 * Slack and Teams, and answers are rendered into the same Adaptive Card JSON Teams receives
 * (src/render/teams.ts), so the console is a true preview of the Teams experience.
 *
 *   GET  /                       the page (?token=… sets the token cookie once, then redirects)
 *   GET  /console/api/identities the "act as" cast and whether demo data is behind the console
 *   GET  /console/api/chat       the conversation (?after=<seq> for changes only)
 *   GET  /console/api/channel    the local channel: digests, alerts, approval requests
 *   GET  /console/api/events     server-sent events: every new or updated message
 *   POST /console/api/command    {text, actor} → router.run → {messageId, reply, card}
 *   POST /console/api/action     {verb, payload, actor, messageId} → router.runAction → updated cards
 *
 * @example
 * const console = createConsole({ app, config, log });
 * if (console.access.enabled) web.use(console.router);
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { App } from "../../app.ts";
import { shareButtonFor } from "../../commands/share.ts";
import { longListOptions } from "../../commands/show-rows.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import { renderAdaptiveCard } from "../../render/teams.ts";
import { type Reply, userError } from "../../reply/reply.ts";
import type { PostingPort } from "../../services/ports.ts";
import { type ConsoleAccess, consoleAccess, refuseRequest, TOKEN_COOKIE, tokenMatches } from "./access.ts";
import { actorOf, type ConsoleIdentity, consoleIdentities, findIdentity } from "./identities.ts";
import { type ConsoleMessage, type ConsoleMessages, createConsoleMessages, type Pane } from "./messages.ts";
import { CONSOLE_PLATFORM, createConsolePosting, LOCAL_CHANNEL } from "./posting.ts";

export interface ConsoleOptions {
  app: App;
  config: Config;
  log: Logger;
  /** The "act as" cast (default: the demo cast, labelled from the console approver list). */
  identities?: readonly ConsoleIdentity[];
  messages?: ConsoleMessages;
}

export interface Console {
  access: ConsoleAccess;
  router: Router;
  messages: ConsoleMessages;
  /** Posting port for platform "console": posts land in the page's local channel. */
  posting: PostingPort;
  identities: readonly ConsoleIdentity[];
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "public");
const ADAPTIVECARDS_DIST = join(dirname(createRequire(import.meta.url).resolve("adaptivecards/package.json")), "dist");
/** The renderer files the page loads; nothing else from node_modules is reachable. */
const VENDOR_FILES: Record<string, string> = {
  "adaptivecards.min.js": join(ADAPTIVECARDS_DIST, "adaptivecards.min.js"),
  "adaptivecards.min.js.map": join(ADAPTIVECARDS_DIST, "adaptivecards.min.js.map"),
  "adaptivecards.css": join(ADAPTIVECARDS_DIST, "adaptivecards.css"),
};

const MAX_TEXT = 2000;
const commandBody = z.object({ text: z.string().max(MAX_TEXT), actor: z.string().max(64) });
const actionBody = z.object({
  verb: z.string().max(64),
  payload: z.unknown(),
  actor: z.string().max(64),
  messageId: z.string().uuid(),
});
const afterQuery = z.coerce.number().int().min(0).catch(0);

/** A message as the page receives it: the Adaptive Card to render, and the Reply it came from. */
export interface ConsoleMessageView {
  id: string;
  pane: Pane;
  channelId: string;
  order: number;
  rev: number;
  seq: number;
  at: string;
  from: "user" | "bot";
  actor?: { id: string; name?: string };
  text?: string;
  ephemeralFor?: string;
  /** Set on replies in a thread (the root message's id). */
  threadId?: string;
  reply?: Reply;
  card?: unknown;
}

/**
 * Charts kept in the image store are served by this same server at /charts/<id>.png; the page
 * loads them from its own origin (whatever public URL the Reply names), which is all the
 * console's content security policy allows.
 */
export function forConsole(reply: Reply): Reply {
  if (!reply.parts.some((p) => p.kind === "image" && p.imageId !== undefined)) return reply;
  return {
    ...reply,
    parts: reply.parts.map((p) => (p.kind === "image" && p.imageId !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(p.imageId) ? { ...p, url: `/charts/${p.imageId}.png` } : p)),
  };
}

export function viewOf(m: ConsoleMessage): ConsoleMessageView {
  const v: ConsoleMessageView = { id: m.id, pane: m.pane, channelId: m.channelId, order: m.order, rev: m.rev, seq: m.seq, at: m.at, from: m.from };
  if (m.actor) v.actor = m.actor;
  if (m.text !== undefined) v.text = m.text;
  if (m.ephemeralFor !== undefined) v.ephemeralFor = m.ephemeralFor;
  if (m.threadId !== undefined) v.threadId = m.threadId;
  if (m.reply) {
    v.reply = forConsole(m.reply);
    // The original Reply, not its console copy, is what "Show all" keeps and pages through.
    v.card = renderAdaptiveCard(v.reply, longListOptions(m.reply));
  }
  return v;
}

const SECURITY_HEADERS: Record<string, string> = {
  // The renderer sets element styles from script (CSSOM), which style-src does not govern;
  // images: our own chart URLs and data: URIs only.
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** The page, its static files and the vendored card renderer: only the console's own paths are guarded (other doors share the server). */
function consolePages(access: ConsoleAccess, pageGuard: (req: Request, res: Response, next: NextFunction) => void): express.Router {
  const page = express.Router();
  page.get("/", pageGuard, (req, res) => {
    const queryToken = typeof req.query.token === "string" ? req.query.token : undefined;
    if (access.token && queryToken !== undefined && tokenMatches(access.token, queryToken)) {
      // Trade the token in the address bar for a cookie, then drop it from the URL (and history).
      res.cookie(TOKEN_COOKIE, access.token, { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure });
      res.redirect(303, "/");
      return;
    }
    res.setHeader("cache-control", "no-store");
    res.sendFile(join(PUBLIC_DIR, "index.html"));
  });
  page.use("/console/static", pageGuard, express.static(PUBLIC_DIR, { index: false }));
  page.get("/console/vendor/:file", pageGuard, (req, res) => {
    const file = Object.hasOwn(VENDOR_FILES, String(req.params.file)) ? VENDOR_FILES[String(req.params.file)] : undefined;
    if (!file) {
      res.status(404).type("text/plain").send("not found\n");
      return;
    }
    res.sendFile(file);
  });
  return page;
}

/** Server-sent events: every new console message, with a keep-alive comment every 25 s. */
function streamEvents(messages: ConsoleMessages, req: Request, res: Response): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ seq: messages.seq() })}\n\n`);
  const unsubscribe = messages.subscribe((m) => {
    res.write(`event: message\ndata: ${JSON.stringify(viewOf(m))}\n\n`);
  });
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 25_000);
  req.on("close", () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}

export function createConsole(opts: ConsoleOptions): Console {
  const { app, config } = opts;
  const log = opts.log.child({ component: "console" });
  const access = consoleAccess(config);
  const approvers = app.services.requests?.approvers.console;
  const identities = opts.identities ?? consoleIdentities(approvers ? [...approvers.approvers, ...approvers.escalation] : []);
  const messages = opts.messages ?? createConsoleMessages();
  const posting = createConsolePosting(messages);
  const router = express.Router();

  // Every console route: security headers, then the host / token rules.
  const guard = (api: boolean) => (req: Request, res: Response, next: NextFunction) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const queryToken = !api && typeof req.query.token === "string" ? req.query.token : undefined;
    const refusal = refuseRequest(access, req.headers, { api, method: req.method, ...(queryToken !== undefined ? { queryToken } : {}) });
    if (refusal) {
      log.warn({ code: refusal.code, method: req.method, path: req.path }, "console request refused");
      if (api) res.status(refusal.status).json({ error: refusal.code, message: refusal.message });
      else res.status(refusal.status).type("text/plain").send(`${refusal.message}\n`);
      return;
    }
    next();
  };

  const page = consolePages(access, guard(false));

  const api = express.Router();
  api.use(guard(true));
  api.use((_req, res, next) => {
    res.setHeader("cache-control", "no-store");
    next();
  });
  api.use(express.json({ limit: "32kb" }));

  api.get("/identities", (_req, res) => {
    res.json({ identities, defaultActor: identities[0]?.id, demo: config.demo, channel: LOCAL_CHANNEL });
  });

  const listPane = (pane: Pane) => (req: Request, res: Response) => {
    const after = afterQuery.parse(req.query.after);
    res.json({ messages: messages.list(pane, { afterSeq: after }).map(viewOf), seq: messages.seq() });
  };
  api.get("/chat", listPane("chat"));
  api.get("/channel", listPane("channel"));

  api.get("/events", (req, res) => streamEvents(messages, req, res));

  api.post("/command", async (req, res) => {
    const body = commandBody.safeParse(req.body);
    const who = body.success ? findIdentity(identities, body.data.actor) : undefined;
    if (!body.success || !who) {
      res.status(400).json(badRequest(body.success ? "unknown_actor" : "bad_request", identities));
      return;
    }
    const text = body.data.text.trim();
    const actor = actorOf(who);
    const asked = messages.add({ pane: "chat", channelId: LOCAL_CHANNEL, from: "user", actor, text });
    const reply = text
      ? withShare(await app.router.run({ text, actor, channel: { id: LOCAL_CHANNEL, platform: "console" }, surface: "console" }, app.context()), text)
      : userError("bad_command", "Type a command first.", "skus swedencentral a100");
    const m = messages.add({ pane: "chat", channelId: LOCAL_CHANNEL, from: "bot", reply });
    const view = viewOf(m);
    res.json({ messageId: m.id, reply, card: view.card, message: view, asked: viewOf(asked) });
  });

  api.post("/action", async (req, res) => {
    const body = actionBody.safeParse(req.body);
    const who = body.success ? findIdentity(identities, body.data.actor) : undefined;
    if (!body.success || !who) {
      res.status(400).json(badRequest(body.success ? "unknown_actor" : "bad_request", identities));
      return;
    }
    const actor = actorOf(who);
    const target = messages.get(body.data.messageId);
    const changed: ConsoleMessage[] = [];
    const say = (reply: Reply) => {
      // Shown where the click happened, to the clicker only (as Slack's ephemeral messages are).
      const m = messages.add({ pane: target?.pane ?? "chat", channelId: target?.channelId ?? LOCAL_CHANNEL, from: "bot", reply, ephemeralFor: actor.id });
      changed.push(m);
      return m;
    };
    if (target?.from !== "bot") {
      const m = say(userError("bad_action", "That message is no longer in the console (it keeps the latest messages only), so nothing was done."));
      res.json({ ephemeral: viewOf(m), updated: [], posted: [] });
      return;
    }
    const result = await app.router.runAction(
      {
        verb: body.data.verb,
        payload: body.data.payload,
        actor,
        channel: { id: target.channelId, platform: "console" },
        surface: "console",
        message: { platform: CONSOLE_PLATFORM, channelId: target.channelId, messageId: target.id },
      },
      app.context(),
    );
    const updated: ConsoleMessage[] = [];
    const posted: ConsoleMessage[] = [];
    if (result.update) updated.push(messages.update(target.id, result.update));
    if (result.post) {
      const p = await posting.post(target.channelId, result.post);
      const m = messages.get(p.messageId);
      if (m) posted.push(m);
    }
    const ephemeral = result.ephemeral ? say(result.ephemeral) : undefined;
    log.info({ verb: body.data.verb, actor: actor.id, updated: updated.length, posted: posted.length, refused: result.ephemeral?.outcome === "user_error" }, "console action");
    res.json({ updated: updated.map(viewOf), posted: posted.map(viewOf), ...(ephemeral ? { ephemeral: viewOf(ephemeral) } : {}) });
  });

  api.use((_req, res) => {
    res.status(404).json({ error: "not_found", message: "No such console API." });
  });
  // Malformed JSON and other request errors: a kind answer, never a stack trace.
  api.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === "object" && err !== null && "status" in err && typeof err.status === "number" && err.status < 500 ? err.status : 500;
    if (status >= 500) log.error({ err }, "console API failed");
    res.status(status).json({
      error: status >= 500 ? "internal" : "bad_request",
      message:
        status >= 500 ? "Something went wrong on our side; it has been logged." : 'The request was not valid JSON. Example: {"text": "skus swedencentral a100", "actor": "dana"}',
    });
  });

  router.use("/console/api", api);
  router.use(page);
  return { access, router, messages, posting, identities };
}

/**
 * The chat is a private conversation with the bot; an answer gets "Share in channel" (to the
 * local channel) by the rule every door shares (src/commands/share.ts).
 */
function withShare(reply: Reply, command: string): Reply {
  const share = shareButtonFor(reply, command);
  return share ? { ...reply, parts: [...reply.parts, { kind: "actions", actions: [share] }] } : reply;
}

function badRequest(code: string, identities: readonly ConsoleIdentity[]) {
  return {
    error: code,
    message:
      code === "unknown_actor"
        ? `Pick someone to act as: ${identities.map((i) => i.id).join(", ")}.`
        : 'Send {"text": "<command>", "actor": "<identity>"} to /console/api/command, or {"verb", "payload", "actor", "messageId"} to /console/api/action.',
  };
}

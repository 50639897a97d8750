/**
 * A fake Slack on loopback that speaks the Web API wire format the official WebClient uses
 * (POST /api/<method>, form-encoded with JSON-encoded nested fields, bearer token) and takes
 * response_url posts. It records every call, and has fault knobs: 429 with Retry-After,
 * platform errors (channel_not_found, is_archived, …), latency before the call is carried out,
 * and a slow answer after it was (the post lands; the client times out). Posted messages are kept
 * per channel, metadata included, and served by conversations.history (which needs
 * channels:history / groups:history among the token's scopes, as Slack checks).
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface SlackCall {
  method: string;
  /** Parsed arguments; blocks/view/attachments decoded from their JSON strings. */
  args: Record<string, unknown>;
  authorization: string | undefined;
  at: number;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface SlackFault {
  method: string;
  /** HTTP 429 with this Retry-After (seconds). */
  retryAfter?: number;
  /** `{ ok: false, error }` with HTTP 200, as Slack answers platform errors. */
  error?: string;
  latencyMs?: number;
  /** The call is carried out at once, and answered only after this long (a slow Slack). */
  answerAfterMs?: number;
  /** How many calls it applies to; forever when absent. */
  times?: number;
}

/** A message as conversations.history returns it. */
export interface FakeSlackMessage {
  type: "message";
  ts: string;
  text: unknown;
  bot_id: string;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** The Socket Mode side: Slack's WebSocket, speaking envelopes (platform-facts B/S12). */
export interface FakeSocketMode {
  /** Envelopes the app sent back (acks, with their response payloads). */
  acks: Array<{ envelope_id: string; payload?: Record<string, unknown> }>;
  /** Resolves once an app connected and got "hello". */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope (slash_commands, interactive, events_api) and returns its id. */
  send(type: string, payload: unknown, opts?: { retryAttempt?: number }): string;
}

export interface FakeSlack {
  url: string;
  socket: FakeSocketMode;
  /** The value for SLACK_API_URL. */
  apiUrl: string;
  botToken: string;
  botId: string;
  botUserId: string;
  teamId: string;
  calls: SlackCall[];
  responses: ResponseUrlPost[];
  /** Files POSTed to the upload URLs files.getUploadURLExternal handed out (files.uploadV2). */
  uploads: Array<{ fileId: string; bytes: number; png: boolean; at: number }>;
  /** calls of one method. */
  callsOf(method: string): SlackCall[];
  /** A workspace member users.info knows, with the e-mail Slack has for them. */
  addUser(id: string, user: { name: string; email: string }): void;
  /** A response_url Slack would put in a payload; posts to it are recorded under `id`. */
  responseUrl(id: string): string;
  responsesTo(id: string): ResponseUrlPost[];
  addFault(fault: SlackFault): void;
  clearFaults(): void;
  /** Messages posted to a channel, oldest first. */
  messagesIn(channelId: string): FakeSlackMessage[];
  /** The bot token's scopes (default: chat:write, commands, channels:history, groups:history). */
  scopes: Set<string>;
  /** Resolves when `check` holds (polled), rejects after `timeoutMs`. */
  /** Polls `check` (which may be async: its promise is awaited, never taken as the answer) until it gives a value. */
  waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(["blocks", "view", "attachments", "metadata"]);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes("application/json")) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
  }
  return out;
}

export async function startFakeSlack(opts: { botToken?: string; now?: () => Date } = {}): Promise<FakeSlack> {
  const botToken = opts.botToken ?? "xoxb-fake-bot-token";
  const ids = { botId: "B0GPUOPS1", botUserId: "U0GPUOPS1", teamId: "T0FAKE001" };
  const calls: SlackCall[] = [];
  const responses: ResponseUrlPost[] = [];
  let faults: SlackFault[] = [];
  let ts = 1_700_000_000;
  let viewSeq = 0;
  let fileSeq = 0;
  const uploads: FakeSlack["uploads"] = [];
  let postSeq = 0;
  const history = new Map<string, FakeSlackMessage[]>();
  const scopes = new Set(["chat:write", "commands", "files:write", "channels:history", "groups:history"]);
  const users = new Map<string, { name: string; email: string }>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };

  const api = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case "apps.connections.open":
        return { ok: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/socket` };
      case "auth.test":
        return { ok: true, url: "https://fake.slack.test/", team: "Fake", user: "gpuops", team_id: ids.teamId, user_id: ids.botUserId, bot_id: ids.botId };
      case "chat.postMessage": {
        let t: string;
        if (opts.now) {
          // Slack's ts is its own clock's time (µs, unique per channel); tests give that clock.
          postSeq += 1;
          t = `${Math.floor(opts.now().getTime() / 1000)}.${String(postSeq).padStart(6, "0")}`;
        } else {
          ts += 1;
          t = `${ts}.000100`;
        }
        const channel = String(args.channel);
        const m: FakeSlackMessage = { type: "message", text: args.text, ts: t, bot_id: ids.botId };
        if (typeof args.thread_ts === "string") m.thread_ts = args.thread_ts;
        const meta = args.metadata as FakeSlackMessage["metadata"] | undefined;
        if (meta && typeof meta.event_type === "string") m.metadata = meta;
        history.set(channel, [...(history.get(channel) ?? []), m]);
        return { ok: true, channel, ts: t, message: m };
      }
      case "conversations.history": {
        // Public channels start with C, private ones with G (older ids); Slack checks the matching scope.
        const needed = String(args.channel).startsWith("G") ? "groups:history" : "channels:history";
        if (!scopes.has(needed)) return { ok: false, error: "missing_scope", needed, provided: [...scopes].join(",") };
        const oldest = Number(args.oldest ?? 0);
        const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
        const limit = Math.min(Number(args.limit ?? 100), 999);
        const withMeta = args.include_all_metadata === true || args.include_all_metadata === "true";
        // Newest first, top-level messages only, as Slack answers.
        const all = (history.get(String(args.channel)) ?? [])
          .filter((m) => !m.thread_ts && Number(m.ts) > oldest && Number(m.ts) < latest)
          .reverse()
          .map((m) => {
            if (withMeta) return m;
            const { metadata: _drop, ...rest } = m;
            return rest;
          });
        const start = typeof args.cursor === "string" && args.cursor ? Number(args.cursor) : 0;
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(start + limit) : "" } };
      }
      case "chat.update": {
        // Only a message the bot posted can be edited; an ephemeral one (answered by response_url) is not found.
        const m = (history.get(String(args.channel)) ?? []).find((x) => x.ts === args.ts);
        if (!m) return { ok: false, error: "message_not_found" };
        m.text = args.text;
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      }
      // files.uploadV2 in the WebClient: get an upload URL, POST the bytes there, complete.
      case "files.getUploadURLExternal": {
        fileSeq += 1;
        const id = `F0FAKE${fileSeq}`;
        return { ok: true, file_id: id, upload_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/${id}` };
      }
      case "files.completeUploadExternal": {
        const files =
          typeof args.files === "string" ? (JSON.parse(args.files) as Array<{ id: string; title?: string }>) : ((args.files ?? []) as Array<{ id: string; title?: string }>);
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
      }
      case "chat.postEphemeral":
        ts += 1;
        return { ok: true, message_ts: `${ts}.000200` };
      case "users.info": {
        // users.info's shape (https://docs.slack.dev/reference/methods/users.info); profile.email needs users:read.email.
        const u = users.get(String(args.user));
        if (!u) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            id: args.user,
            team_id: ids.teamId,
            name: u.name,
            deleted: false,
            is_bot: false,
            is_email_confirmed: true,
            profile: { real_name: u.name, display_name: u.name, email: u.email },
          },
        };
      }
      case "views.open":
      case "views.publish":
      case "views.update":
        viewSeq += 1;
        return { ok: true, view: { id: `V0FAKE${viewSeq}`, ...(args.view as object) } };
      default:
        return { ok: false, error: "unknown_method" };
    }
  };

  const acks: FakeSocketMode["acks"] = [];
  const sockets = new Set<Socket>();
  let envelopeSeq = 0;

  /** One unmasked server frame (RFC 6455): text, pong or close. */
  const frame = (opcode: number, payload: Buffer): Buffer => {
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
    if (len >= 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    return Buffer.concat([head, payload]);
  };
  const sendJson = (socket: Socket, obj: unknown) => socket.write(frame(0x1, Buffer.from(JSON.stringify(obj))));

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "POST" && url.pathname.startsWith("/upload/")) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      uploads.push({ fileId: url.pathname.slice("/upload/".length), bytes: bytes.length, png: bytes.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47])), at: Date.now() });
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(`OK - ${bytes.length}`);
    }
    const raw = await readBody(req);
    if (req.method === "POST" && url.pathname.startsWith("/response/")) {
      const id = decodeURIComponent(url.pathname.slice("/response/".length));
      responses.push({ id, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {}, at: Date.now() });
      return send(res, 200, { ok: true });
    }
    if (req.method !== "POST" || !url.pathname.startsWith("/api/")) return send(res, 404, { ok: false, error: "not_found" });
    const method = url.pathname.slice("/api/".length);
    let args: Record<string, unknown>;
    try {
      args = parseArgs(raw, req.headers["content-type"]);
    } catch {
      return send(res, 200, { ok: false, error: "invalid_json" });
    }
    const authorization = req.headers.authorization;
    calls.push({ method, args, authorization, at: Date.now() });

    const fault = faults.find((f) => f.method === method);
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) faults = faults.filter((f) => f !== fault);
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.retryAfter !== undefined) return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(fault.retryAfter) });
      if (fault.error) return send(res, 200, { ok: false, error: fault.error });
    }
    const slowAnswer = fault?.answerAfterMs;
    const token = authorization?.replace(/^Bearer /, "") ?? (args.token as string | undefined);
    const ok = method === "apps.connections.open" ? token?.startsWith("xapp-") === true : token === botToken;
    if (!ok) return send(res, 200, { ok: false, error: method === "apps.connections.open" ? "not_allowed_token_type" : "invalid_auth" });
    const answer = api(method, args);
    if (slowAnswer) await new Promise((r) => setTimeout(r, slowAnswer));
    if (res.destroyed || res.writableEnded) return;
    return send(res, 200, answer);
  });

  server.on("upgrade", (req, socket: Socket) => {
    const key = req.headers["sec-websocket-key"];
    if (!req.url?.startsWith("/socket") || typeof key !== "string") {
      socket.destroy();
      return;
    }
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length < 2) return;
        const opcode = (buf[0] as number) & 0x0f;
        let len = (buf[1] as number) & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          offset = 10;
        }
        const masked = ((buf[1] as number) & 0x80) !== 0;
        const mask = masked ? buf.subarray(offset, offset + 4) : undefined;
        offset += masked ? 4 : 0;
        if (buf.length < offset + len) return;
        const data = Buffer.from(buf.subarray(offset, offset + len));
        if (mask) for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) ^ (mask[i % 4] as number);
        buf = buf.subarray(offset + len);
        if (opcode === 0x1) acks.push(JSON.parse(data.toString("utf8")));
        else if (opcode === 0x9) socket.write(frame(0xa, data));
        else if (opcode === 0x8) {
          socket.end(frame(0x8, Buffer.alloc(0)));
          return;
        }
      }
    });
    sendJson(socket, { type: "hello", num_connections: 1, debug_info: { host: "fake-slack", approximate_connection_time: 18060 }, connection_info: { app_id: "A0GPUOPS1" } });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    botToken,
    ...ids,
    calls,
    uploads,
    responses,
    socket: {
      acks,
      async connected(timeoutMs = 5000) {
        const until = Date.now() + timeoutMs;
        while (sockets.size === 0) {
          if (Date.now() > until) throw new Error("fake Slack: no Socket Mode connection");
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      send(type, payload, opts = {}) {
        envelopeSeq += 1;
        const id = `env-${envelopeSeq}-${Date.now()}`;
        for (const s of sockets)
          sendJson(s, {
            envelope_id: id,
            type,
            payload,
            accepts_response_payload: type !== "events_api",
            retry_attempt: opts.retryAttempt ?? 0,
            retry_reason: opts.retryAttempt ? "timeout" : "",
          });
        return id;
      },
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    messagesIn: (channelId) => [...(history.get(channelId) ?? [])],
    scopes,
    addUser: (id, user) => {
      users.set(id, user);
    },
    responseUrl: (id) => `${url}/response/${encodeURIComponent(id)}`,
    responsesTo: (id) => responses.filter((r) => r.id === id),
    addFault: (f) => {
      faults.push({ ...f });
    },
    clearFaults: () => {
      faults = [];
    },
    async waitFor(check, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = await check();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > until) throw new Error("fake Slack: condition not met in time");
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Slack's request signature: v0= + hex HMAC-SHA256(secret, "v0:{ts}:{raw body}") (platform-facts B/S9). */
export function signSlackRequest(secret: string, body: string, timestamp: number): Record<string, string> {
  const sig = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-request-timestamp": String(timestamp), "x-slack-signature": `v0=${sig}` };
}

export interface SlashCommandFields {
  text: string;
  userId?: string;
  channelId?: string;
  command?: string;
  responseUrl: string;
  triggerId?: string;
}

let seq = 0;
/** A slash command's form body, field for field as Slack sends it. */
export function slashCommandBody(f: SlashCommandFields): string {
  seq += 1;
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: "T0FAKE001",
    team_domain: "fake",
    channel_id: f.channelId ?? "C0GENERAL1",
    channel_name: "general",
    user_id: f.userId ?? "U0ALICE01",
    user_name: "alice",
    command: f.command ?? "/gpu",
    text: f.text,
    api_app_id: "A0GPUOPS1",
    is_enterprise_install: "false",
    response_url: f.responseUrl,
    trigger_id: f.triggerId ?? `${Date.now()}.${seq}.fake${seq.toString(16)}`,
  }).toString();
}

export interface BlockActionFields {
  actionId: string;
  value: string;
  responseUrl?: string;
  userId?: string;
  channelId?: string;
  messageTs?: string;
  isEphemeral?: boolean;
  /** "home" for a click in App Home. */
  view?: "home";
  triggerId?: string;
}

/** A block_actions interaction payload, as Slack posts it (`payload=<JSON>` form field). */
export function blockActionsBody(f: BlockActionFields): string {
  seq += 1;
  const user = { id: f.userId ?? "U0ALICE01", username: "alice", name: "alice", team_id: "T0FAKE001" };
  const action = { type: "button", action_id: f.actionId, block_id: "b1", text: { type: "plain_text", text: "x", emoji: true }, value: f.value, action_ts: `${Date.now() / 1000}` };
  const base = {
    type: "block_actions",
    user,
    api_app_id: "A0GPUOPS1",
    token: "deprecated-verification-token",
    trigger_id: f.triggerId ?? `${Date.now()}.${seq}.act${seq}`,
    team: { id: "T0FAKE001", domain: "fake" },
    enterprise: null,
    is_enterprise_install: false,
    actions: [action],
  };
  const payload =
    f.view === "home"
      ? { ...base, container: { type: "view", view_id: "V0HOME" }, view: { id: "V0HOME", type: "home", blocks: [] } }
      : {
          ...base,
          container: { type: "message", message_ts: f.messageTs ?? "1700000000.000100", channel_id: f.channelId ?? "C0GENERAL1", is_ephemeral: f.isEphemeral ?? false },
          channel: { id: f.channelId ?? "C0GENERAL1", name: "general" },
          ...(f.isEphemeral ? {} : { message: { type: "message", ts: f.messageTs ?? "1700000000.000100", text: "x", blocks: [] } }),
          ...(f.responseUrl ? { response_url: f.responseUrl } : {}),
        };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** POSTs a signed form body to a gpuops server's /slack/events. */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  opts: { timestamp?: number; headers?: Record<string, string>; signature?: string } = {},
): Promise<Response> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = signSlackRequest(secret, body, ts);
  if (opts.signature) signed["x-slack-signature"] = opts.signature;
  return fetch(`${url}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...signed, ...opts.headers }, body });
}

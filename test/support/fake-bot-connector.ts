/**
 * A loopback Bot Connector service: the REST API Teams' bots call at the activity's serviceUrl
 * (Bot Framework REST API v3). It records every call (method, path, conversation, activity,
 * Authorization header) and has fault knobs for the failures Teams really sends: 403 "not in
 * roster", 429 with Retry-After, 412, 502/504.
 *
 *   POST /v3/conversations/{conversationId}/activities                 send to conversation
 *   POST /v3/conversations/{conversationId}/activities/{replyToId}     reply to activity
 *   PUT  /v3/conversations/{conversationId}/activities/{activityId}    update activity
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ConnectorCallKind = "send" | "reply" | "update";

export interface ConnectorCall {
  kind: ConnectorCallKind;
  method: string;
  path: string;
  conversationId: string;
  /** replyToId for replies, the updated id for updates. */
  activityId: string | undefined;
  /** The id the fake answered with (sends and replies). */
  id: string | undefined;
  status: number;
  authorization: string | undefined;
  activity: Record<string, unknown>;
  at: number;
}

export interface ConnectorFault {
  kind?: ConnectorCallKind;
  conversationId?: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many calls it applies to; forever when absent. */
  times?: number;
}

export interface FakeBotConnector {
  /** Use as the activity's serviceUrl. */
  url: string;
  calls: ConnectorCall[];
  /** Calls that succeeded (2xx), in order. */
  delivered(kind?: ConnectorCallKind): ConnectorCall[];
  addFault(fault: ConnectorFault): void;
  /** A member of every conversation, as GET /v3/conversations/{id}/members/{userId} returns it (Teams: aadObjectId, userPrincipalName, email). */
  setMember(account: { id: string } & Record<string, unknown>): void;
  /** Resolves when `predicate` holds for the calls so far (polling; rejects after `timeoutMs`). */
  waitFor(predicate: (calls: ConnectorCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The error bodies the real service sends (ErrorResponse { error: { code, message } }). */
export const CONNECTOR_ERRORS = {
  notInRoster: { error: { code: "BotNotInConversationRoster", message: "The bot is not part of the conversation roster." } },
  throttled: { error: { code: "Throttled", message: "Too many requests" } },
  preconditionFailed: { error: { code: "PreconditionFailed", message: "Precondition failed, please try again" } },
  badGateway: { error: { code: "ServiceError", message: "Bad gateway" } },
} as const;

const ROUTE = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?$/;
const MEMBER_ROUTE = /^\/v3\/conversations\/([^/]+)\/members\/([^/?]+)$/;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const faults: ConnectorFault[] = [];
  const members = new Map<string, Record<string, unknown>>();
  let nextId = 1;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      // GetConversationMember: a TeamsChannelAccount (id, name, aadObjectId, userPrincipalName, email), or 404.
      const member = req.method === "GET" ? MEMBER_ROUTE.exec(url.pathname) : null;
      if (member) {
        const account = members.get(decodeURIComponent(member[2] as string));
        if (account) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(account));
        else
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "MemberNotFoundInConversation", message: "The member was not found." } }));
        return;
      }
      const match = ROUTE.exec(url.pathname);
      const method = req.method ?? "GET";
      if (!match || !(method === "POST" || method === "PUT")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "NotFound", message: `no route ${method} ${url.pathname}` } }));
        return;
      }
      const conversationId = decodeURIComponent(match[1] as string);
      const activityId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      const kind: ConnectorCallKind = method === "PUT" ? "update" : activityId === undefined ? "send" : "reply";
      const activity = await readJson(req);
      const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
      const call: ConnectorCall = { kind, method, path: url.pathname, conversationId, activityId, id: undefined, status: 200, authorization, activity, at: Date.now() };
      calls.push(call);

      const fault = faults.find((f) => (f.kind === undefined || f.kind === kind) && (f.conversationId === undefined || f.conversationId === conversationId) && (f.times ?? 1) > 0);
      if (fault) {
        if (fault.times !== undefined) fault.times--;
        call.status = fault.status;
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers }).end(JSON.stringify(fault.body ?? { error: { code: "Fault", message: "injected" } }));
        return;
      }
      const id = kind === "update" ? (activityId as string) : `activity-${nextId++}`;
      call.id = id;
      call.status = kind === "update" ? 200 : 201;
      res.writeHead(call.status, { "content-type": "application/json" }).end(JSON.stringify({ id }));
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    delivered: (kind) => calls.filter((c) => c.status < 300 && (kind === undefined || c.kind === kind)),
    addFault: (fault) => faults.push({ ...fault }),
    setMember: (account) => {
      members.set(String(account.id), { ...account });
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline)
          throw new Error(`fake connector: condition not met in ${timeoutMs} ms; calls: ${JSON.stringify(calls.map((c) => [c.kind, c.status, c.conversationId]))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A fake Azure OpenAI data plane on loopback speaking the Chat Completions wire format the
 * official `openai` package's AzureOpenAI client uses: POST
 * /openai/deployments/<deployment>/chat/completions?api-version=…, `api-key` or bearer auth.
 * Answers are scripted per call: a tool call (finish_reason "tool_calls", with Azure's
 * prompt_filter_results / content_filter_results), plain text, a completion stopped by the
 * content filter (finish_reason "content_filter"), a prompt refused by it (HTTP 400, error code
 * "content_filter", innererror ResponsibleAIPolicyViolation), a 429 with retry-after(-ms), a
 * delay, or any raw body. It records every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeAnswer =
  | { kind: "tool"; name: string; arguments: string }
  | { kind: "text"; content: string }
  | { kind: "filtered-completion" }
  | { kind: "filtered-prompt" }
  | { kind: "throttled"; retryAfter?: string; retryAfterMs?: string }
  | { kind: "raw"; status: number; body: string };

export interface FakeOpenAiCall {
  path: string;
  apiVersion: string | null;
  apiKey: string | undefined;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeOpenAi {
  /** https-less loopback endpoint, as GPUOPS_READER_ENDPOINT takes it. */
  endpoint: string;
  calls: FakeOpenAiCall[];
  /** Queues answers for the next calls, in order; `delayMs` holds each one back that long. */
  answer(...answers: Array<FakeAnswer & { delayMs?: number }>): void;
  close(): Promise<void>;
}

/** A fixed instant: the fake never reads the clock. */
const CREATED = 1_764_756_000;
const SAFE = { filtered: false, severity: "safe" };
const FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER = [{ prompt_index: 0, content_filter_results: { ...FILTER_RESULTS, jailbreak: { filtered: false, detected: false } } }];

function completion(choice: Record<string, unknown>): Record<string, unknown> {
  return {
    choices: [{ content_filter_results: FILTER_RESULTS, index: 0, logprobs: null, ...choice }],
    created: CREATED,
    id: "chatcmpl-fake0001",
    model: "gpt-4o-mini-2024-07-18",
    object: "chat.completion",
    prompt_filter_results: PROMPT_FILTER,
    system_fingerprint: "fp_fake",
    usage: { completion_tokens: 18, prompt_tokens: 412, total_tokens: 430 },
  };
}

function render(a: FakeAnswer): { status: number; headers: Record<string, string>; body: string } {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: JSON.stringify(body) });
  switch (a.kind) {
    case "tool":
      return json(
        200,
        completion({
          finish_reason: "tool_calls",
          message: {
            content: null,
            refusal: null,
            role: "assistant",
            tool_calls: [{ function: { arguments: a.arguments, name: a.name }, id: "call_fake0001", type: "function" }],
          },
        }),
      );
    case "text":
      return json(200, completion({ finish_reason: "stop", message: { content: a.content, refusal: null, role: "assistant" } }));
    case "filtered-completion":
      return json(
        200,
        completion({
          finish_reason: "content_filter",
          message: { content: null, refusal: null, role: "assistant" },
          content_filter_results: { ...FILTER_RESULTS, violence: { filtered: true, severity: "medium" } },
        }),
      );
    case "filtered-prompt":
      return json(400, {
        error: {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          type: null,
          param: "prompt",
          code: "content_filter",
          status: 400,
          innererror: { code: "ResponsibleAIPolicyViolation", content_filter_result: { ...FILTER_RESULTS, violence: { filtered: true, severity: "high" } } },
        },
      });
    case "throttled": {
      const headers: Record<string, string> = {};
      if (a.retryAfter !== undefined) headers["retry-after"] = a.retryAfter;
      if (a.retryAfterMs !== undefined) headers["retry-after-ms"] = a.retryAfterMs;
      return json(
        429,
        {
          error: {
            code: "429",
            message: `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${a.retryAfter ?? "1"} seconds.`,
          },
        },
        headers,
      );
    }
    case "raw":
      return { status: a.status, headers: {}, body: a.body };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const calls: FakeOpenAiCall[] = [];
  const queue: Array<FakeAnswer & { delayMs?: number }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = await readBody(req);
      const header = (n: string) => (typeof req.headers[n] === "string" ? (req.headers[n] as string) : undefined);
      if (req.method !== "POST" || !/^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(url.pathname)) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "404", message: "Resource not found" } }));
        return;
      }
      if (!header("api-key") && !header("authorization")?.startsWith("Bearer ")) {
        res
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." } }));
        return;
      }
      calls.push({
        path: url.pathname,
        apiVersion: url.searchParams.get("api-version"),
        apiKey: header("api-key"),
        authorization: header("authorization"),
        body: JSON.parse(text),
      });
      const next = queue.shift() ?? { kind: "text", content: "I can only answer with a tool." };
      if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
      const out = render(next);
      if (res.destroyed) return;
      res.writeHead(out.status, { "content-type": "application/json", "apim-request-id": "fake-0001", ...out.headers }).end(out.body);
    })();
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    answer: (...answers) => {
      queue.push(...answers);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs per-region/per-subscription work, keeping what succeeded and saying what did not, and keeps
 * every command inside its deadline: past it, lookups still out count as failed ("too slow") so
 * the answer shows what arrived; if even that cannot be put together in time, the answer names the
 * sources that were still being waited for. A command never leaves a person waiting forever.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { asGpuopsError, GpuopsError } from "../errors.ts";
import { type Reply, reply, text } from "../reply/reply.ts";
import type { Services } from "../services/ports.ts";
import type { CommandContext } from "./types.ts";

export interface Gathered<K, T> {
  ok: Array<{ key: K; value: T }>;
  failed: Array<{ key: K; error: GpuopsError }>;
}

/** The running command's deadline, seen by every gather() inside it without being passed down. */
interface Deadline {
  signal: AbortSignal;
  ms: number;
}
const current = new AsyncLocalStorage<Deadline>();

function tooSlow(ms: number): GpuopsError {
  return new GpuopsError("azure_unavailable", `too slow: no answer within ${formatSeconds(ms)}`, { context: { deadlineMs: ms } });
}

const formatSeconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Settles when `work` does, or fails as "too slow" when the command's deadline passes first. */
function withinDeadline<T>(work: Promise<T>, deadline: Deadline | undefined): Promise<T> {
  if (!deadline) return work;
  if (deadline.signal.aborted) return Promise.reject(tooSlow(deadline.ms));
  return new Promise<T>((resolve, reject) => {
    const give = () => reject(tooSlow(deadline.ms));
    deadline.signal.addEventListener("abort", give, { once: true });
    work.then(resolve, reject).finally(() => deadline.signal.removeEventListener("abort", give));
  });
}

export async function gather<K, T>(keys: K[], work: (key: K) => Promise<T>): Promise<Gathered<K, T>> {
  const deadline = current.getStore();
  const settled = await Promise.allSettled(
    keys.map((k) =>
      withinDeadline(
        Promise.resolve().then(() => work(k)),
        deadline,
      ),
    ),
  );
  const out: Gathered<K, T> = { ok: [], failed: [] };
  settled.forEach((s, i) => {
    const key = keys[i] as K;
    if (s.status === "fulfilled") out.ok.push({ key, value: s.value });
    else out.failed.push({ key, error: asGpuopsError(s.reason) });
  });
  return out;
}

/** Context lines for what is missing, and the outcome the whole answer deserves. */
export function partialNotes<K>(g: Gathered<K, unknown>, label: (k: K) => string): { notes: string[]; outcome: "ok" | "partial" | "azure_error" } {
  if (g.failed.length === 0) return { notes: [], outcome: "ok" };
  const notes = [`Partial answer: ${g.failed.length} of ${g.failed.length + g.ok.length} lookups failed.`, ...g.failed.map((f) => `Missing ${label(f.key)}: ${f.error.message}`)];
  return { notes, outcome: g.ok.length === 0 ? "azure_error" : "partial" };
}

/** How people know each port: the source a slow answer was waiting for. */
const SOURCE_NAMES: ReadonlyMap<string, string> = new Map([
  ["scope", "the subscription list"],
  ["skus", "Azure Resource SKUs"],
  ["usages", "Azure quota (Compute usages)"],
  ["fleet", "Azure Resource Graph (the GPU fleet)"],
  ["prices", "Azure Retail Prices"],
  ["cost", "Azure Cost Management"],
  ["charts", "the chart renderer"],
  ["subscriptions", "the store (subscriptions)"],
  ["status", "the store (status)"],
  ["utilization", "GPU telemetry"],
  ["requests", "the store (GPU requests)"],
]);

export const sourceName = (port: string): string => SOURCE_NAMES.get(port) ?? port;

/** Services that remember which port calls are still out, so a late answer can name them. */
function tracked(services: Services, pending: Map<number, string>): Services {
  let seq = 0;
  const wrapPort = (port: string, impl: object): object =>
    new Proxy(impl, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const id = ++seq;
          pending.set(id, port);
          let out: unknown;
          try {
            out = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (err) {
            pending.delete(id);
            throw err;
          }
          if (out instanceof Promise) return out.finally(() => pending.delete(id));
          pending.delete(id);
          return out;
        };
      },
    });
  const wrapped: Record<string, unknown> = {};
  for (const [port, impl] of Object.entries(services)) wrapped[port] = impl && typeof impl === "object" ? wrapPort(port, impl) : impl;
  return wrapped as unknown as Services;
}

/** Time after the deadline for a verb to put together what arrived before the answer is cut short. */
const GRACE_MS = 2_000;

/**
 * Runs one command inside its deadline. At the deadline, lookups still out are given up on (their
 * verbs answer "partial"); if the verb still has not answered `GRACE_MS` later, the answer says
 * which sources were too slow. The work itself is not cancelled: each Azure call has its own
 * per-try timeout and ends on its own, so a verb that changes something (`changesState`) says
 * its change may still land and where to check.
 */
export async function answerWithin(
  ctx: CommandContext,
  run: (ctx: CommandContext) => Promise<Reply>,
  opts: { changesState?: boolean; verb?: string | undefined } = {},
): Promise<Reply> {
  const ms = ctx.settings.commandDeadlineMs;
  if (ms === undefined || ms <= 0) return run(ctx);
  const pending = new Map<number, string>();
  const controller = new AbortController();
  const deadline: Deadline = { signal: controller.signal, ms };
  const inner: CommandContext = { ...ctx, services: tracked(ctx.services, pending) };
  let soft: ReturnType<typeof setTimeout> | undefined;
  let hard: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Reply>((resolve) => {
    soft = setTimeout(() => {
      controller.abort();
      hard = setTimeout(() => resolve(tooSlowReply(ms, [...new Set(pending.values())], opts)), GRACE_MS);
    }, ms);
  });
  try {
    return await Promise.race([current.run(deadline, () => run(inner)), late]);
  } finally {
    clearTimeout(soft);
    clearTimeout(hard);
  }
}

/** The answer when nothing usable arrived in time: which sources were still being waited for. */
export function tooSlowReply(ms: number, ports: string[], opts: { changesState?: boolean; verb?: string | undefined } = {}): Reply {
  const names = ports.map(sourceName);
  const what = names.length ? names.join(", ") : "Azure";
  // The work is not cancelled: a change may still be recorded after this answer, so say where to look.
  const after = opts.changesState
    ? ` What you asked for may still go through: look at \`${opts.verb === "request" ? "requests" : "status"}\` in a minute before asking again.`
    : " Try again in a minute, or ask `status`.";
  return reply("Partial answer: too slow", [text(`No answer within ${formatSeconds(ms)} from ${what}, so there is nothing to show yet.${after}`, "warning")], {
    context: [`Too slow: ${what}.`],
    outcome: "partial",
    code: "too_slow",
  });
}

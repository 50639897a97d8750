/**
 * The router: the one entry point every door calls, for typed text and for button clicks. The
 * app builds one (src/app.ts) from the verb table and the action handlers of its features and
 * hands it to the doors; nothing registers itself on import, so two apps in one process (tests)
 * never share a handler or its dependencies.
 *
 * Every answer leaves here carrying the verb that answered it and whether it may be shared, so
 * doors, metrics and the CLI read those instead of parsing the text again.
 *
 * @example
 * const router = createRouter({ actions: idle.handlers });
 * const reply = await router.run({ text: "skus eastus a100", actor, channel, surface: "cli" }, ctx);
 */
import { z } from "zod";
import { type Action, type Reply, userError } from "../reply/reply.ts";
import { type ActionHandler, type ActionRequest, type ActionResult, type AnyActionHandler, action, dispatchAction } from "./actions.ts";
import { helpVerb } from "./help.ts";
import { IDLE_ACTIONS } from "./idle.ts";
import { answerWithin } from "./partial.ts";
import { plainWordActions } from "./plain-words.ts";
import { answer, BUILTIN_VERBS, DEMO_NOTICE, resolveVerbName, runTyped, understoodVerbName, verbTable } from "./registry.ts";
import { requestActions } from "./request.ts";
import { commandActions, shareButtonFor } from "./share.ts";
import { showRowsAction } from "./show-rows.ts";
import type { CommandContext, CommandRequest, Verb } from "./types.ts";

export interface Router {
  /** Answers any text (typed command or plain words); the Reply carries `verb` and `shareable`. */
  run(request: CommandRequest, ctx: CommandContext): Promise<Reply>;
  /** Runs a button click: validated against its handler's schema; failures become answers. */
  runAction(request: ActionRequest, ctx: CommandContext): Promise<ActionResult>;
  /** The verbs in `help` order. */
  verbs(): readonly Verb[];
  /** The verb a typed text names (aliases included; "" is help), or undefined (free question / unknown). */
  resolveVerbName(text: string): string | undefined;
  /**
   * The verb a text would run before it runs: typed, else a read-only plain-words reading. For
   * callers that prepare resources by verb (the CLI); an answer's own verb is on the Reply.
   */
  verbFor(text: string): Verb | undefined;
  /** The "Share in channel" button for a private answer to `text`, when it may be shared. */
  shareButtonFor(reply: Reply, text: string): Action | undefined;
  /** Adds (or replaces) a button handler on this router only: a door's own buttons, tests. */
  addAction<P>(handler: ActionHandler<P>): void;
}

export interface RouterOptions {
  /** The verbs (default: every built-in one); `help` is added last when missing. */
  verbs?: readonly Verb[];
  /** Buttons beyond the built-in ones (share, ask, plain words, GPU requests): idle alerts, tests. */
  actions?: readonly AnyActionHandler[];
}

export function createRouter(opts: RouterOptions = {}): Router {
  const list: Verb[] = [...(opts.verbs ?? BUILTIN_VERBS)];
  if (!list.some((v) => v.name === "help")) list.push(helpVerb(() => list));
  const table = verbTable(list);
  const handlers = new Map<string, AnyActionHandler>();
  const typed = (request: CommandRequest, ctx: CommandContext) => runTyped(table, request, ctx);
  const builtIn = [...commandActions(run), ...plainWordActions(typed), ...requestActions(), showRowsAction as AnyActionHandler, ...idleButtonsWithoutStore()];
  for (const h of [...builtIn, ...(opts.actions ?? [])]) handlers.set(h.verb, h);

  function run(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
    const done = ctx.observe?.(request);
    const work = dispatch(request, ctx);
    if (done) void work.then(done, () => done(undefined));
    return work;
  }

  /** The copies handed out, per answer: a memoised answer gets the same copy back, so what doors keep by answer (its rendering, its share id) is found again. */
  const copies = new WeakMap<Reply, Map<string, Reply>>();

  async function dispatch(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
    const verbName = resolveVerbName(table, request.text) ?? understoodVerbName(request.text);
    const verb = verbName === undefined ? undefined : table.get(verbName);
    // Every verb answers within the deadline; one that changes something says its change may still land.
    const reply = await answerWithin(ctx, (c) => answer(table, request, c), { changesState: verb?.shareable === false, verb: verbName });
    const usesAzure = verb ? verb.usesAzure !== false : false;
    const demoNote = ctx.settings.demo && usesAzure && reply.outcome !== "user_error" && !reply.context.includes(DEMO_NOTICE);
    // A copy: a verb may hand back a shared answer (a constant "no store here", a memoised one).
    const key = `${verbName ?? ""}|${demoNote}`;
    const known = copies.get(reply)?.get(key);
    if (known) return known;
    const copy: Reply = {
      ...reply,
      context: demoNote ? [...reply.context, DEMO_NOTICE] : reply.context,
      ...(verbName !== undefined ? { verb: verbName } : {}),
      shareable: verb?.shareable !== false,
    };
    let forReply = copies.get(reply);
    if (!forReply) {
      forReply = new Map();
      copies.set(reply, forReply);
    }
    forReply.set(key, copy);
    return copy;
  }

  const verbFor = (text: string) => {
    const name = resolveVerbName(table, text) ?? understoodVerbName(text);
    return name === undefined ? undefined : table.get(name);
  };

  return {
    run,
    runAction: (request, ctx) => dispatchAction(handlers, request, ctx),
    verbs: () => table.list,
    resolveVerbName: (text) => resolveVerbName(table, text),
    verbFor,
    shareButtonFor: (reply, text) => shareButtonFor(reply, text, (command) => table.get(resolveVerbName(table, command) ?? "")?.shareable !== false),
    addAction(handler) {
      handlers.set(handler.verb, action(handler));
    },
  };
}

/** Idle alert buttons where the app has no store (the one-shot CLI): the app's own handlers replace these. */
function idleButtonsWithoutStore(): AnyActionHandler[] {
  const unavailable = async (): Promise<ActionResult> => ({
    ephemeral: userError("alerts_unavailable", "Idle alert buttons need the gpuops server and its store; this gpuops has none, so nothing was done."),
  });
  return Object.values(IDLE_ACTIONS).map((verb) => action({ verb, schema: z.unknown(), run: unavailable }));
}

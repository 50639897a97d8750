/**
 * `/gpu <command…> [public]`. The ack always goes back inside Slack's 3 s (platform-facts B/S1):
 * the command runs against a deadline; an answer ready in time is the ack itself, a slower one
 * acks "working on it…" and replaces it through response_url. Nothing on this path calls the
 * Slack Web API. Answers are private with a "Share in channel" button unless `public` is said.
 */
import type { App, RespondArguments } from "@slack/bolt";
import { shareButtonFor } from "../../commands/share.ts";
import { buttonsStillKept } from "../../commands/show-rows.ts";
import type { CommandRequest } from "../../commands/types.ts";
import { renderedOnce } from "../../render/rendered-once.ts";
import { unescapeSlackText } from "../../render/slack.ts";
import { type Reply, userError } from "../../reply/reply.ts";
import type { DoorDeps } from "./door-deps.ts";
import { renderSlackAnswer } from "./long-lists.ts";

/** Splits a trailing `public` (or `--public`) off the command text. */
export function parseVisibility(raw: string): { text: string; isPublic: boolean } {
  const text = raw.trim();
  const m = /^(.*\S)\s+(?:--)?public$/is.exec(text);
  if (m?.[1]) return { text: m[1], isPublic: true };
  return { text, isPublic: false };
}

/** Resolves with the value if it comes within `ms`, else with undefined (the work goes on). */
export function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The response body for a command answer (ack or response_url). */
export function commandResponse(reply: Reply, text: string, isPublic: boolean): RespondArguments & { response_type: "in_channel" | "ephemeral" } {
  const share = isPublic ? undefined : shareButtonFor(reply, text);
  // The share button's answer id is part of the key (once the shared copy expires, a new id means a
  // new rendering); a "Show all rows" button's kept answer is checked before a rendering is reused.
  return renderedOnce(
    reply,
    `slack-command|${isPublic}|${share?.payload.answer}|${share?.payload.command}`,
    () => {
      // A public answer's charts are uploaded to the channel after it; a private one's cannot be.
      const m = renderSlackAnswer(reply, { ...(share ? { extraActions: [share] } : {}), chartUploads: isPublic });
      return { response_type: isPublic ? "in_channel" : "ephemeral", text: m.text, blocks: m.blocks };
    },
    () => buttonsStillKept(reply),
  );
}

/** Ack bodies as JSON text, by body: a kept rendering is serialised once (Bolt would stringify it on every ack). */
const serialised = new WeakMap<object, string>();

function commandResponseJson(reply: Reply, text: string, isPublic: boolean): string {
  const body = commandResponse(reply, text, isPublic);
  let json = serialised.get(body);
  if (json === undefined) {
    json = JSON.stringify(body);
    serialised.set(body, json);
  }
  return json;
}

/** Where the ack goes over HTTP (the receiver passes it in the context); absent over Socket Mode. */
export const HTTP_RESPONSE = "gpuopsHttpResponse";

const WORKING = "Working on it… asking Azure; the answer will replace this message.";

export function registerSlashCommand(bolt: App, deps: DoorDeps): void {
  bolt.command(/^\/[\w-]+$/, async ({ command, ack, respond, context }) => {
    const started = deps.now();
    const { text, isPublic } = parseVisibility(unescapeSlackText(command.text ?? ""));
    const request: CommandRequest = {
      text,
      actor: { id: command.user_id, name: command.user_name },
      channel: { id: command.channel_id, platform: "slack" },
      surface: "slack",
    };
    // Bindings per line, not a child logger: a child costs on every command, most of which log nothing.
    const who = { slack: { user: command.user_id, channel: command.channel_id } };
    const log = deps.log;
    const work = deps.router.run(request, deps.context()).catch((err: unknown) => {
      log.error({ ...who, err }, "slash command failed");
      return userError("internal", "Something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
    });
    const timely = await within(work, deps.ackDeadlineMs);
    const uploadCharts = (reply: Reply) => {
      if (isPublic && reply.parts.some((p) => p.kind === "image")) deps.track(deps.posting.uploadCharts(command.channel_id, reply));
    };
    if (timely) {
      const http = context[HTTP_RESPONSE] as { setHeader(name: string, value: string): void } | undefined;
      if (http) {
        // Over HTTP the ack is sent as JSON text Bolt passes through; it needs its content type said here.
        http.setHeader("Content-Type", "application/json");
        await ack(commandResponseJson(timely, text, isPublic));
      } else await ack(commandResponse(timely, text, isPublic));
      uploadCharts(timely);
      log.debug({ ...who, ms: deps.now() - started, outcome: timely.outcome }, "slash command answered in the ack");
      return;
    }
    await ack({ response_type: isPublic ? "in_channel" : "ephemeral", text: WORKING });
    deps.track(
      work.then(async (reply) => {
        try {
          await respond({ ...commandResponse(reply, text, isPublic), replace_original: true });
          uploadCharts(reply);
          log.debug({ ...who, ms: deps.now() - started, outcome: reply.outcome }, "slash command answered via response_url");
        } catch (err) {
          log.warn({ ...who, err }, "could not deliver a slow answer through response_url");
        }
      }),
    );
  });
}

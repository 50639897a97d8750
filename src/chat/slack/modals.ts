/**
 * Modals: a button verb can open a form instead of running at once (the GPU request form).
 * The form opens with views.open inside the trigger's 3-second window;
 * its submission comes back as the same verb through the core action router, with the button's
 * payload plus the form's values, validated by that action's schema.
 *
 * @example
 * door.onModal("request", (payload) => ({ title: "Request GPUs", submit: "Send", blocks: [...inputBlocks] }));
 */
import type { KnownBlock, ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { GpuopsError } from "../../errors.ts";

/** A trigger_id is good for 3 s; leave a margin for the views.open round trip. */
export const TRIGGER_WINDOW_MS = 2500;

export interface ModalSpec {
  /** Modal title (Slack allows 24 characters). */
  title: string;
  /** Submit button label. */
  submit: string;
  /** Input blocks (Block Kit JSON); their action_ids become the keys of the submitted values. */
  blocks: KnownBlock[];
}

/** Builds the form for a click: the button payload (ids) and who clicked where. */
export type ModalBuilder = (payload: Record<string, string | number>, where: { userId: string; channelId: string | undefined }) => ModalSpec | Promise<ModalSpec>;

/** What travels in private_metadata: the button payload and the channel to answer in. */
export const modalMetadata = z.object({
  payload: z.record(z.string(), z.union([z.string().max(500), z.number()])),
  channelId: z.string().max(40).optional(),
});
export type ModalMetadata = z.infer<typeof modalMetadata>;

export const MODAL_CALLBACK_PREFIX = "gpuops:";

const cut = (s: string, n: number) => ([...s].length <= n ? s : `${[...s].slice(0, n - 1).join("")}…`);

/** The views.open view for a verb's form. */
export function modalView(verb: string, spec: ModalSpec, meta: ModalMetadata): ModalView {
  const privateMetadata = JSON.stringify(meta);
  if (privateMetadata.length > 3000) throw new GpuopsError("internal", "Form metadata too large for Slack (3,000 characters).");
  return {
    type: "modal",
    callback_id: `${MODAL_CALLBACK_PREFIX}${verb}`,
    private_metadata: privateMetadata,
    title: { type: "plain_text", text: cut(spec.title, 24) },
    submit: { type: "plain_text", text: cut(spec.submit, 24) },
    close: { type: "plain_text", text: "Cancel" },
    blocks: spec.blocks.slice(0, 100),
  };
}

/**
 * Opens a modal with views.open if the trigger is still fresh. A late trigger would be refused
 * by Slack anyway (expired_trigger_id); saying so here gives the user a clear "click again".
 */
export async function openModal(client: WebClient, opts: { triggerId: string; receivedAt: number; view: ModalView; now?: () => number }): Promise<string | undefined> {
  const age = (opts.now ?? Date.now)() - opts.receivedAt;
  if (age > TRIGGER_WINDOW_MS) {
    throw new GpuopsError("chat_unavailable", "The form could not be opened in time; please click the button again.", { context: { ageMs: age } });
  }
  const r = await client.views.open({ trigger_id: opts.triggerId, view: opts.view });
  return r.view?.id;
}

interface StateValue {
  type?: string;
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_date?: string | null;
  selected_time?: string | null;
  selected_user?: string | null;
  selected_channel?: string | null;
  selected_conversation?: string | null;
}

/** A submitted form's state as `{ action_id: value }` (strings; the action's schema coerces and validates). */
export function formValues(state: { values?: Record<string, Record<string, StateValue>> } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of Object.values(state?.values ?? {})) {
    for (const [actionId, v] of Object.entries(block)) {
      const value = v.value ?? v.selected_option?.value ?? v.selected_date ?? v.selected_time ?? v.selected_user ?? v.selected_channel ?? v.selected_conversation ?? undefined;
      if (typeof value === "string") out[actionId] = value;
    }
  }
  return out;
}

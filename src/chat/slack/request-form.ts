/**
 * Slack forms for GPU requests (modals, opened with views.open inside the trigger window by the
 * door): the request form (the same fields as the typed command, plus an optional cost-center
 * tag), and the reason boxes for Deny and Deny extension. Their submissions come back through the
 * core action router as the button's verb with the form values next to the button's ids.
 *
 * Also the Slack user-group directory for approver lists: an entry "S…" is a user group, and a
 * clicker is an approver when usergroups.users.list has them (cached briefly).
 */
import type { InputBlock, PlainTextElement, PlainTextInput } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { LRUCache } from "lru-cache";
import { GpuopsError } from "../../errors.ts";
import type { GroupDirectory } from "../../services/ports.ts";
import type { ModalBuilder, ModalSpec } from "./modals.ts";
import { missingScopeReason } from "./web-client.ts";

const plain = (text: string): PlainTextElement => ({ type: "plain_text", text });

function input(
  actionId: string,
  label: string,
  opts: { placeholder?: string; multiline?: boolean; optional?: boolean; initial?: string; hint?: string; max?: number } = {},
): InputBlock {
  const element: PlainTextInput = { type: "plain_text_input", action_id: actionId };
  if (opts.placeholder) element.placeholder = plain(opts.placeholder);
  if (opts.multiline) element.multiline = true;
  if (opts.initial) element.initial_value = opts.initial;
  if (opts.max) element.max_length = opts.max;
  const block: InputBlock = { type: "input", block_id: `b_${actionId}`, label: plain(label), element, optional: opts.optional === true };
  if (opts.hint) block.hint = plain(opts.hint);
  return block;
}

/** The GPU request form: count, size or GPU, region, duration, reason, cost center. */
export function requestModal(): ModalSpec {
  return {
    title: "Request GPUs",
    submit: "Check",
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: "You will see the pre-check (offered? quota? cost? approvals) before anything is sent to approvers." } },
      input("count", "How many", { placeholder: "2", hint: "VMs for a size, GPUs for a GPU model", max: 4 }),
      input("size", "Size or GPU", { placeholder: "NC24ads_A100_v4 or a100", max: 80 }),
      input("region", "Region", { placeholder: "swedencentral", max: 60 }),
      input("duration", "For how long", { placeholder: "3d, 12h, 1w", max: 40 }),
      input("reason", "Why", { placeholder: "What the GPUs are for", multiline: true, max: 1000 }),
      input("costCenter", "Cost center", { placeholder: "ml-research", optional: true, max: 64 }),
    ],
  };
}

/** The reason box for Deny (Slack enforces a non-empty answer; the core checks again). */
export function denyModal(payload: Record<string, string | number>, what: "request" | "extension"): ModalSpec {
  const id = String(payload.id ?? "?");
  return {
    title: what === "request" ? `Deny request #${id}` : "Deny extension",
    submit: "Deny",
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `The requester sees this reason. Request #${id.replace(/[^0-9]/g, "")}.` } },
      input("reason", "Reason", { placeholder: "e.g. use the T4 pool for tests", multiline: true, max: 1000 }),
    ],
  };
}

/** Makes the request, deny and deny-extension buttons open their forms on Slack. */
export function registerSlackRequestForms(door: { onModal(verb: string, build: ModalBuilder): void }): void {
  door.onModal("request.form", () => requestModal());
  door.onModal("request.deny", (payload) => denyModal(payload, "request"));
  door.onModal("request.extend_deny", (payload) => denyModal(payload, "extension"));
}

/** Slack user groups as approver groups: usergroups.users.list, cached for a few minutes. */
export function slackGroupDirectory(client: WebClient, opts: { ttlMs?: number } = {}): GroupDirectory {
  const cache = new LRUCache<string, Set<string>>({ max: 200, ttl: opts.ttlMs ?? 5 * 60_000 });
  return {
    platform: "slack",
    async isMember(userId, groupId) {
      let members = cache.get(groupId);
      if (!members) {
        let r: Awaited<ReturnType<typeof client.usergroups.users.list>>;
        try {
          r = await client.usergroups.users.list({ usergroup: groupId });
        } catch (err) {
          const reason = missingScopeReason(err);
          throw reason
            ? new GpuopsError("chat_unavailable", `Could not read Slack user group ${groupId}: ${reason}.`, { cause: err, context: { slackError: "missing_scope" } })
            : err;
        }
        members = new Set(r.users ?? []);
        cache.set(groupId, members);
      }
      return members.has(userId);
    },
  };
}

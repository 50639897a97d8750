/**
 * Teams forms for GPU requests: Adaptive Cards (1.5) with inputs, returned in the invoke response
 * to the person who clicked (nobody else sees them): the request form (the same fields as the
 * typed command plus an optional cost-center tag) and the reason box for Deny / Deny extension.
 * Their Action.Execute carries the button's verb and ids; Teams adds the input values to the
 * action data, which the door hands to the core action router next to the ids.
 *
 * @example
 * const card = formCardFor({ verb: "request.deny", payload: { id: "12" } }); // reason box, or undefined
 */
import type { ButtonClick } from "./action-data.ts";

type Card = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const filled = (v: unknown) => typeof v === "string" && v.trim().length > 0;

function textInput(id: string, label: string, opts: { placeholder?: string; multiline?: boolean; required?: boolean; max?: number } = {}): Card {
  const input: Card = { type: "Input.Text", id, label, maxLength: opts.max ?? 200 };
  if (opts.placeholder) input.placeholder = opts.placeholder;
  if (opts.multiline) input.isMultiline = true;
  if (opts.required) {
    input.isRequired = true;
    input.errorMessage = `${label} is required`;
  }
  return input;
}

function card(title: string, note: string, inputs: Card[], submit: { title: string; verb: string; payload: Record<string, string | number> }): Card {
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    body: [{ type: "TextBlock", text: title, weight: "Bolder", size: "Medium", wrap: true }, { type: "TextBlock", text: note, wrap: true, isSubtle: true }, ...inputs],
    actions: [{ type: "Action.Execute", title: submit.title, verb: submit.verb, data: { verb: submit.verb, payload: submit.payload } }],
  };
}

/** The GPU request form. */
export function requestFormCard(): Card {
  return card(
    "Request GPUs",
    "You will see the pre-check (offered? quota? cost? approvals) before anything is sent to approvers.",
    [
      textInput("count", "How many (VMs for a size, GPUs for a GPU model)", { placeholder: "2", required: true, max: 4 }),
      textInput("size", "Size or GPU", { placeholder: "NC24ads_A100_v4 or a100", required: true, max: 80 }),
      textInput("region", "Region", { placeholder: "swedencentral", required: true, max: 60 }),
      textInput("duration", "For how long", { placeholder: "3d, 12h, 1w", required: true, max: 40 }),
      textInput("reason", "Why", { placeholder: "What the GPUs are for", multiline: true, required: true, max: 1000 }),
      textInput("costCenter", "Cost center (optional)", { placeholder: "ml-research", max: 64 }),
    ],
    { title: "Check", verb: "request.form", payload: {} },
  );
}

export function denyFormCard(verb: "request.deny" | "request.extend_deny", id: string): Card {
  const what = verb === "request.deny" ? `request #${id}` : `the extension of request #${id}`;
  return card(
    `Deny ${what}`,
    "The requester sees this reason.",
    [textInput("reason", "Reason", { placeholder: "e.g. use the T4 pool for tests", multiline: true, required: true, max: 1000 })],
    {
      title: "Deny",
      verb,
      payload: { id },
    },
  );
}

/**
 * The form a click should open instead of running: when the verb takes typed input and the click
 * carries none yet. Undefined means "run the action" (also for a submitted form).
 */
export function formCardFor(click: ButtonClick): Card | undefined {
  const p = isRecord(click.payload) ? click.payload : {};
  if (click.verb === "request.form" && !filled(p.reason) && !filled(p.size)) return requestFormCard();
  if ((click.verb === "request.deny" || click.verb === "request.extend_deny") && !filled(p.reason) && typeof p.id === "string" && /^\d{1,12}$/.test(p.id)) {
    return denyFormCard(click.verb, p.id);
  }
  return undefined;
}

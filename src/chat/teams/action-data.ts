/**
 * What a card button sends back, read from either path Teams uses: the Universal Actions invoke
 * (`adaptiveCard/action`, value.action.verb + value.action.data) or, from older clients that fall
 * back to Action.Submit, a message whose `value` is the button's data. Both become one
 * { verb, payload } for the core action router, which validates the payload against the verb's
 * schema before anything runs (so nothing here trusts the payload).
 */

export interface ButtonClick {
  verb: string;
  /** Unvalidated: the action router checks it against the verb's schema. */
  payload: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const verbOf = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 && v.length <= 64 ? v : undefined);

/** From an `adaptiveCard/action` invoke value; undefined when it carries no verb. */
export function clickFromInvoke(value: unknown): ButtonClick | undefined {
  const action = isRecord(value) && isRecord(value.action) ? value.action : undefined;
  if (!action) return undefined;
  const data = isRecord(action.data) ? action.data : {};
  const verb = verbOf(action.verb) ?? verbOf(data.verb);
  return verb === undefined ? undefined : { verb, payload: withInputs(data) };
}

/**
 * The button's ids plus the card's input values: Teams puts inputs (Input.Text ids) next to the
 * button's data. Ids win over an input of the same name, so a form cannot rewrite them.
 */
function withInputs(data: Record<string, unknown>): unknown {
  const inputs = Object.fromEntries(Object.entries(data).filter(([k, v]) => k !== "verb" && k !== "payload" && typeof v === "string"));
  const payload = data.payload ?? {};
  return isRecord(payload) && Object.keys(inputs).length > 0 ? { ...inputs, ...payload } : payload;
}

/** From a message's `value` (Action.Submit); undefined for ordinary messages. */
export function clickFromMessageValue(value: unknown): ButtonClick | undefined {
  if (!isRecord(value)) return undefined;
  const verb = verbOf(value.verb);
  return verb === undefined ? undefined : { verb, payload: withInputs(value) };
}

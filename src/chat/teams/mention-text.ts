/**
 * The command text inside a Teams message. In channels and group chats the bot only hears
 * messages that @mention it, and the text then carries the mention as "<at>gpuops</at>" (plus
 * a `mention` entity naming the bot); other people's mentions stay as their plain names. Teams
 * also sends a few HTML entities (&nbsp;, &amp;). What is left goes to the command parser.
 *
 * @example
 * commandText({ text: "<at>gpuops</at> quota&nbsp;westus", mentions: [{ id: "28:bot", text: "<at>gpuops</at>" }], botId: "28:bot" })
 * // → "quota westus"
 */

export interface MentionEntity {
  /** The mentioned account's id (`entity.mentioned.id`). */
  id: string;
  /** The text that stands for the mention in the message (`entity.text`, e.g. "<at>gpuops</at>"). */
  text: string;
}

const ENTITIES: Record<string, string> = { nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };
const AT_TAG = /<at\b[^>]*>([\s\S]*?)<\/at>/gi;
const LEADING_AT_TAG = /^\s*<at\b[^>]*>[\s\S]*?<\/at>/i;

/** Mention entities from an activity's `entities` (anything else is ignored). */
export function mentionEntities(entities: unknown): MentionEntity[] {
  if (!Array.isArray(entities)) return [];
  const out: MentionEntity[] = [];
  for (const e of entities) {
    const m = e as { type?: unknown; text?: unknown; mentioned?: { id?: unknown } };
    if (typeof m?.type === "string" && m.type.toLowerCase() === "mention" && typeof m.text === "string" && typeof m.mentioned?.id === "string") {
      out.push({ id: m.mentioned.id, text: m.text });
    }
  }
  return out;
}

/** Removes the bot's own mention, unwraps other mentions, decodes entities and tidies spaces. */
export function commandText(input: { text: string | undefined; mentions: MentionEntity[]; botId: string | undefined }): string {
  let text = input.text ?? "";
  const own = input.mentions.filter((m) => m.id === input.botId && m.text.length > 0);
  let removed = false;
  for (const m of own) {
    const i = text.indexOf(m.text);
    if (i !== -1) {
      text = `${text.slice(0, i)} ${text.slice(i + m.text.length)}`;
      removed = true;
    }
  }
  // No entity for the bot (some clients omit it): a leading mention is still the bot's.
  if (!removed) text = text.replace(LEADING_AT_TAG, " ");
  text = text.replace(AT_TAG, (_all, name: string) => name);
  text = text.replace(/&(nbsp|amp|lt|gt|quot|apos|#39);/gi, (_all, name: string) => ENTITIES[name.toLowerCase()] ?? "");
  return text.replace(/\s+/g, " ").trim();
}

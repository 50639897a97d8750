/**
 * What a chat message says once the chat client's markup is gone: Slack mentions (`<@U123>`),
 * channel and link markup, Teams `<at>` tags, HTML entities (`&amp;`), emoji (`:tada:` and
 * pictographs), bold/italic/strike/code markers and smart quotes. Pure; never throws.
 *
 * @example
 * cleanChatText("<@U0BOT> *cost* yesterday &amp; by rg :moneybag:") // "cost yesterday & by rg"
 */

/** Longest text understood: a question is a sentence or two. */
const MAX_QUESTION = 500;

const ENTITIES = new Map([
  ["amp", "&"],
  ["lt", "<"],
  ["gt", ">"],
  ["nbsp", " "],
  ["quot", '"'],
  ["apos", "'"],
  ["#39", "'"],
]);

export function cleanChatText(raw: string): string {
  return (
    raw
      .slice(0, MAX_QUESTION * 2)
      // Slack: user/group mentions and specials vanish; channels and links keep their label.
      .replace(/<[@!][^>\s]{1,80}>/g, " ")
      .replace(/<#[A-Z0-9]{1,40}\|([^>]{0,80})>/g, "$1")
      .replace(/<(?:https?|mailto):[^|>\s]{1,400}\|([^>]{0,200})>/g, "$1")
      .replace(/<((?:https?|mailto):[^>\s]{1,400})>/g, "$1")
      // Teams: the bot's <at>name</at> mention.
      .replace(/<at\b[^>]{0,200}>[\s\S]{0,200}?<\/at>/gi, " ")
      .replace(/&(amp|lt|gt|nbsp|quot|apos|#39);/gi, (_all, name: string) => ENTITIES.get(name.toLowerCase()) ?? " ")
      .replace(/:[a-z0-9_+-]{1,40}:/gi, " ")
      .replace(/\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u{FE0F}|\u{200D}/gu, " ")
      .replace(/[‘’`´]/g, "'")
      .replace(/[“”]/g, '"')
      // Formatting markers; underscores only at word edges (sizes carry them inside: NC24ads_A100_v4).
      .replace(/[*~]/g, " ")
      .replace(/(^|\s)_+|_+(?=\s|$)/g, "$1 ")
      .replace(/[\u0000-\u001f\u007f]/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, MAX_QUESTION)
  );
}

/**
 * A rendering kept with the answer it renders. Memoised answers come back as the same object, so
 * a surface that renders them the same way again (same options) gets the same output without
 * rendering again; a fresh answer is a new key and is rendered anew. Renderings are values: the
 * doors send them and never change them.
 */
import type { Reply } from "../reply/reply.ts";

/** Ways one answer is rendered (surfaces × options); more than this means the key is too fine. */
const MAX_PER_ANSWER = 16;
const rendered = new WeakMap<Reply, Map<string, { out: unknown; valid: (() => boolean) | undefined }>>();

/**
 * `render()`'s output for this answer and key, rendered once. `valid` says whether a kept rendering
 * may still be sent (e.g. the kept answer its "Show all" button points at is still kept).
 */
export function renderedOnce<T>(reply: Reply, key: string, render: () => T, valid?: () => boolean): T {
  let forReply = rendered.get(reply);
  const known = forReply?.get(key);
  if (known && (known.valid === undefined || known.valid())) return known.out as T;
  const out = render();
  if (!forReply) {
    forReply = new Map();
    rendered.set(reply, forReply);
  }
  if (forReply.size >= MAX_PER_ANSWER) forReply.clear();
  forReply.set(key, { out, valid });
  return out;
}

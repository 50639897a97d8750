/**
 * A rendering kept with the answer it renders. Memoised answers come back as the same object, so
 * a surface that renders them the same way again (same options) gets the same output without
 * rendering again; a fresh answer is a new key and is rendered anew. Renderings are values: the
 * doors send them and never change them.
 */
import type { Reply } from "../reply/reply.ts";

/** Ways one answer is rendered (surfaces × options); more than this means the key is too fine. */
const MAX_PER_ANSWER = 16;
const rendered = new WeakMap<Reply, Map<string, unknown>>();

export function renderedOnce<T>(reply: Reply, key: string, render: () => T): T {
  let forReply = rendered.get(reply);
  if (forReply?.has(key)) return forReply.get(key) as T;
  const out = render();
  if (!forReply) {
    forReply = new Map();
    rendered.set(reply, forReply);
  }
  if (forReply.size >= MAX_PER_ANSWER) forReply.clear();
  forReply.set(key, out);
  return out;
}

/**
 * What answers kept in memory by id (shared answers, "Show all rows") have in common: an
 * unguessable id, cheap enough to mint on every answer, and a size estimate for the memory bound
 * that does not serialise the answer.
 */
import { randomFillSync } from "node:crypto";
import type { Reply } from "../reply/reply.ts";

const ID_BYTES = 12;
/** Random bytes drawn in bulk: one system call per 341 ids instead of one per id. */
const pool = Buffer.alloc(ID_BYTES * 341);
let next = pool.length;

/** 16 base64url characters, 96 random bits: a button's payload, never guessable from another one. */
export function newAnswerId(): string {
  if (next + ID_BYTES > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const id = pool.toString("base64url", next, next + ID_BYTES);
  next += ID_BYTES;
  return id;
}

/** About the bytes an answer holds (its strings, plus a little per object), for an LRU's size bound. */
export function approxReplyBytes(reply: Reply): number {
  let bytes = reply.title.length + 64;
  let tableBytes = 0;
  for (const c of reply.context) bytes += c.length + 16;
  for (const p of reply.parts) {
    if (p.kind === "text") bytes += p.text.length + 32;
    else if (p.kind === "facts") for (const f of p.facts) bytes += f.label.length + f.value.length + 32;
    else if (p.kind === "table") {
      for (const row of p.rows) for (const k in row) tableBytes += (row[k]?.length ?? 0) + k.length + 16;
      tableBytes += p.columns.length * 64;
    } else bytes += 256;
  }
  // `data` holds the table's rows again, as numbers and records.
  return bytes + tableBytes + (reply.data ? tableBytes + 1024 : 0);
}

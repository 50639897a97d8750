/** Runs per-region/per-subscription work, keeping what succeeded and saying what did not. */
import { asGpuopsError, type GpuopsError } from "../errors.ts";

export interface Gathered<K, T> {
  ok: Array<{ key: K; value: T }>;
  failed: Array<{ key: K; error: GpuopsError }>;
}

export async function gather<K, T>(keys: K[], work: (key: K) => Promise<T>): Promise<Gathered<K, T>> {
  const settled = await Promise.allSettled(keys.map(work));
  const out: Gathered<K, T> = { ok: [], failed: [] };
  settled.forEach((s, i) => {
    const key = keys[i] as K;
    if (s.status === "fulfilled") out.ok.push({ key, value: s.value });
    else out.failed.push({ key, error: asGpuopsError(s.reason) });
  });
  return out;
}

/** Context lines for what is missing, and the outcome the whole answer deserves. */
export function partialNotes<K>(g: Gathered<K, unknown>, label: (k: K) => string): { notes: string[]; outcome: "ok" | "partial" | "azure_error" } {
  if (g.failed.length === 0) return { notes: [], outcome: "ok" };
  const notes = [`Partial answer: ${g.failed.length} of ${g.failed.length + g.ok.length} lookups failed.`, ...g.failed.map((f) => `Missing ${label(f.key)}: ${f.error.message}`)];
  return { notes, outcome: g.ok.length === 0 ? "azure_error" : "partial" };
}

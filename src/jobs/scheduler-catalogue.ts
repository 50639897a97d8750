/**
 * Which jobs the scheduler knows: fixed ones (`every`) and those from sources re-read on a
 * wake-up (digest subscriptions other replicas may change), each compiled once and recompiled
 * only when its schedule changes. A source that fails keeps its last known jobs.
 */
import type { CoreLogger } from "../commands/types.ts";
import { type Compiled, compile } from "./scheduler-slots.ts";
import { errorText, type JobDefinition } from "./scheduler-types.ts";

interface JobCatalogue {
  setFixed(def: JobDefinition): void;
  removeFixed(name: string): void;
  addSource(name: string, provider: () => Promise<JobDefinition[]>): void;
  /** Sources are read again at the next `definitions` (a poke, a start). */
  markDirty(): void;
  /** Every job to look at now, compiled; sources re-read when dirty or after `refreshMs`. */
  definitions(now: Date): Promise<Compiled[]>;
}

export function createJobCatalogue(opts: { refreshMs: number; only?: ((job: string) => boolean) | undefined; log?: CoreLogger | undefined }): JobCatalogue {
  const fixed = new Map<string, JobDefinition>();
  const sources = new Map<string, { provider: () => Promise<JobDefinition[]>; last: JobDefinition[] }>();
  /** When sources were last read; they are read again after refreshMs, or sooner when poked. */
  let sourcesReadAt = Number.NEGATIVE_INFINITY;
  let sourcesDirty = true;
  /** Compiled schedules by job name, rebuilt when a definition's schedule changes. */
  const compiled = new Map<string, { signature: string; c: Compiled }>();

  function compiledFor(def: JobDefinition): Compiled | undefined {
    const sig = JSON.stringify(def.schedule);
    const hit = compiled.get(def.name);
    if (hit && hit.signature === sig) {
      hit.c.def = def;
      return hit.c;
    }
    try {
      const c = compile(def);
      compiled.set(def.name, { signature: sig, c });
      return c;
    } catch (err) {
      opts.log?.error({ job: def.name, err: errorText(err) }, "job has an invalid schedule; it will not run");
      return undefined;
    }
  }

  async function definitions(now: Date): Promise<Compiled[]> {
    const defs: JobDefinition[] = [...fixed.values()];
    const reread = sourcesDirty || now.getTime() - sourcesReadAt >= opts.refreshMs;
    if (reread) {
      sourcesDirty = false;
      sourcesReadAt = now.getTime();
    }
    for (const [name, src] of sources) {
      if (reread) {
        try {
          src.last = await src.provider();
        } catch (err) {
          opts.log?.warn({ source: name, err: errorText(err) }, "job source failed; using its last known jobs");
        }
      }
      defs.push(...src.last);
    }
    const out: Compiled[] = [];
    for (const d of defs) {
      if (opts.only && !opts.only(d.name)) continue;
      const c = compiledFor(d);
      if (c) out.push(c);
    }
    const names = new Set(out.map((c) => c.def.name));
    for (const name of compiled.keys()) if (!names.has(name)) compiled.delete(name);
    return out;
  }

  return {
    setFixed: (def) => fixed.set(def.name, def),
    removeFixed: (name) => fixed.delete(name),
    addSource(name, provider) {
      sources.set(name, { provider, last: [] });
      sourcesDirty = true;
    },
    markDirty() {
      sourcesDirty = true;
    },
    definitions,
  };
}

/**
 * The shared grammar of `skus` and `quota`: an optional region (any spelling) followed by an
 * optional GPU / family / size. Unknown words become a kind error with the nearest valid word.
 */
import { LRUCache } from "lru-cache";
import { type Reply, userError } from "../reply/reply.ts";
import { filterVocabulary, nearest, nearestRegion, resolveSizeFilter, type SizeFilter, takeRegion } from "./args.ts";

/** Regions to ask, the GPU filter, and the words the user wrote for it (for hints such as `where <words>`). */
export type RegionAndFilter = { regions: string[]; filter: SizeFilter | undefined; filterText?: string };

type Parsed = RegionAndFilter | { reply: Reply };

/** Parses by the words asked (a pure function of them): a question asked again is not parsed again. Results are shared: read only. */
const parsed = new LRUCache<string, Parsed>({ max: 500 });

export function parseRegionAndFilter(args: string[], verb: string, defaultRegions: string[]): Parsed {
  const key = `${verb}\u0000${defaultRegions.join(",")}\u0000${args.join("\u0000")}`;
  let known = parsed.get(key);
  if (!known) {
    known = parseFresh(args, verb, defaultRegions);
    parsed.set(key, known);
  }
  return known;
}

function parseFresh(args: string[], verb: string, defaultRegions: string[]): Parsed {
  if (args.length === 0) return { regions: defaultRegions, filter: undefined };
  const whole = args.join(" ");
  const onlyFilter = resolveSizeFilter(whole);
  if (onlyFilter) return { regions: defaultRegions, filter: onlyFilter, filterText: whole };
  const taken = takeRegion(args);
  if (!taken) {
    // The first word is neither a region nor a GPU: say which, with the nearest guess.
    const guess = nearestRegion(args[0] as string);
    const gpuGuess = nearest(args[0] as string, filterVocabulary(), 2);
    const shown = whole.length > 60 ? `${whole.slice(0, 60)}…` : whole;
    const example = `${verb} ${guess ?? "eastus"} ${gpuGuess ?? "a100"}`;
    return {
      reply: userError(
        "unknown_region",
        `I don't know the region or GPU "${shown}". Regions look like eastus or "East US"; GPUs like a100, h100 nvl or a size like NC24ads_A100_v4.${guess ? ` Did you mean ${guess}?` : ""}`,
        example,
      ),
    };
  }
  if (taken.rest.length === 0) return { regions: [taken.region], filter: undefined };
  const rest = taken.rest.join(" ");
  const filter = resolveSizeFilter(rest);
  if (!filter) {
    const guess = nearest(rest.replace(/\s+/g, ""), filterVocabulary(), 3);
    return {
      reply: userError(
        "unknown_gpu",
        `I don't know the GPU, family or size "${rest.length > 60 ? `${rest.slice(0, 60)}…` : rest}".${guess ? ` Did you mean ${guess}?` : " Known GPUs include t4, a10, a100, h100, h100 nvl, h200, mi300x."}`,
        `${verb} ${taken.region} ${guess ?? "a100"}`,
      ),
    };
  }
  return { regions: [taken.region], filter, filterText: rest };
}

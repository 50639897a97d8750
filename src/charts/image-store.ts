/**
 * Rendered images (chart PNGs) kept under an unguessable, short-lived id, so a chat message can
 * link them (`GET /charts/<id>.png`) or a renderer can upload the bytes. Held in memory, and in
 * the store when there is one so every replica behind a load balancer can serve them.
 */
import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { CachePort } from "../services/ports.ts";

/** 18 random bytes, base64url: 24 characters, 144 bits. */
export const IMAGE_ID = /^[A-Za-z0-9_-]{24}$/;

export interface ImageStore {
  /** Keeps PNG bytes and returns their new id. */
  put(png: Buffer): Promise<string>;
  /** The bytes, or undefined when the id is unknown, malformed or expired. */
  get(id: string): Promise<Buffer | undefined>;
  readonly ttlSeconds: number;
}

export function createImageStore(opts: { store?: CachePort | undefined; ttlSeconds?: number; now?: () => Date } = {}): ImageStore {
  const ttlSeconds = opts.ttlSeconds ?? 24 * 3600;
  const now = opts.now ?? (() => new Date());
  const memory = new LRUCache<string, Buffer>({ max: 200, ttl: ttlSeconds * 1000 });
  const key = (id: string) => `image:${id}`;
  return {
    ttlSeconds,
    async put(png) {
      const id = randomBytes(18).toString("base64url");
      memory.set(id, png);
      await opts.store?.cachePut(key(id), png.toString("base64"), ttlSeconds, now());
      return id;
    },
    async get(id) {
      if (!IMAGE_ID.test(id)) return undefined;
      const hit = memory.get(id);
      if (hit) return hit;
      const stored = await opts.store?.cacheGet(key(id), now());
      return stored ? Buffer.from(stored, "base64") : undefined;
    },
  };
}

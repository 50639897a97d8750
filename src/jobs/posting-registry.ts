/**
 * The posting ports by platform: digests and alerts find "slack", "teams" or "console" here.
 * Doors register theirs when they are switched on; a platform with no port means that door is off,
 * and a delivery to it fails with that reason instead of vanishing.
 *
 * @example
 * app.posting.register(createSlackPosting({ client, log }));
 * app.posting.get("slack")?.post("C0123", reply);
 */
import type { PostingPort } from "../services/ports.ts";

export interface PostingRegistry {
  /** Adds (or replaces) the port for its platform. */
  register(port: PostingPort): void;
  get(platform: string): PostingPort | undefined;
  platforms(): string[];
}

export function createPostingRegistry(ports: PostingPort[] = [], wrap: (port: PostingPort) => PostingPort = (p) => p): PostingRegistry {
  const byPlatform = new Map<string, PostingPort>();
  const registry: PostingRegistry = {
    register(port) {
      byPlatform.set(port.platform, wrap(port));
    },
    get: (platform) => byPlatform.get(platform),
    platforms: () => [...byPlatform.keys()].sort(),
  };
  for (const p of ports) registry.register(p);
  return registry;
}

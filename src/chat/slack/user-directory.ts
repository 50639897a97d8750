/**
 * Slack user id → the e-mail Slack has for that user (users.info; needs users:read and
 * users:read.email). Slack vouches for both the id on a signed request and the e-mail on the
 * profile, so together they can match a VM's owner tag; a display name never can.
 */
import type { WebClient } from "@slack/web-api";
import { LRUCache } from "lru-cache";
import type { UserDirectoryPort } from "../../services/ports.ts";

/** E-mails change rarely; ten minutes keeps a burst of clicks to one lookup per person. */
const CACHE_MS = 10 * 60 * 1000;

export function slackUserDirectory(client: WebClient, opts: { onError?: (err: unknown) => void } = {}): UserDirectoryPort {
  const cache = new LRUCache<string, { email: string | undefined }>({ max: 5_000, ttl: CACHE_MS });
  return {
    platform: "slack",
    async verifiedEmail(userId) {
      if (!/^[UW][A-Z0-9]{2,30}$/.test(userId)) return undefined;
      const hit = cache.get(userId);
      if (hit) return hit.email;
      try {
        const res = await client.users.info({ user: userId });
        const u = res.user;
        // Deleted users and bots never own anything; an unconfirmed e-mail is not the person's yet.
        const email = u && !u.deleted && !u.is_bot && (u as { is_email_confirmed?: boolean }).is_email_confirmed !== false ? u.profile?.email : undefined;
        cache.set(userId, { email });
        return email;
      } catch (err) {
        opts.onError?.(err);
        return undefined;
      }
    },
  };
}

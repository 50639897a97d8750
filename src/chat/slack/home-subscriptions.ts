/** App Home section listing which Slack channels get the digest or idle alerts. */
import { describeSubscription } from "../../commands/subscribe.ts";
import { table, text } from "../../reply/reply.ts";
import type { SubscriptionPort } from "../../services/ports.ts";
import type { HomeSectionProvider } from "./app-home.ts";

export function subscriptionsHomeSection(subscriptions: SubscriptionPort): HomeSectionProvider {
  return {
    title: "Channel subscriptions",
    async parts() {
      const subs = await subscriptions.list({ platform: "slack" });
      if (subs.length === 0) return [text("No channel subscribes yet. In a channel, type `/gpu subscribe digest` or `/gpu subscribe idle`.")];
      return [
        table(
          [
            { key: "channel", label: "Channel" },
            { key: "gets", label: "Gets" },
          ],
          subs.map((s) => ({ channel: s.channelId, gets: describeSubscription(s) })),
          { narrowHint: "/gpu subscriptions in a channel" },
        ),
      ];
    },
  };
}

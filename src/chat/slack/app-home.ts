/**
 * The App Home tab: what gpuops is, buttons for common questions, how fresh the data is, and
 * sections other features add through `HomeSectionProvider` (the digest feature lists a
 * workspace's channel subscriptions there). An answer to a Home button is shown under the buttons.
 */
import { DEMO_NOTICE } from "../../commands/registry.ts";
import { askButton } from "../../commands/share.ts";
import { renderSlack, SLACK_LIMITS, type SlackBlock } from "../../render/slack.ts";
import { actions, type Part, type Reply, reply, text } from "../../reply/reply.ts";

/**
 * Adds a titled section to App Home for one user, e.g. "Channel subscriptions". Return no parts
 * to show nothing. Called on every app_home_opened, so keep it to one store read.
 */
export interface HomeSectionProvider {
  title: string;
  parts(user: { id: string }): Promise<Part[]> | Part[];
}

export interface HomeSettings {
  demo: boolean;
  regions: string[];
  skuCacheTtlSeconds: number;
}

/** The common questions offered as buttons, using the first configured region. */
export function homeQuestions(regions: string[]): Array<{ label: string; command: string }> {
  const region = regions[0] ?? "eastus";
  return [
    { label: `GPU sizes in ${region}`, command: `skus ${region}` },
    { label: "Where can I get H100s?", command: "where h100" },
    { label: `Quota in ${region}`, command: `quota ${region}` },
    { label: "What is a PTU?", command: "explain PTU" },
    { label: "All commands", command: "help" },
  ];
}

function freshness(s: HomeSettings, now: Date): string[] {
  const hours = Math.round((s.skuCacheTtlSeconds / 3600) * 10) / 10;
  const lines = [
    `GPU size lists are cached for up to ${hours} h; quota and usage are read from Azure on every question.`,
    `This page was updated ${now.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
  ];
  if (s.demo) lines.push(DEMO_NOTICE);
  return lines;
}

/** The Home tab as a Reply (rendered with the 100-block surface limit). */
export function homeReply(s: HomeSettings, now: Date): Reply {
  return reply(
    "gpuops",
    [
      text(
        "Straight answers about GPUs on Azure, right here in Slack: which GPU sizes a region offers, where to find a GPU model, how much quota is left, and what AI-infrastructure terms mean. Type `/gpu help` in any channel; answers are private until you press *Share in channel*.",
      ),
      actions(homeQuestions(s.regions).map((q) => askButton(q.label, q.command))),
    ],
    { context: freshness(s, now) },
  );
}

/** Blocks for views.publish: the Home reply, the added sections, then the latest answer. */
export async function homeBlocks(s: HomeSettings, now: Date, user: { id: string }, providers: HomeSectionProvider[], answer?: Reply): Promise<SlackBlock[]> {
  const max = SLACK_LIMITS.surfaceBlocks;
  const blocks = renderSlack(homeReply(s, now), { maxBlocks: max }).blocks;
  for (const p of providers) {
    const parts = await p.parts(user);
    if (parts.length === 0) continue;
    const room = max - blocks.length - 1 - (answer ? 12 : 0);
    if (room < 3) break;
    blocks.push({ type: "divider" }, ...renderSlack(reply(p.title, parts), { maxBlocks: room }).blocks);
  }
  if (answer) {
    const room = max - blocks.length - 1;
    if (room >= 3) blocks.push({ type: "divider" }, ...renderSlack(answer, { maxBlocks: Math.min(SLACK_LIMITS.messageBlocks, room) }).blocks);
  }
  return blocks;
}

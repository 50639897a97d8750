/**
 * The daily digest's Azure OpenAI section: provisioned (PTU) deployments idle over the last day and
 * what their PTUs cost meanwhile. Nothing to say (no idle PTUs, no port, Azure silent) → no parts,
 * so a GPU-only tenant's digest is unchanged and a failure here never holds the digest back.
 */
import { formatHourly, formatMoney } from "../domain/money.ts";
import { type Part, table, text } from "../reply/reply.ts";
import { count, plural } from "./format.ts";
import { scanProvisioned } from "./openai.ts";
import type { CommandContext } from "./types.ts";

const MAX_ROWS = 8;

export async function openAiDigestParts(ctx: CommandContext, subscriptionIds: readonly string[]): Promise<Part[]> {
  const port = ctx.services.openai;
  if (!port) return [];
  try {
    const inScope = new Set(subscriptionIds.map((s) => s.toLowerCase()));
    const scan = await scanProvisioned(port, ctx);
    if (scan.outcome !== "ok") ctx.log?.warn({ notes: scan.notes.slice(0, 3) }, "digest: Azure OpenAI section incomplete");
    const idle = scan.findings.filter((f) => f.verdict.kind === "idle" && inScope.has(f.deployment.account.subscriptionId.toLowerCase()));
    if (idle.length === 0) return [];
    const currency = idle.find((f) => f.currency)?.currency;
    const perHour = idle.reduce((n, f) => n + (f.perHour ?? 0), 0);
    const ptus = idle.reduce((n, f) => n + (f.deployment.capacity ?? 0), 0);
    const parts: Part[] = [
      text(
        `Azure OpenAI: ${plural(idle.length, "provisioned deployment")} under ${scan.thresholdPercent} % utilisation for ${scan.windowHours} h, holding ${count(ptus)} PTU${currency ? ` (${formatHourly(perHour, currency)}${scan.priceSource ? `, ${scan.priceSource}` : ""})` : ""}.`,
        "warning",
      ),
      table(
        [
          { key: "deployment", label: "PTU deployment", priority: 1, kind: "name" },
          { key: "account", label: "Account", priority: 3, kind: "name" },
          { key: "region", label: "Region", priority: 2, kind: "name" },
          { key: "ptu", label: "PTU", align: "right", priority: 1, kind: "number" },
          { key: "burnt", label: `Burnt (${scan.windowHours} h)`, align: "right", priority: 1, kind: "money" },
        ],
        idle.slice(0, MAX_ROWS).map((f) => ({
          deployment: f.deployment.name,
          account: f.deployment.account.name,
          region: f.deployment.account.region,
          ptu: count(f.deployment.capacity ?? 0),
          burnt: f.burnt !== undefined && f.currency ? formatMoney(f.burnt, f.currency) : "no price",
        })),
        { title: "Idle PTU deployments", narrowHint: "openai idle" },
      ),
    ];
    if (idle.length > MAX_ROWS) parts.push(text(`…and ${idle.length - MAX_ROWS} more: \`openai idle\` lists them all.`));
    return parts;
  } catch (err) {
    ctx.log?.warn({ err }, "digest: Azure OpenAI section skipped");
    return [];
  }
}

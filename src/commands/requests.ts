/**
 * `requests [mine|open|all]` lists GPU requests; `requests export` gives auditors the whole
 * append-only log as CSV: one row per event (created, pre-check, decided, acted, reminded,
 * extended, released, expired, and refused attempts) with the request it belongs to.
 */
import { stringify } from "csv-stringify/sync";
import { OPEN_STATES } from "../domain/gpu-request.ts";
import { type Reply, reply, table, text, userError } from "../reply/reply.ts";
import type { AuditRow, StoredRequest } from "../services/ports.ts";
import { summaryRow } from "./request-card.ts";
import type { Verb } from "./types.ts";

export const EXPORT_COLUMNS = [
  "request_id",
  "event_at",
  "event",
  "actor_id",
  "actor_name",
  "from_state",
  "to_state",
  "detail",
  "requester_id",
  "requester_name",
  "subscription_id",
  "region",
  "size",
  "vm_count",
  "gpus",
  "hours_asked",
  "hours_granted",
  "reason",
  "cost_center",
  "action",
  "current_state",
  "lease_start",
  "lease_end",
  "estimated_cost",
  "currency",
] as const;

/** Spreadsheet formula injection guard: a cell starting with = + - @ is read as text. */
function cell(value: string | number | undefined): string {
  const s = value === undefined ? "" : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** The audit log as CSV (RFC 4180 quoting), header first, oldest event first. */
export function auditCsv(events: AuditRow[], requests: StoredRequest[]): string {
  const byId = new Map(requests.map((s) => [s.request.id, s.request]));
  const rows = events.map((e) => {
    const r = byId.get(e.requestId);
    const values: Record<(typeof EXPORT_COLUMNS)[number], string | number | undefined> = {
      request_id: e.requestId,
      event_at: e.at,
      event: e.kind,
      actor_id: e.actor,
      actor_name: e.actorName,
      from_state: e.from,
      to_state: e.to,
      detail: e.detail,
      requester_id: r?.requester.id,
      requester_name: r?.requester.name,
      subscription_id: r?.spec.subscriptionId,
      region: r?.spec.region,
      size: r?.spec.size,
      vm_count: r?.spec.vmCount,
      gpus: r?.spec.gpus,
      hours_asked: r?.spec.hours,
      hours_granted: r?.decision?.hours,
      reason: r?.spec.reason,
      cost_center: r?.spec.costCenter,
      action: r?.action,
      current_state: r?.state,
      lease_start: r?.lease?.start,
      lease_end: r?.lease?.end,
      estimated_cost: r?.precheck?.estimatedCost ? r.precheck.estimatedCost.amount.toFixed(2) : undefined,
      currency: r?.precheck?.estimatedCost?.currency,
    };
    return EXPORT_COLUMNS.map((c) => cell(values[c]));
  });
  return stringify([[...EXPORT_COLUMNS], ...rows], { record_delimiter: "\n" });
}

const FILTERS = ["mine", "open", "all"] as const;

export const requestsVerb: Verb = {
  name: "requests",
  summary: "GPU requests: yours, the open ones or all; `requests export` is the audit log as CSV",
  usage: "requests [mine|open|all] | requests export",
  examples: ["requests", "requests open", "requests all", "requests export"],
  details: "The export has one row per event of every request (who did what, when, from which state to which), including refused attempts, for auditors.",
  usesAzure: false,
  usesStore: true,
  async run(args, req, ctx) {
    const port = ctx.services.requests;
    if (!port) {
      return userError(
        "requests_unavailable",
        "GPU requests live in the gpuops server's store, which this run has not opened.",
        "npm start, then ask `requests` in chat or the console",
      );
    }
    const head = (args[0] ?? "mine").toLowerCase();
    if (head === "export" || head === "csv") {
      const [events, all] = await Promise.all([port.store.history({}), port.store.list({})]);
      const csv = auditCsv(events, all);
      const answer = reply(`GPU request audit log: ${all.length} request${all.length === 1 ? "" : "s"}, ${events.length} event${events.length === 1 ? "" : "s"}`, [text(csv)], {
        context: ["CSV, one row per event, oldest first. Times are UTC (ISO 8601)."],
      });
      answer.attachment = { filename: "gpu-requests-audit.csv", mimeType: "text/csv", content: csv };
      return answer;
    }
    const filter = FILTERS.find((f) => f === head);
    if (!filter) return userError("bad_filter", `"${head.slice(0, 30)}" is not a list I know: say mine, open, all or export.`, "requests open");
    const listed = await port.store.list({
      ...(filter === "mine" ? { requesterId: req.actor.id } : {}),
      ...(filter === "open" ? { states: [...OPEN_STATES] } : {}),
      limit: 50,
    });
    const title = filter === "mine" ? "Your GPU requests" : filter === "open" ? "Open GPU requests" : "All GPU requests";
    if (listed.length === 0) return reply(title, [text(filter === "mine" ? "You have no GPU requests yet. Try: request 1 a100 in swedencentral for 1d -- <why>" : "None.")]);
    const rows = listed.map((s) => summaryRow(s.request));
    const answer: Reply = reply(
      title,
      [
        table(
          [
            { key: "id", label: "#", priority: 1, kind: "number" },
            { key: "requester", label: "Asked by", priority: 2, kind: "name" },
            { key: "what", label: "What", priority: 1, kind: "text" },
            { key: "where", label: "Region", priority: 2, kind: "name" },
            { key: "duration", label: "For", align: "right", priority: 2, kind: "number" },
            { key: "state", label: "State", priority: 1, kind: "name" },
            { key: "until", label: "Lease until", priority: 3, kind: "date" },
          ],
          rows,
          { narrowHint: "requests open" },
        ),
      ],
      { context: ["Newest first (up to 50). `request show <id>` shows one with its audit log; `requests export` gives the full log as CSV."] },
    );
    return answer;
  },
};

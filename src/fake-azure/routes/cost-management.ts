/**
 * Microsoft.CostManagement `query` at subscription, resource-group and management-group scope,
 * over the demo fleet's daily cost records. Honours `type` (ActualCost / AmortizedCost / Usage),
 * `timeframe` and `timePeriod`, `granularity` (Daily / None), up to two `grouping` clauses
 * (Dimension or TagKey) and a dimension/tag `filter` (and / or / In). Answers in the recorded
 * format (seed/recording-2019-11-01.*): `properties.columns` + `properties.rows`, UsageDate as a
 * Number yyyymmdd, the cost column named after the aggregation's column, numbers such as 1E-06
 * sent as exponent tokens, empty groups as "". Pages with `nextLink` + `$skiptoken` (the client
 * POSTs the same body), sends QPU headers, and answers 429 with
 * `x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after` when the tenant's QPU budget is spent.
 *
 * TagKey grouping answers with `TagKey` and `TagValue` columns (a secondary source; no recording).
 * The ChargeType ("Usage", "Purchase") and PricingModel ("OnDemand", "Reservation", "Spot")
 * dimensions are documented grouping/filter dimensions; no recording shows their rows, so their
 * values follow the documented filter values ("Purchase", "Reservation", "SavingsPlan").
 */
import type { CostRecord, DemoFleet } from "../demo-fleet.ts";
import type { FakeResponse, Route } from "../types.ts";

const GUID = "[0-9a-fA-F-]{36}";
const SCOPE = new RegExp(
  `^/(subscriptions/(${GUID})(?:/resourceGroups/([^/]+))?|providers/Microsoft\\.Management/managementGroups/([^/]+))/providers/Microsoft\\.CostManagement/query$`,
  "i",
);

/** Dimension name (case-insensitive) → how a record answers it. */
const DIMENSIONS: Record<string, { column: string; of: (r: CostRecord, fleet: DemoFleet) => string }> = {
  resourcegroup: { column: "ResourceGroup", of: (r) => r.resourceGroup },
  resourcegroupname: { column: "ResourceGroupName", of: (r) => r.resourceGroup },
  subscriptionid: { column: "SubscriptionId", of: (r) => r.subscriptionId },
  subscriptionname: { column: "SubscriptionName", of: (r, f) => f.subscriptions.find((s) => s.id === r.subscriptionId)?.name ?? "" },
  metercategory: { column: "MeterCategory", of: (r) => r.meterCategory },
  metersubcategory: { column: "MeterSubCategory", of: (r) => r.meterSubCategory },
  meter: { column: "Meter", of: (r) => r.meter },
  resourcelocation: { column: "ResourceLocation", of: (r) => r.resourceLocation },
  resourceid: { column: "ResourceId", of: (r) => r.resourceId },
  servicename: { column: "ServiceName", of: (r) => r.meterCategory },
  chargetype: { column: "ChargeType", of: (r) => r.chargeType },
  pricingmodel: { column: "PricingModel", of: (r) => r.pricingModel },
};

const COST_COLUMNS = new Set(["cost", "pretaxcost", "costusd", "pretaxcostusd"]);

interface Filter {
  and?: Filter[];
  or?: Filter[];
  dimensions?: { name: string; operator: string; values: string[] };
  tags?: { name: string; operator: string; values: string[] };
}

interface QueryBody {
  type?: string;
  timeframe?: string;
  timePeriod?: { from?: string; to?: string };
  dataset?: {
    granularity?: string;
    aggregation?: Record<string, { name?: string; function?: string }>;
    grouping?: Array<{ type?: string; name?: string }>;
    filter?: Filter;
  };
}

const bad = (code: string, message: string): FakeResponse => ({ status: 400, body: { error: { code, message } } });

/** .NET's way with doubles, as the recordings show: 0.0, 244.018672, 1E-06, 9.2E-05. */
export function dotnetNumber(n: number): string {
  if (n === 0) return "0.0";
  const abs = Math.abs(n);
  if (abs < 1e-4) {
    const [mantissa, exp] = n.toExponential().split("e") as [string, string];
    const e = Number(exp);
    return `${mantissa}E${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const text = String(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, n: number) => isoDay(new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000));

function rangeOf(body: QueryBody, now: Date): { from: string; to: string } | FakeResponse {
  const today = isoDay(now);
  const monthStart = `${today.slice(0, 7)}-01`;
  switch ((body.timeframe ?? "").toLowerCase()) {
    case "monthtodate":
    case "billingmonthtodate":
      return { from: monthStart, to: today };
    case "thelastmonth":
    case "thelastbillingmonth": {
      const to = addDays(monthStart, -1);
      return { from: `${to.slice(0, 7)}-01`, to };
    }
    case "weektodate": {
      const dow = now.getUTCDay();
      return { from: addDays(today, -((dow + 6) % 7)), to: today };
    }
    case "custom": {
      const from = body.timePeriod?.from;
      const to = body.timePeriod?.to;
      if (!from || !to || !Number.isFinite(Date.parse(from)) || !Number.isFinite(Date.parse(to))) {
        return bad("BadRequest", "Invalid query definition: timePeriod with from and to is required for a Custom timeframe.");
      }
      return { from: from.slice(0, 10), to: to.slice(0, 10) };
    }
    default:
      return bad("BadRequest", `Invalid query definition: timeframe '${body.timeframe ?? ""}' is not supported.`);
  }
}

function matches(filter: Filter | undefined, r: CostRecord, fleet: DemoFleet): boolean | string {
  if (!filter) return true;
  if (filter.and) {
    for (const f of filter.and) {
      const m = matches(f, r, fleet);
      if (m !== true) return m;
    }
    return true;
  }
  if (filter.or) {
    let error: string | undefined;
    for (const f of filter.or) {
      const m = matches(f, r, fleet);
      if (m === true) return true;
      if (typeof m === "string") error = m;
    }
    return error ?? false;
  }
  const cmp = filter.dimensions ?? filter.tags;
  if (!cmp) return "a filter needs and, or, dimensions or tags";
  if (!["in", "equal"].includes(cmp.operator.toLowerCase())) return `operator '${cmp.operator}' is not supported`;
  let value: string | undefined;
  if (filter.dimensions) {
    const dim = DIMENSIONS[cmp.name.toLowerCase()];
    if (!dim) return `dimension '${cmp.name}' is not valid`;
    value = dim.of(r, fleet);
  } else {
    value = Object.entries(r.tags).find(([k]) => k.toLowerCase() === cmp.name.toLowerCase())?.[1];
    if (value === undefined) return false;
  }
  return cmp.values.some((v) => v.toLowerCase() === value.toLowerCase());
}

/** A tenant QPU budget over two sliding windows; returns the seconds to wait, or 0 when charged. */
function qpuBudget(fleet: DemoFleet) {
  const spent: Array<{ at: number; qpu: number }> = [];
  return (qpu: number, now: number): { wait: number; remaining: [number, number] } => {
    const { short, shortMs, long, longMs } = fleet.knobs.qpu;
    while (spent.length > 0 && (spent[0] as { at: number }).at <= now - longMs) spent.shift();
    const inShort = spent.filter((s) => s.at > now - shortMs);
    const sumShort = inShort.reduce((n, s) => n + s.qpu, 0);
    const sumLong = spent.reduce((n, s) => n + s.qpu, 0);
    if (sumShort + qpu > short || sumLong + qpu > long) {
      const releaseShort = sumShort + qpu > short ? (inShort[0]?.at ?? now) + shortMs - now : 0;
      const releaseLong = sumLong + qpu > long ? (spent[0]?.at ?? now) + longMs - now : 0;
      return { wait: Math.max(1, Math.ceil(Math.max(releaseShort, releaseLong) / 1000)), remaining: [Math.max(0, short - sumShort), Math.max(0, long - sumLong)] };
    }
    spent.push({ at: now, qpu });
    return { wait: 0, remaining: [short - sumShort - qpu, long - sumLong - qpu] };
  };
}

const monthsIn = (from: string, to: string) => (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + (Number(to.slice(5, 7)) - Number(from.slice(5, 7))) + 1;

export function registerCostManagementRoutes(fleet: DemoFleet): Route[] {
  const charge = qpuBudget(fleet);
  return [
    {
      method: "POST",
      path: SCOPE,
      handle(ctx) {
        const m = SCOPE.exec(ctx.url.pathname) as RegExpExecArray;
        const sub = m[2]?.toLowerCase();
        const rg = m[3]?.toLowerCase();
        const group = m[4];
        const scope = m[1] as string;
        if (sub && !fleet.subscriptions.some((s) => s.id === sub)) {
          return { status: 404, body: { error: { code: "SubscriptionNotFound", message: `The subscription '${sub}' could not be found.` } } };
        }
        if (sub && fleet.knobs.forbiddenCost.has(sub)) {
          return {
            status: 403,
            body: {
              error: {
                code: "AuthorizationFailed",
                message: `The client 'gpuops' with object id '00000000-0000-0000-0000-00000000b07e' does not have authorization to perform action 'Microsoft.CostManagement/query/action' over scope '/${scope}' or the scope is invalid.`,
              },
            },
          };
        }
        let subs: string[];
        if (group) {
          const inGroup = fleet.managementGroups[group];
          if (!inGroup) return { status: 403, body: { error: { code: "AuthorizationFailed", message: `The client does not have authorization over scope '/${scope}'.` } } };
          subs = inGroup.filter((s) => !fleet.knobs.forbiddenCost.has(s));
        } else subs = [sub as string];

        const body = (ctx.body ?? {}) as QueryBody;
        if (!["usage", "actualcost", "amortizedcost"].includes((body.type ?? "").toLowerCase())) return bad("BadRequest", `Invalid query definition: type '${body.type ?? ""}'.`);
        const range = rangeOf(body, fleet.now());
        if ("status" in range) return range;
        const dataset = body.dataset ?? {};
        const granularity = (dataset.granularity ?? "None").toLowerCase();
        if (granularity !== "daily" && granularity !== "none") return bad("BadRequest", `Invalid query definition: granularity '${dataset.granularity}' is not supported.`);
        const grouping = dataset.grouping ?? [];
        if (grouping.length > 2) return bad("BadRequest", "Invalid query definition: a query can have at most 2 grouping clauses.");
        const aggregations = Object.values(dataset.aggregation ?? {});
        if (aggregations.length > 2) return bad("BadRequest", "Invalid query definition: a query can have at most 2 aggregation clauses.");
        const costColumn = aggregations[0]?.name;
        if (costColumn !== undefined && !COST_COLUMNS.has(costColumn.toLowerCase())) return bad("BadRequest", `Invalid query definition: aggregation column '${costColumn}'.`);
        const groupCols: Array<{ name: string; of: (r: CostRecord) => string }> = [];
        for (const g of grouping) {
          if ((g.type ?? "").toLowerCase() === "tagkey" && g.name) {
            const key = g.name;
            groupCols.push({ name: "TagKey", of: (r) => (Object.keys(r.tags).some((k) => k.toLowerCase() === key.toLowerCase()) ? key.toLowerCase() : "") });
            groupCols.push({ name: "TagValue", of: (r) => Object.entries(r.tags).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] ?? "" });
          } else {
            const dim = DIMENSIONS[(g.name ?? "").toLowerCase()];
            if ((g.type ?? "").toLowerCase() !== "dimension" || !dim)
              return bad("BadRequest", `Invalid query definition: grouping '${g.type ?? ""}/${g.name ?? ""}' is not valid.`);
            groupCols.push({ name: dim.column, of: (r) => dim.of(r, fleet) });
          }
        }

        const scripted = fleet.knobs.scriptedCostBodies.shift();
        const qpu = Math.max(1, monthsIn(range.from, range.to));
        const budget = charge(qpu, Date.now());
        const qpuRemaining = `QueriesPerTenSeconds:${budget.remaining[0]},QueriesPerMinute:${budget.remaining[1]}`;
        if (budget.wait > 0) {
          if (scripted !== undefined) fleet.knobs.scriptedCostBodies.unshift(scripted);
          return {
            status: 429,
            headers: {
              "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": String(budget.wait),
              "x-ms-ratelimit-microsoft.costmanagement-qpu-consumed": "0",
              "x-ms-ratelimit-microsoft.costmanagement-qpu-remaining": qpuRemaining,
            },
            body: { error: { code: "429", message: "Too many requests. Please retry." } },
          };
        }
        const headers = {
          "x-ms-ratelimit-microsoft.costmanagement-qpu-consumed": String(qpu),
          "x-ms-ratelimit-microsoft.costmanagement-qpu-remaining": qpuRemaining,
          "x-ms-ratelimit-remaining-microsoft.costmanagement-entity-requests": "29",
          "x-ms-ratelimit-remaining-microsoft.costmanagement-tenant-requests": "199",
        };
        if (scripted !== undefined) return { status: 200, headers, rawBody: scripted };

        const amortized = (body.type ?? "").toLowerCase() === "amortizedcost";
        const inScope = new Set(subs);
        const buckets = new Map<string, { date: number | undefined; groups: string[]; currency: string; amount: number }>();
        for (let d = range.from; d <= range.to; d = addDays(d, 1)) {
          for (const r of fleet.costRecords(d)) {
            if (!inScope.has(r.subscriptionId) || (rg && r.resourceGroup !== rg)) continue;
            const ok = matches(dataset.filter, r, fleet);
            if (typeof ok === "string") return bad("BadRequest", `Invalid query definition: ${ok}.`);
            if (!ok) continue;
            const date = granularity === "daily" ? Number(d.replace(/-/g, "")) : undefined;
            const groups = groupCols.map((g) => g.of(r));
            const key = `${date ?? ""}|${groups.join("\u0000")}|${r.currency}`;
            const b = buckets.get(key) ?? { date, groups, currency: r.currency, amount: 0 };
            b.amount += amortized ? r.amortized : r.actual;
            buckets.set(key, b);
          }
        }
        const all = [...buckets.values()].sort((a, b) => (a.date ?? 0) - (b.date ?? 0) || a.groups.join("|").localeCompare(b.groups.join("|")));

        // Column order is not fixed in the real API: with two groupings UsageDate comes after them.
        type Cell = { name: string; type: "Number" | "String"; value: (b: (typeof all)[number]) => string };
        const dateCell: Cell[] = granularity === "daily" ? [{ name: "UsageDate", type: "Number", value: (b) => String(b.date) }] : [];
        const costCell: Cell[] = costColumn ? [{ name: costColumn, type: "Number", value: (b) => dotnetNumber(Math.round(b.amount * 1e9) / 1e9) }] : [];
        const groupCells: Cell[] = groupCols.map((g, i) => ({ name: g.name, type: "String", value: (b) => JSON.stringify(b.groups[i] ?? "") }));
        const cells: Cell[] = [
          ...costCell,
          ...(groupCols.length >= 2 ? [...groupCells, ...dateCell] : [...dateCell, ...groupCells]),
          { name: "Currency", type: "String", value: (b) => JSON.stringify(b.currency) },
        ];

        const skip = Number(Buffer.from(decodeURIComponent(ctx.url.searchParams.get("$skiptoken") ?? ""), "base64").toString("utf8")) || 0;
        const page = all.slice(skip, skip + fleet.knobs.costPageSize);
        let nextLink = "null";
        if (skip + fleet.knobs.costPageSize < all.length) {
          const next = new URL(ctx.url.toString());
          next.searchParams.set("$skiptoken", Buffer.from(String(skip + fleet.knobs.costPageSize), "utf8").toString("base64"));
          nextLink = JSON.stringify(`${ctx.baseUrl}${next.pathname}${next.search}`);
        }
        const id = crypto.randomUUID();
        const columns = JSON.stringify(cells.map((c) => ({ name: c.name, type: c.type })));
        const rows = `[${page.map((b) => `[${cells.map((c) => c.value(b)).join(",")}]`).join(",")}]`;
        const rawBody = `{"id":${JSON.stringify(`${scope}/providers/Microsoft.CostManagement/query/${id}`)},"name":"${id}","type":"Microsoft.CostManagement/query","location":null,"sku":null,"eTag":null,"properties":{"nextLink":${nextLink},"columns":${columns},"rows":${rows}}}`;
        return { status: 200, headers, rawBody };
      },
    },
  ];
}

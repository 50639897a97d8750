/**
 * The Azure Retail Prices API (`GET /api/retail/prices`, public, no auth): OData `$filter` with
 * `eq` clauses joined by `and` (values case-sensitive, as from api-version 2023-01-01-preview),
 * `currencyCode='EUR'`, and paging with `NextPageLink` carrying `$skip`. Items have the fields of
 * seed/docs-2021.retail-prices-sample-items.json; the envelope is the one the Microsoft Learn page
 * documents (BillingCurrency, CustomerEntityId, CustomerEntityType, Items, NextPageLink, Count).
 */
import { DEMO_FX, type DemoFleet, type RetailPriceItem } from "../demo-fleet.ts";
import type { FakeResponse, Route } from "../types.ts";

const FILTERABLE = new Set([
  "armRegionName",
  "location",
  "meterId",
  "meterName",
  "productId",
  "skuId",
  "productName",
  "skuName",
  "serviceName",
  "serviceId",
  "serviceFamily",
  "priceType",
  "armSkuName",
  "type",
]);

const bad = (message: string): FakeResponse => ({ status: 400, body: { Error: { Code: "BadRequest", Message: message } } });

/** "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus'" → [[field, value], ...]. */
function parseFilter(filter: string): Array<[string, string]> | string {
  const clauses = filter.split(/\s+and\s+/i);
  const out: Array<[string, string]> = [];
  for (const clause of clauses) {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!m) return `Invalid OData filter clause: ${clause.slice(0, 80)}`;
    const field = m[1] as string;
    if (!FILTERABLE.has(field)) return `Unknown filter field: ${field}`;
    out.push([field, (m[2] as string).replace(/''/g, "'")]);
  }
  return out;
}

export function registerRetailPriceRoutes(fleet: DemoFleet): Route[] {
  return [
    {
      method: "GET",
      path: /^\/api\/retail\/prices$/,
      handle(ctx) {
        const q = ctx.url.searchParams;
        const currencyParam = q.get("currencyCode");
        const currency = currencyParam ? currencyParam.replace(/^'|'$/g, "").toUpperCase() : "USD";
        const rate = DEMO_FX[currency];
        if (rate === undefined) return bad(`Invalid currency code: ${currency}`);
        let items: RetailPriceItem[] = fleet.prices;
        const filter = q.get("$filter");
        if (filter) {
          const clauses = parseFilter(filter);
          if (typeof clauses === "string") return bad(clauses);
          items = items.filter((item) => clauses.every(([field, value]) => String((item as unknown as Record<string, unknown>)[field === "priceType" ? "type" : field]) === value));
        }
        const skip = Math.max(0, Number(q.get("$skip") ?? "0") || 0);
        const pageSize = fleet.knobs.pricePageSize;
        const page = items.slice(skip, skip + pageSize).map((item) => ({
          ...item,
          currencyCode: currency,
          retailPrice: Math.round(item.retailPrice * rate * 1e6) / 1e6,
          unitPrice: Math.round(item.unitPrice * rate * 1e6) / 1e6,
        }));
        let next: string | null = null;
        if (skip + pageSize < items.length) {
          const u = new URL(ctx.url.toString());
          u.searchParams.set("$skip", String(skip + pageSize));
          next = `${ctx.baseUrl}${u.pathname}${u.search}`;
        }
        return {
          status: 200,
          body: { BillingCurrency: currency, CustomerEntityId: "Default", CustomerEntityType: "Retail", Items: page, NextPageLink: next, Count: page.length },
        };
      },
    },
  ];
}

/**
 * Microsoft.Compute: Resource SKUs (only `location eq '<region>'` is a valid filter, as in ARM;
 * nextLink paging) and Compute usages per location.
 */
import type { FakeResponse, Route, RouteContext } from "../types.ts";

const GUID = "([0-9a-fA-F-]{36})";

function notFoundSubscription(id: string): FakeResponse {
  return { status: 404, body: { error: { code: "SubscriptionNotFound", message: `The subscription '${id}' could not be found.` } } };
}

/** Serves `items` a page at a time; the continuation is an absolute nextLink carrying $skiptoken. */
export function paged(ctx: RouteContext, items: unknown[], pageSize: number): FakeResponse {
  const skip = Number(ctx.url.searchParams.get("$skiptoken") ?? "0") || 0;
  const page = items.slice(skip, skip + pageSize);
  const body: Record<string, unknown> = { value: page };
  if (skip + pageSize < items.length) {
    const next = new URL(ctx.url.toString());
    next.searchParams.set("$skiptoken", String(skip + pageSize));
    body.nextLink = `${ctx.baseUrl}${next.pathname}${next.search}`;
  }
  return { status: 200, body };
}

export function registerComputeRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/providers/Microsoft\\.Compute/skus$`, "i"),
      handle(ctx) {
        const [sub] = ctx.params as [string];
        if (!ctx.tenant.subscriptions.some((s) => s.id === sub)) return notFoundSubscription(sub);
        const filter = ctx.url.searchParams.get("$filter");
        let items: unknown[];
        if (filter === null) items = ctx.tenant.regions.flatMap((r) => ctx.tenant.skus(r));
        else {
          const m = /^location eq '([a-z0-9]+)'$/i.exec(filter.trim());
          if (!m) {
            return { status: 400, body: { error: { code: "InvalidFilter", message: `Only the location filter is supported: $filter=location eq 'eastus'. Got: ${filter}` } } };
          }
          items = ctx.tenant.skus((m[1] as string).toLowerCase());
        }
        return paged(ctx, items, ctx.tenant.pageSize);
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/providers/Microsoft\\.Compute/locations/([^/]+)/usages$`, "i"),
      handle(ctx) {
        const [sub, location] = ctx.params as [string, string];
        if (!ctx.tenant.subscriptions.some((s) => s.id === sub)) return notFoundSubscription(sub);
        const rows = ctx.tenant.usages(sub, location.toLowerCase());
        if (!rows) {
          return { status: 400, body: { error: { code: "NoRegisteredProviderFound", message: `No registered resource provider found for location '${location}'.` } } };
        }
        return { status: 200, headers: { "x-ms-ratelimit-remaining-resource": "Microsoft.Compute/GetSubscriptionInfo3Min;359" }, body: { value: rows } };
      },
    },
  ];
}

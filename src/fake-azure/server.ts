/**
 * A local HTTPS server that speaks the Azure wire formats gpuops uses (ARM Compute today; Cost
 * Management, Resource Graph, Monitor and Retail Prices slot in as more route modules). It serves
 * the demo tenant, records every request, and has fault knobs for tests: status codes with
 * headers (429 + Retry-After), latency, and dropped connections.
 *
 * HTTPS because the Azure SDK refuses bearer tokens over plain http; the certificate (self-signed
 * for localhost/127.0.0.1, made once and cached: ./certificate.ts) is handed to the client
 * factory, which trusts it for loopback only.
 */
import type { ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fakeAzureCertificate } from "./certificate.ts";
import { createDemoFleet, type DemoFleet } from "./demo-fleet.ts";
import { createDemoTelemetry, type DemoTelemetry } from "./demo-telemetry.ts";
import { createDemoTenant, type DemoTenant } from "./demo-tenant.ts";
import { registerCognitiveServicesRoutes } from "./routes/cognitive-services.ts";
import { registerComputeRoutes } from "./routes/compute.ts";
import { registerComputeVmActionRoutes, type VmActionKnobs } from "./routes/compute-vm-actions.ts";
import { registerCostManagementRoutes } from "./routes/cost-management.ts";
import { registerMonitorMetricsRoutes } from "./routes/monitor-metrics.ts";
import { createProvisioningFake, type ProvisioningFake } from "./routes/provisioning.ts";
import { registerResourceGraphRoutes } from "./routes/resource-graph.ts";
import { registerRetailPriceRoutes } from "./routes/retail-prices.ts";
import { registerVmListRoutes } from "./routes/vm-list.ts";
import type { FakeResponse, Route } from "./types.ts";

export type { Route } from "./types.ts";

export interface Fault {
  /** Matches the request's path+query (a substring or a RegExp). */
  match: string | RegExp;
  method?: string;
  /** Answer with this status (429 with Retry-After, 500, 403, ...). */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Delay before answering (alone, or before the status answer). */
  latencyMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** How many requests it applies to; forever when absent. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}

export interface FakeAzure {
  url: string;
  /** PEM of the certificate (self-signed, so it is its own CA). */
  ca: string;
  token: string;
  tenant: DemoTenant;
  /** Fleet, spend and list prices (Resource Graph, Cost Management, Retail Prices), with fault knobs. */
  fleet: DemoFleet;
  /** GPU utilisation the fake Azure Monitor serves (idle, parked, busy, no agent), rewritable by tests. */
  telemetry: DemoTelemetry;
  /** Pace of VM power operations (deallocate): polls until done, Retry-After. */
  vmActions: VmActionKnobs;
  /** VM start, AKS node pools and Microsoft.Quota requests (GPU request actions), with knobs and a call log. */
  provisioning: ProvisioningFake;
  requests: RecordedRequest[];
  addFault(fault: Fault): void;
  clearFaults(): void;
  addRoutes(routes: Route[]): void;
  close(): Promise<void>;
}

export interface FakeAzureOptions {
  port?: number;
  token?: string;
  tenant?: DemoTenant;
  fleet?: DemoFleet;
  /** Rows per page for list endpoints (small values exercise nextLink paging). */
  pageSize?: number;
  /** Where the TLS certificate is cached (`null`: a fresh one, kept nowhere); default the project's `.cache`. */
  certCacheDir?: string | null;
}

const armError = (status: number, code: string, message: string): FakeResponse => ({ status, body: { error: { code, message } } });

export async function startFakeAzure(opts: FakeAzureOptions = {}): Promise<FakeAzure> {
  const token = opts.token ?? "fake-azure-token";
  const tenant = opts.tenant ?? createDemoTenant();
  tenant.pageSize = opts.pageSize ?? tenant.pageSize;
  const pems = await fakeAzureCertificate(opts.certCacheDir === undefined ? {} : { cacheDir: opts.certCacheDir });
  const routes: Route[] = [];
  let faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Duplex>();
  let baseUrl = "";

  const answer = (res: ServerResponse, r: FakeResponse) => {
    const text = r.rawBody ?? (r.body === undefined ? "" : JSON.stringify(r.body));
    res.writeHead(r.status, {
      "content-type": "application/json; charset=utf-8",
      "x-ms-request-id": crypto.randomUUID(),
      "x-ms-ratelimit-remaining-subscription-reads": "11999",
      ...r.headers,
    });
    res.end(text);
  };

  const server: Server = createServer({ key: pems.key, cert: pems.cert }, async (req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return answer(res, armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized."));
    }
    const method = req.method ?? "GET";
    requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, at: Date.now() });

    // The Retail Prices API is public; everything else wants the bearer token.
    const needsAuth = !url.pathname.startsWith("/api/retail/");
    if (needsAuth && req.headers.authorization !== `Bearer ${token}`) {
      return answer(res, armError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or invalid."));
    }

    const target = `${url.pathname}${url.search}`;
    const fault = faults.find((f) => (!f.method || f.method === method) && (typeof f.match === "string" ? target.includes(f.match) : f.match.test(target)));
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) faults = faults.filter((f) => f !== fault);
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        return answer(res, {
          status: fault.status,
          headers: fault.headers ?? {},
          body: fault.body ?? armError(fault.status, faultCode(fault.status), `Fault injected for ${url.pathname}`).body,
        });
      }
    }

    for (const route of routes) {
      if (route.method !== method) continue;
      const m = route.path.exec(url.pathname);
      if (!m) continue;
      try {
        return answer(res, await route.handle({ method, url, params: m.slice(1), headers: req.headers, body, tenant, baseUrl }));
      } catch (err) {
        return answer(res, armError(500, "InternalServerError", (err as Error).message));
      }
    }
    return answer(res, armError(404, "NotFound", `No fake for ${method} ${url.pathname}`));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fleet = opts.fleet ?? createDemoFleet();
  routes.push(
    ...registerComputeRoutes(),
    ...registerResourceGraphRoutes(fleet),
    ...registerCostManagementRoutes(fleet),
    ...registerRetailPriceRoutes(fleet),
    ...registerVmListRoutes(fleet),
  );
  const telemetry = createDemoTelemetry(fleet);
  const vmActions: VmActionKnobs = { pollsUntilDone: 2, retryAfterSeconds: 0 };
  routes.push(...registerMonitorMetricsRoutes(fleet, telemetry), ...registerComputeVmActionRoutes(fleet, telemetry, vmActions));
  const provisioning = createProvisioningFake(fleet, tenant);
  routes.push(...provisioning.routes);
  routes.push(...registerCognitiveServicesRoutes(tenant));

  return {
    url: baseUrl,
    ca: pems.cert,
    token,
    tenant,
    fleet,
    telemetry,
    vmActions,
    provisioning,
    requests,
    addFault: (f) => faults.push({ ...f }),
    clearFaults: () => {
      faults = [];
    },
    addRoutes: (r) => routes.push(...r),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function faultCode(status: number): string {
  if (status === 429) return "TooManyRequests";
  if (status === 403) return "AuthorizationFailed";
  if (status >= 500) return "InternalServerError";
  return "BadRequest";
}

export { armError };

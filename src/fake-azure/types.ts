/** Route contract for fake Azure modules (one per Azure API). */
import type { IncomingMessage } from "node:http";
import type { DemoTenant } from "./demo-tenant.ts";

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Send this exact text instead of JSON-serialising `body` (real payloads keep number tokens like 1E-06). */
  rawBody?: string;
}

export interface RouteContext {
  method: string;
  url: URL;
  params: string[];
  headers: IncomingMessage["headers"];
  body: unknown;
  tenant: DemoTenant;
  /** https://127.0.0.1:port — for building nextLink URLs. */
  baseUrl: string;
}

export interface Route {
  method: string;
  path: RegExp;
  handle(ctx: RouteContext): FakeResponse | Promise<FakeResponse>;
}

/**
 * Maps what the Azure SDKs throw to our error codes, once, at the adapter edge. The message is
 * a fix-it hint a person can act on; it never carries tokens or request bodies.
 */
import { GpuopsError } from "../errors.ts";
import { retryAfterMs } from "./client-factory.ts";

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

export function mapAzureError(err: unknown, what: { api: string; subscriptionId?: string; region?: string; role?: string }): GpuopsError {
  if (err instanceof GpuopsError) return err;
  const e = (err ?? {}) as RestErrorLike;
  const status = e.statusCode;
  const where = [what.subscriptionId && `subscription ${what.subscriptionId}`, what.region && `region ${what.region}`].filter(Boolean).join(", ");
  const context = { api: what.api, subscriptionId: what.subscriptionId, region: what.region, status };
  if (status === 429) {
    const wait = e.response?.headers ? retryAfterMs(e.response.headers) : undefined;
    const secs = wait === undefined ? undefined : Math.ceil(wait / 1000);
    return new GpuopsError("azure_throttled", `Azure is throttling ${what.api}${where ? ` for ${where}` : ""}${secs ? `; try again in ${secs} s` : "; try again in a minute"}.`, {
      cause: err,
      context: { ...context, retryAfterSeconds: secs },
    });
  }
  if (status === 401 || status === 403) {
    const role = what.role ?? "Reader";
    return new GpuopsError("azure_forbidden", `The bot's identity may not read ${what.api}${where ? ` in ${where}` : ""}: give it the ${role} role there (see deploy/README.md).`, {
      cause: err,
      context,
    });
  }
  if (status === 404) return new GpuopsError("azure_not_found", `Azure answered "not found" for ${what.api}${where ? ` in ${where}` : ""}.`, { cause: err, context });
  if (status !== undefined && status >= 500) {
    return new GpuopsError("azure_unavailable", `Azure ${what.api} failed (HTTP ${status})${where ? ` for ${where}` : ""}; it is usually transient, try again shortly.`, {
      cause: err,
      context,
    });
  }
  if (status === undefined) {
    return new GpuopsError("azure_unavailable", `Could not reach Azure ${what.api}${where ? ` for ${where}` : ""} (${e.code ?? "network error"}).`, { cause: err, context });
  }
  // Azure's error code (e.g. NoRegisteredProviderFound) says what was wrong; only a plain identifier is repeated.
  const code = typeof e.code === "string" && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(e.code) ? ` (${e.code})` : "";
  return new GpuopsError("azure_error", `Azure ${what.api} answered HTTP ${status}${code}${where ? ` for ${where}` : ""}.`, { cause: err, context });
}

/**
 * Errors that cross layers carry a stable code, the cause, and never a secret. Expected
 * outcomes (unknown region, size not offered, no telemetry) are values, not errors.
 */
export type ErrorCode =
  | "bad_config"
  | "bad_command"
  | "azure_throttled"
  | "azure_forbidden"
  | "azure_not_found"
  | "azure_unavailable"
  | "azure_error"
  | "store_error"
  | "chat_unavailable"
  | "chat_throttled"
  | "internal";

export class GpuopsError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, string | number | undefined>;
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; context?: Record<string, string | number | undefined> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "GpuopsError";
    this.code = code;
    this.context = opts.context ?? {};
  }
}

/** Wraps anything thrown into a GpuopsError exactly once. */
export function asGpuopsError(err: unknown, fallback: ErrorCode = "azure_error"): GpuopsError {
  if (err instanceof GpuopsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GpuopsError(fallback, message, { cause: err });
}

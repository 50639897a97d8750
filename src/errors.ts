/**
 * Errors that cross layers carry a stable code, the cause, and never a secret. Expected
 * outcomes (unknown region, size not offered, no telemetry) are values, not errors. The same codes
 * name a user-facing answer's problem (Reply.code), so the list below is every code gpuops gives.
 */
import type { RefusalCode } from "./domain/gpu-request.ts";

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
  | "internal"
  // What a person asked could not be answered as asked: each answer says what was wrong and an example.
  | "bad_action"
  | "bad_cost_args"
  | "bad_cost_center"
  | "bad_count"
  | "bad_digest_args"
  | "bad_duration"
  | "bad_filter"
  | "bad_idle_filter"
  | "bad_openai_idle"
  | "bad_openai_scope"
  | "bad_openai_where"
  | "bad_request"
  | "bad_running_args"
  | "bad_scope"
  | "bad_subscription"
  | "form_incomplete"
  | "missing_count"
  | "missing_duration"
  | "missing_gpu"
  | "missing_id"
  | "missing_region"
  | "missing_size"
  | "missing_term"
  | "no_channel"
  | "no_scope"
  | "not_understood"
  | "reason_too_long"
  | "unknown_command"
  | "unknown_gpu"
  | "unknown_region"
  | "unknown_region_or_model"
  | "unknown_subcommand"
  | "unknown_term"
  // Buttons and requests refused for what they act on or who clicked.
  | "alert_closed"
  | "alert_gone"
  | "already_deallocating"
  | RefusalCode
  | "not_a_vm"
  | "not_allowed"
  | "not_found"
  | "nothing_to_cancel"
  // A part of gpuops this run does not have (no store, no Azure OpenAI), or an answer cut by the deadline.
  | "alerts_unavailable"
  | "rows_expired"
  | "openai_unavailable"
  | "requests_unavailable"
  | "store_unavailable"
  | "too_slow";

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

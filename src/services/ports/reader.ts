/**
 * The plain-words reader: an optional language model that picks one command of the grammar for a
 * question the deterministic reader (src/understand) could not read. Only the question and the
 * tool list go to it; what it picks is checked by the typed grammar before anything runs.
 */

/** One command of the grammar offered to the reader: a function name, what it does, and its JSON schema. */
export interface ReaderTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** What the reader chose, or why it chose nothing (each ends in the usual suggestion reply). */
export type ReaderPick =
  | { kind: "pick"; name: string; arguments: string }
  | { kind: "none"; reason: "no_choice" | "refused" | "busy" | "timeout" | "failed"; retryAfterSeconds?: number };

export interface ReaderPort {
  /** Shown in the answer: "I read this as `…` (with Azure OpenAI)". */
  readonly label: string;
  /** Never throws: every failure is a `none` with its reason. */
  pick(question: string, tools: readonly ReaderTool[]): Promise<ReaderPick>;
}

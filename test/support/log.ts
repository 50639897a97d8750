/**
 * A logger for command contexts in tests: it keeps every line, so a test can read what the core
 * reported instead of the lines going nowhere.
 */
import type { CoreLogger } from "../../src/commands/types.ts";

export interface LogLine {
  level: "error" | "warn" | "info";
  msg: string;
  obj: object;
}

export interface TestLog extends CoreLogger {
  lines: LogLine[];
}

export function testLog(): TestLog {
  const lines: LogLine[] = [];
  const at = (level: LogLine["level"]) => (obj: object, msg: string) => {
    lines.push({ level, msg, obj });
  };
  return { lines, error: at("error"), warn: at("warn"), info: at("info") };
}

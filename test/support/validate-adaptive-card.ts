/**
 * Validates card JSON with the official Adaptive Cards JS library, the way a Teams-like host
 * would read it: parsed with a SerializationContext targeting schema 1.5 (Teams' limit), then
 * `validateProperties()`. Every parse event and validation event is returned; tests fail on any.
 * Under Node the package's UMD build is loaded (its lib/ build does not resolve in Node's ESM
 * loader); parsing and validation need no DOM.
 */
import { createRequire } from "node:module";

interface AcEvent {
  event: number;
  message: string;
}
interface AcModule {
  AdaptiveCard: new () => { parse(json: unknown, ctx: unknown): void; validateProperties(): { validationEvents: AcEvent[] }; toJSON(ctx?: unknown): unknown };
  SerializationContext: new (version: unknown) => { eventCount: number; getEventAt(i: number): AcEvent };
  Versions: { v1_5: unknown };
  ValidationEvent: Record<number, string>;
}

const AC = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js") as AcModule;

export interface CardProblem {
  phase: "parse" | "validate";
  event: string;
  message: string;
}

export function validateAdaptiveCard(card: unknown): CardProblem[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const problems: CardProblem[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push({ phase: "parse", event: AC.ValidationEvent[e.event] ?? String(e.event), message: e.message });
  }
  for (const e of parsed.validateProperties().validationEvents) {
    problems.push({ phase: "validate", event: AC.ValidationEvent[e.event] ?? String(e.event), message: e.message });
  }
  return problems;
}

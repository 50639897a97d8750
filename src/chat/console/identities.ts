/**
 * The people the console can "act as", so an approval can be tried end to end on one machine:
 * one person files a GPU request, another approves it, a third is refused. Whether someone may
 * approve is decided by the approval rules (the same ones Slack and Teams use), never here; the
 * `approver` flag only labels the picker.
 */
import type { Actor } from "../../commands/types.ts";

export interface ConsoleIdentity {
  /** The actor id the core sees (surface "console"). */
  id: string;
  name: string;
  /** Shown next to the name in the picker: "requester", "infra lead, approver", ... */
  role: string;
  approver: boolean;
}

interface CastMember {
  id: string;
  name: string;
  /** What they do, before the approver part of the label. */
  about?: string;
}

/** The demo cast. Its ids are the console approvers the requests runtime names in demo mode (sam, lee). */
export const DEMO_CAST: readonly CastMember[] = [
  { id: "dana", name: "Dana", about: "requester" },
  { id: "sam", name: "Sam" },
  { id: "lee", name: "Lee", about: "infra lead" },
  { id: "finn", name: "Finn", about: "finance" },
];

/**
 * The picker's identities: the demo cast plus any other configured console approver, each
 * labelled from the approver list actually in force (so the label never promises a power the
 * approval rules would refuse).
 */
export function consoleIdentities(approverIds: readonly string[]): ConsoleIdentity[] {
  const cast: CastMember[] = [...DEMO_CAST, ...approverIds.filter((id) => !DEMO_CAST.some((c) => c.id === id) && !id.startsWith("group:")).map((id) => ({ id, name: id }))];
  return cast.map((c) => {
    const approver = approverIds.includes(c.id);
    const role = approver ? [c.about, "approver"] : c.about === "requester" ? [c.about] : [c.about, "not an approver"];
    return { id: c.id, name: c.name, role: role.filter(Boolean).join(", "), approver };
  });
}

export function findIdentity(identities: readonly ConsoleIdentity[], id: unknown): ConsoleIdentity | undefined {
  return typeof id === "string" ? identities.find((i) => i.id === id) : undefined;
}

export const actorOf = (i: ConsoleIdentity): Actor => ({ id: i.id, name: i.name });

/**
 * Ports onto gpuops' own store: channel subscriptions, the status snapshot, and GPU requests
 * with their append-only audit log and side-effect claims.
 */
import type { DigestScope, NoiseRule } from "../../domain/digest.ts";
import type { AuditEntry, GpuRequest } from "../../domain/gpu-request.ts";
import type { WatchedEpisode } from "../../domain/idle-rule.ts";
import type { PoolVmRef } from "./azure.ts";
import type { PostedMessage } from "./chat.ts";

export type SubscriptionKind = "digest" | "idle";

/** What a channel asked for; `at` is the local time of a digest (null for idle alerts). */
export interface SubscriptionSettings {
  at: string | null;
  /** IANA zone the time and "yesterday" are read in. */
  timezone: string;
  scope: DigestScope | null;
  noise: NoiseRule;
  /** Edit the channel's one digest message each day instead of posting a new one. */
  updateInPlace: boolean;
}

export interface ChannelSubscription extends SubscriptionSettings {
  platform: string;
  channelId: string;
  kind: SubscriptionKind;
  createdBy: string;
  createdAt: string;
  changedBy: string;
  changedAt: string;
  /** Scheduled runs before this instant do not count (set when the schedule changes). */
  activeFrom: string;
}

export interface SubscriptionEvent {
  platform: string;
  channelId: string;
  kind: SubscriptionKind;
  action: "subscribe" | "change" | "unsubscribe";
  actor: { id: string; name?: string };
  at: string;
  /** "at 08:00 → 09:30; noise every day → > 10 %". */
  summary: string;
}

export interface SubscriptionPort {
  list(filter?: { platform?: string; channelId?: string; kind?: SubscriptionKind }): Promise<ChannelSubscription[]>;
  get(platform: string, channelId: string, kind: SubscriptionKind): Promise<ChannelSubscription | undefined>;
  /** Creates or changes a channel's subscription and records who did it. */
  save(
    target: { platform: string; channelId: string; kind: SubscriptionKind },
    settings: SubscriptionSettings,
    actor: { id: string; name?: string },
    now: Date,
  ): Promise<{ action: "subscribe" | "change" | "unchanged"; current: ChannelSubscription; previous?: ChannelSubscription }>;
  /** Removes it (recorded); undefined when the channel had none of that kind. */
  remove(target: { platform: string; channelId: string; kind: SubscriptionKind }, actor: { id: string; name?: string }, now: Date): Promise<ChannelSubscription | undefined>;
  /** The channel's change log, newest first. */
  history(platform: string, channelId: string, limit?: number): Promise<SubscriptionEvent[]>;
}

export interface JobStatus {
  /** "digest:slack:C0123", "idle-scan". */
  job: string;
  platform?: string;
  channelId?: string;
  lastRun?: { periodKey: string; status: string; at: string; detail: string | null };
  /** ISO instant of the next scheduled run, when the scheduler knows the job. */
  nextRun?: string;
  timezone?: string;
}

export interface StatusSnapshot {
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  freshness: Array<{ source: string; detail: string }>;
  jobs: JobStatus[];
  /** Subscriptions whose last delivery failed, and conversations the bot can no longer post to. */
  broken: Array<{ platform: string; channelId: string; what: string; reason: string; since: string }>;
}

export interface StatusPort {
  snapshot(filter?: { platform?: string; channelId?: string }): Promise<StatusSnapshot>;
}

/** A stored request: the domain value, its version (for conditional updates) and the messages it lives in. */
export interface StoredRequest {
  request: GpuRequest;
  version: number;
  messages: RequestMessages;
}

/** Where a request was posted: the approvers' message(s) and the requester's pre-check. */
export interface RequestMessages {
  approvers?: PostedMessage;
  requester?: PostedMessage;
}

export interface AuditRow extends AuditEntry {
  requestId: string;
}

/** One side effect (start VMs, scale a pool, file a quota request, undo), claimed before it runs. */
export interface SideEffect {
  /** Idempotency key, e.g. "12:act:1". */
  key: string;
  requestId: string;
  kind: "act" | "reverse";
  status: "pending" | "running" | "done" | "failed";
  attempts: number;
  /** What was decided before touching Azure (VM names, target counts), so a resumed run does the same. */
  plan: Record<string, unknown> | null;
  result: string | null;
}

export interface GpuRequestStorePort {
  /** Stores a new request (the store assigns its id) with its first audit entry. */
  create(make: (id: string) => { request: GpuRequest; entry: AuditEntry }): Promise<StoredRequest>;
  get(id: string): Promise<StoredRequest | undefined>;
  /**
   * Saves a transition if the request is still at `expectedVersion`: state, audit entry and any
   * side effects in one transaction. False when someone else changed it first (nothing written).
   */
  save(id: string, expectedVersion: number, request: GpuRequest, entry: AuditEntry, effects?: Array<Pick<SideEffect, "key" | "kind">>): Promise<boolean>;
  /** Appends an entry for an attempt that changed nothing (a refused click). */
  refuse(id: string, entry: AuditEntry): Promise<void>;
  setMessages(id: string, messages: RequestMessages): Promise<void>;
  list(filter: { requesterId?: string; states?: readonly string[]; limit?: number }): Promise<StoredRequest[]>;
  /** The audit log, oldest first (one request, or all). */
  history(filter: { requestId?: string }): Promise<AuditRow[]>;
  /** Requests the clock may have something to do for (undecided, leases), and approved ones whose action has not finished. */
  due(now: Date): Promise<StoredRequest[]>;
  /** Takes a side effect for `ttlMs` (a crashed taker's claim lapses); undefined when done or held by another. */
  claimEffect(key: string, owner: string, now: Date, ttlMs: number): Promise<SideEffect | undefined>;
  savePlan(key: string, owner: string, plan: Record<string, unknown>): Promise<void>;
  finishEffect(key: string, owner: string, status: "done" | "failed", result: string, now: Date): Promise<void>;
  /** Gives a claim back early (a transient Azure error): the next run retries it. */
  releaseEffect(key: string, owner: string, now: Date): Promise<void>;
  effect(key: string): Promise<SideEffect | undefined>;
  /** Side effects not done yet whose claim is free or lapsed. */
  openEffects(now: Date): Promise<SideEffect[]>;
  /** Extends a claim this owner still holds (a heartbeat while the action runs); false when it is no longer ours. */
  renewEffect(key: string, owner: string, now: Date, ttlMs: number): Promise<boolean>;
  /**
   * Reserves `count` of the candidate pool VMs for a request's action and saves them as its plan,
   * in one transaction; a VM another request holds is skipped. Undefined (nothing reserved) when
   * fewer than `count` are free, or when the claim is no longer `owner`'s.
   */
  reservePoolVms(key: string, owner: string, requestId: string, subscriptionId: string, candidates: PoolVmRef[], count: number, now: Date): Promise<PoolVmRef[] | undefined>;
  /** Frees every pool VM a request holds (after its undo, or when its action started nothing); returns how many. */
  releasePoolVms(requestId: string): Promise<number>;
  /** Pool VMs reserved by requests, for audits and the soak's double-booking count. */
  poolVmClaims(): Promise<Array<PoolVmRef & { requestId: string; subscriptionId: string }>>;
}

/** The parts of a chat platform's conversation reference the store reads; the rest is kept as it came. */
export interface ConversationRefShape {
  activityId?: string | undefined;
  serviceUrl?: string | undefined;
  conversation: { id: string; tenantId?: string | undefined; conversationType?: string | undefined; name?: string | undefined };
}

export interface StoredConversation {
  conversationId: string;
  reference: ConversationRefShape;
  conversationType: string | null;
  teamId: string | null;
  tenantId: string | null;
  name: string | null;
  status: "active" | "broken";
  brokenReason: string | null;
  brokenAt: string | null;
  updatedAt: string;
}

/** Where the bot may post proactively (Teams): saved when addressed, read for posts, marked broken when refused. Ids may carry a thread suffix. */
export interface ConversationRefsPort {
  /** Saves (or refreshes) the reference and marks it active; returns the base conversation id. */
  save(ref: ConversationRefShape, meta: { teamId?: string | undefined; name?: string | undefined }, now: Date): Promise<string>;
  get(conversationId: string): Promise<StoredConversation | undefined>;
  markBroken(conversationId: string, reason: string, now: Date): Promise<void>;
  listBroken(): Promise<StoredConversation[]>;
}

/** The shared memory of chat requests already run (Slack retries, replays, replicas). */
export interface SeenRequests {
  /** True the first time `key` is seen anywhere on this store; false ever after (while remembered). */
  firstSight(key: string, now: Date): Promise<boolean>;
  /** `firstSight` for several keys of one request in one round trip, answered in their order. */
  firstSights(keys: readonly string[], now: Date): Promise<boolean[]>;
}

/** A shared cache of fetched answers (the store's cache table): survives restarts, shared by replicas. */
export interface CachePort {
  cacheGet(key: string, now: Date): Promise<string | undefined>;
  cachePut(key: string, value: string, ttlSeconds: number, now: Date): Promise<void>;
}

/** The idle episodes gpuops is watching (the store's alert state), so idle time reaches back past the telemetry. */
export interface IdleEpisodesPort {
  /** The open episode of each key that has one (a VM's ARM id or "<pool id>/nodes/<node>"), by lower-case key. */
  idleSince(keys: readonly string[]): Promise<Map<string, WatchedEpisode>>;
}

/** Table types for Kysely. Each migration that adds a table adds its interface here. */
import type { Generated } from "kysely";

export interface JobRunTable {
  id: Generated<number>;
  /** e.g. "digest:slack:C123" */
  job: string;
  /** e.g. "2026-11-26": the unit of exactly-once work. */
  period_key: string;
  claimed_by: string;
  claimed_at: string;
  finished_at: string | null;
  status: string;
  detail: string | null;
  /** Real time of the holder's last heartbeat while it runs (migration 007); null for old rows. */
  heartbeat_at: string | null;
}

export interface CacheTable {
  key: string;
  value: string;
  fetched_at: string;
  expires_at: string;
}

/** A Teams conversation the bot can post to (migration 002-teams-conversations). */
export interface TeamsConversationTable {
  /** Base conversation id (a channel thread's ";messageid=…" suffix removed). */
  conversation_id: string;
  service_url: string;
  tenant_id: string | null;
  /** "personal" | "groupChat" | "channel" */
  conversation_type: string | null;
  team_id: string | null;
  name: string | null;
  /** The Agents SDK ConversationReference as JSON. */
  reference: string;
  /** "active" | "broken" */
  status: string;
  broken_reason: string | null;
  broken_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A channel's subscription to the daily digest or idle alerts (migration 004-channel-subscriptions). */
export interface ChannelSubscriptionTable {
  id: Generated<number>;
  platform: string;
  channel_id: string;
  /** "digest" | "idle" */
  kind: string;
  /** Local "HH:MM" (digests); null for idle alerts. */
  schedule_at: string | null;
  timezone: string;
  /** "sub:<id>" | "rg:<name>" | "tag:<key>=<value>", null for everything in scope. */
  scope: string | null;
  /** "always" | "percent:<n>" | "amount:<m>:<currency>" */
  noise_rule: string;
  update_in_place: number;
  /** Scheduled slots before this instant do not count (set when the schedule changes). */
  active_from: string;
  created_by: string;
  created_at: string;
  changed_by: string;
  changed_at: string;
}

/** Append-only audit of subscription changes. */
export interface SubscriptionEventTable {
  id: Generated<number>;
  platform: string;
  channel_id: string;
  kind: string;
  /** "subscribe" | "change" | "unsubscribe" */
  action: string;
  actor_id: string;
  actor_name: string | null;
  at: string;
  /** JSON: the settings before and after. */
  detail: string;
}

/** One digest per channel and local day: where it went, or why it did not. */
export interface DigestPostTable {
  id: Generated<number>;
  platform: string;
  channel_id: string;
  local_date: string;
  /** "posting" | "posted" | "updated" | "suppressed" | "failed" | "skipped" */
  status: string;
  message_id: string | null;
  thread_id: string | null;
  attempts: number;
  reason: string | null;
  at: string;
}

/** A GPU request (migration 006-gpu-requests); `data` is the domain value as JSON. */
export interface GpuRequestTable {
  id: Generated<number>;
  version: number;
  state: string;
  requester_id: string;
  requester_name: string | null;
  platform: string;
  subscription_id: string;
  region: string;
  size: string;
  vm_count: number;
  gpus: number;
  hours: number;
  action: string;
  created_at: string;
  updated_at: string;
  next_due_at: string | null;
  data: string;
  /** JSON: where the request's messages were posted. */
  messages: string;
}

/** Append-only audit log of GPU requests (UPDATE and DELETE are refused by triggers). */
export interface GpuRequestEventTable {
  id: Generated<number>;
  request_id: number;
  seq: number | null;
  kind: string;
  actor_id: string;
  actor_name: string | null;
  at: string;
  from_state: string;
  to_state: string;
  detail: string;
}

export interface LeaseTable {
  request_id: number;
  start_at: string;
  end_at: string;
  extensions: number;
  status: string;
  updated_at: string;
}

/** A GPU request's side effect, one row per idempotency key. */
export interface GpuRequestEffectTable {
  key: string;
  request_id: number;
  kind: string;
  status: string;
  attempts: number;
  claimed_by: string | null;
  claimed_until: string | null;
  plan: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
}

/** A pool VM held by a `start-vms` request (migration 007): one row per VM, so no VM is planned twice. */
export interface PoolVmClaimTable {
  vm_key: string;
  request_id: number;
  effect_key: string;
  subscription_id: string;
  resource_group: string;
  vm_name: string;
  claimed_at: string;
}

/** One idle episode of a VM or AKS node (migration 005-idle-alerts). */
export interface AlertStateTable {
  id: Generated<number>;
  /** The VM's ARM id, or "<pool id>/nodes/<node>" (lower-case). */
  alert_key: string;
  /** ISO start of the idle stretch as first seen. */
  episode_start: string;
  /** "open" | "resolved" */
  status: string;
  resource_id: string;
  /** "vm" | "vmss" | "aks-pool" */
  resource_kind: string;
  host: string;
  subscription_id: string;
  owner: string | null;
  /** JSON: the latest figures the message shows (names, size, idle since, money). */
  snapshot: string;
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  /** "busy" | "deallocated" */
  resolution: string | null;
  snoozed_until: string | null;
  /** 1 once the "snooze ended, still idle" reminder went out. */
  snooze_reminded: number;
  keep_until: string | null;
  /** null | "running" | "succeeded" | "failed" */
  deallocate_state: string | null;
  deallocate_by: string | null;
  deallocate_at: string | null;
  deallocate_detail: string | null;
}

/** Where an idle alert was posted, per channel (for updates in place). */
export interface AlertMessageTable {
  id: Generated<number>;
  alert_id: number;
  platform: string;
  channel_id: string;
  message_id: string;
  thread_id: string | null;
  posted_at: string;
  updated_at: string;
}

/** Append-only: every button press on an idle alert (refusals too). */
export interface AlertActionTable {
  id: Generated<number>;
  alert_id: number;
  /** "snooze" | "keep" | "deallocate" | "deallocate_done" | "deallocate_failed" | "refused" */
  action: string;
  actor_id: string;
  actor_name: string | null;
  platform: string;
  at: string;
  detail: string;
}

/** A Slack request key already run (migration 008-slack-request-seen): "sig:v0=…", "event:Ev…", "command:<trigger>". */
export interface SlackRequestSeenTable {
  seen_key: string;
  seen_at: string;
}

export interface Database {
  alert_state: AlertStateTable;
  alert_message: AlertMessageTable;
  alert_action: AlertActionTable;
  job_run: JobRunTable;
  cache_entry: CacheTable;
  teams_conversation: TeamsConversationTable;
  channel_subscription: ChannelSubscriptionTable;
  subscription_event: SubscriptionEventTable;
  digest_post: DigestPostTable;
  gpu_request: GpuRequestTable;
  gpu_request_event: GpuRequestEventTable;
  lease: LeaseTable;
  gpu_request_effect: GpuRequestEffectTable;
  pool_vm_claim: PoolVmClaimTable;
  slack_request_seen: SlackRequestSeenTable;
}

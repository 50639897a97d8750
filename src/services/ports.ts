/**
 * Ports: what the commands need from the outside world, in our own words. Live adapters in
 * azure/ (and later telemetry/, chat/) implement them with the official SDKs; the demo and the
 * tests point those same adapters at the fake Azure. Nothing here imports an SDK.
 */
import type { Reply } from "../reply/reply.ts";

export interface SkuRestriction {
  type: "Location" | "Zone";
  reasonCode: string;
  /** Zones the restriction applies to (Zone restrictions). */
  zones: string[];
}

/** One Resource SKU of resourceType virtualMachines, reduced to what we use. */
export interface VmSku {
  name: string;
  family: string;
  region: string;
  zones: string[];
  restrictions: SkuRestriction[];
  capabilities: Array<{ name: string; value: string }>;
}

export interface SkuPort {
  /** Virtual-machine SKUs a region offers a subscription (restricted ones included, flagged). */
  listVmSkus(subscriptionId: string, region: string): Promise<VmSku[]>;
}

export interface Usage {
  /** API spelling, e.g. "Standard NCASv3_T4 Family" or "cores". */
  name: string;
  localizedName: string;
  current: number;
  limit: number;
}

export interface UsagePort {
  listUsages(subscriptionId: string, region: string): Promise<Usage[]>;
}

/** Where gpuops looks: the configured subscriptions (resolved from a management group if needed). */
export interface ScopePort {
  subscriptions(): Promise<Array<{ id: string; name: string }>>;
}

/** A message gpuops posted, addressable for later updates (Slack ts, Teams activity id). */
export interface PostedMessage {
  platform: string;
  channelId: string;
  messageId: string;
  /** Thread root when the message sits in a thread. */
  threadId?: string;
}

/**
 * Post or update a message in a channel, used by digests, alerts and approvals. Implemented per
 * platform (Slack chat.postMessage/chat.update, Teams continueConversation, the console).
 * Rate limits and retries are the implementation's job; a permanent failure throws a
 * GpuopsError whose message says why (channel archived, app removed).
 */
export interface PostingPort {
  platform: string;
  post(channelId: string, reply: Reply, opts?: { threadId?: string }): Promise<PostedMessage>;
  update(message: PostedMessage, reply: Reply): Promise<void>;
}

export interface Services {
  scope: ScopePort;
  skus: SkuPort;
  usages: UsagePort;
}

/**
 * Ports: what the commands need from the outside world, in our own words, one file per concept
 * under ports/. Live adapters in azure/, telemetry/, chat/ and store/ implement them; the demo and
 * the tests point those same adapters at the fake Azure. Nothing here imports an SDK.
 */
import type { CostPort, FleetPort, PricePort, ScopePort, SkuPort, UsagePort } from "./ports/azure.ts";
import type { ChartPort } from "./ports/charts.ts";
import type { OpenAiPort } from "./ports/openai.ts";
import type { ReaderPort } from "./ports/reader.ts";
import type { RequestsPort } from "./ports/requests.ts";
import type { IdleEpisodesPort, StatusPort, SubscriptionPort } from "./ports/store.ts";
import type { UtilizationPort } from "./ports/telemetry.ts";

export type {
  CostGrouping,
  CostPort,
  CostPurchase,
  CostQuery,
  CostResult,
  CostRow,
  CostType,
  FleetInventory,
  FleetPort,
  GpuResource,
  GpuResourceKind,
  ListPrice,
  MissingScope,
  PoolVm,
  PoolVmRef,
  PowerState,
  PricePort,
  ProvisioningPort,
  ScopePort,
  SkuPort,
  SkuRestriction,
  Usage,
  UsagePort,
  VmPowerPort,
  VmSku,
} from "./ports/azure.ts";
export type { ChartPort, DailySpendChart, ImageRef } from "./ports/charts.ts";
export type { GroupDirectory, PostedMessage, PostingPort, UserDirectoryPort } from "./ports/chat.ts";
export type { OpenAiAccount, OpenAiDeployment, OpenAiModelCapacity, OpenAiModelVersion, OpenAiPort, PtuUtilization } from "./ports/openai.ts";
export type { ReaderPick, ReaderPort, ReaderTool } from "./ports/reader.ts";
export type { ApproverList, RequestsPort } from "./ports/requests.ts";
export type {
  AuditRow,
  CachePort,
  ChannelSubscription,
  ConversationRefShape,
  ConversationRefsPort,
  GpuRequestStorePort,
  IdleEpisodesPort,
  JobStatus,
  RequestMessages,
  SeenRequests,
  SideEffect,
  StatusPort,
  StatusSnapshot,
  StoredConversation,
  StoredRequest,
  SubscriptionEvent,
  SubscriptionKind,
  SubscriptionPort,
  SubscriptionSettings,
} from "./ports/store.ts";
export type { UtilizationPort, UtilizationQuery, UtilizationReading, UtilizationResult } from "./ports/telemetry.ts";

/** Every port the commands may use; optional ones are absent where that part is not wired. */
export interface Services {
  scope: ScopePort;
  skus: SkuPort;
  usages: UsagePort;
  fleet: FleetPort;
  prices: PricePort;
  cost: CostPort;
  charts: ChartPort;
  /** Channel subscriptions (digest, idle alerts); present when the store is open (the server, not the one-shot CLI). */
  subscriptions?: SubscriptionPort;
  /** Health, freshness, job runs and broken subscriptions for `status`; present when the scheduler's store is open. */
  status?: StatusPort;
  /** GPU utilisation of VMs and AKS nodes (Prometheus / Azure Monitor), for `idle` and idle alerts. */
  utilization?: UtilizationPort;
  /** Idle episodes the idle scan has watched (with the store): idle starts older than the telemetry look-back. */
  idleEpisodes?: IdleEpisodesPort;
  /** GPU requests, approvals and leases; present when the store is open. */
  requests?: RequestsPort;
  /** Azure OpenAI capacity (`openai`); absent in wirings without it. */
  openai?: OpenAiPort;
  /** Reads plain words the grammar could not; absent (off) unless configured. */
  reader?: ReaderPort;
}

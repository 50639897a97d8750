/**
 * Ports: what the commands need from the outside world, in our own words. Live adapters in
 * azure/ (and later telemetry/, chat/) implement them with the official SDKs; the demo and the
 * tests point those same adapters at the fake Azure. Nothing here imports an SDK.
 */
import type { DigestScope, NoiseRule } from "../domain/digest.ts";
import type { AuditEntry, GpuRequest, RequestPolicy } from "../domain/gpu-request.ts";
import type { VmTelemetry } from "../domain/idle-rule.ts";
import type { MaybePrice } from "../domain/money.ts";
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
  /** `marker` tags the message (Slack: message metadata) so findPosted can tell later whether this post landed. */
  post(channelId: string, reply: Reply, opts?: { threadId?: string; marker?: string }): Promise<PostedMessage>;
  update(message: PostedMessage, reply: Reply): Promise<void>;
  /**
   * Whether a post tagged `marker` reached the channel since `since` (after a crash or a timeout,
   * before posting again). "unknown" when this platform cannot tell (no history read, missing scope).
   */
  findPosted?(channelId: string, marker: string, since: Date): Promise<PostedMessage | "unknown" | undefined>;
}

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
  /** GPU requests, approvals and leases (issue 8); present when the store is open. */
  requests?: RequestsPort;
}

// ---------------------------------------------------------------------------------------------
// Fleet, prices, spend and charts (issue 5). Used by `cost`, `running`, and later the digest,
// idle alerts and GPU requests.

/**
 * VM power state as Azure reports it (`PowerState/<state>`). "stopped" is stopped but still
 * allocated: the compute is still billed. Only "deallocated" stops the meter.
 */
export type PowerState = "running" | "starting" | "stopping" | "stopped" | "deallocating" | "deallocated" | "unknown";

export type GpuResourceKind = "vm" | "vmss" | "aks-pool";

/** One GPU VM, GPU VM scale set or AKS GPU node pool, as the fleet inventory reports it. */
export interface GpuResource {
  /** ARM id; for an AKS pool the cluster id + "/agentPools/<pool>". */
  id: string;
  name: string;
  kind: GpuResourceKind;
  subscriptionId: string;
  resourceGroup: string;
  region: string;
  /** ARM size name, e.g. "Standard_NC24ads_A100_v4". */
  size: string;
  /** 1 for a VM; a scale set's capacity; an AKS pool's node count. */
  instances: number;
  /** For scale sets and pools: "running" when instances are allocated, "deallocated" when scaled to zero or stopped. */
  powerState: PowerState;
  tags: Record<string, string>;
  owner?: string;
  team?: string;
  costCenter?: string;
  /** ISO time the resource was created, when Azure reports it. */
  createdAt?: string;
}

/** A part of the scope an answer could not cover, and the role that would fix it. */
export interface MissingScope {
  subscriptionId: string;
  reason: string;
  /** "Reader" (inventory) or "Cost Management Reader" (spend). */
  role: string;
}

export interface FleetInventory {
  resources: GpuResource[];
  missing: MissingScope[];
  /** ISO time the inventory was read. */
  fetchedAt: string;
}

export interface FleetPort {
  /** Every GPU VM, scale set and AKS GPU pool in these subscriptions (one paged Resource Graph query). */
  gpuInventory(subscriptionIds: string[]): Promise<FleetInventory>;
}

/** A list price that may be unknown; unknown is never 0. */
export type ListPrice = MaybePrice;

export interface PricePort {
  /** Pay-as-you-go Linux hourly list price of a size in a region (Spot, Low Priority and Windows excluded). */
  hourlyPrice(size: string, region: string): Promise<ListPrice>;
}

/** How spend is split: validated by the command parser before it reaches a query. */
export type CostGrouping = { kind: "rg" } | { kind: "size" } | { kind: "subscription" } | { kind: "tag"; key: string };

export type CostType = "ActualCost" | "AmortizedCost";

export type CostScope = { kind: "subscriptions"; subscriptionIds: string[] } | { kind: "managementGroup"; id: string };

export interface CostQuery {
  scope: CostScope;
  /** Inclusive ISO dates (billing days are UTC dates). */
  from: string;
  to: string;
  /** Daily rows, or one total per group. */
  granularity: "Daily" | "None";
  grouping: CostGrouping;
  type: CostType;
  /** Also list the one-off purchases (reservations, savings plans) of these inclusive dates, apart from the usage rows (ActualCost only). */
  purchases?: { from: string; to: string };
}

/** One row of GPU spend: a group on a day (or over the whole range when granularity is None). */
export interface CostRow {
  /** ISO date; absent for granularity None. */
  date?: string;
  /** Resource group, size ("NC24ads_A100_v4"), subscription id or tag value; "" when Azure has none. */
  group: string;
  amount: number;
  /** As returned by Cost Management. */
  currency: string;
  /** The subscription the row was billed to, when the query ran per subscription (lower-case). */
  subscriptionId?: string;
  /** "one": only one of the two GPU readings (meter subcategory pattern, catalogue) said GPU compute. */
  classifiedBy?: "one";
}

/** A one-off GPU purchase (ChargeType Purchase): a reservation or savings plan bought, kept apart from usage. */
export interface CostPurchase {
  date: string;
  amount: number;
  currency: string;
  /** As Cost Management names it: "Reservation", "SavingsPlan", or "" when it says nothing. */
  pricingModel: string;
  subscriptionId?: string;
}

export interface CostResult {
  /** Usage only (for ActualCost, purchases are not in these rows). */
  rows: CostRow[];
  missing: MissingScope[];
  /** Present when the query asked for purchases. */
  purchases?: CostPurchase[];
}

export interface CostPort {
  /** GPU compute spend (N-series meters of VMs, scale sets and AKS pools) for a scope and range. */
  gpuSpend(query: CostQuery): Promise<CostResult>;
}

/** A daily series for a stacked chart; values align with `dates`. */
export interface DailySpendChart {
  title: string;
  currency: string;
  dates: string[];
  groups: Array<{ label: string; values: number[] }>;
  /** Days from this ISO date on are still being billed: drawn as partial. */
  partialFrom?: string;
}

/** Where a rendered image can be fetched: an id in the image store, and a URL when one is known. */
export interface ImageRef {
  imageId: string;
  url?: string;
}

export interface ChartPort {
  /** Renders a PNG of daily spend, stacked by group, and keeps it for the renderers. */
  dailySpend(chart: DailySpendChart): Promise<ImageRef>;
}

// ---------------------------------------------------------------------------------------------
// Channel subscriptions and status (issue 6). Used by `subscribe`, `subscriptions`, `status`,
// the digest and idle-alert jobs, and the doors' home views.

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

// ---------------------------------------------------------------------------------------------
// Idle GPUs (issue 7): GPU utilisation of running VMs and AKS nodes. Used by `idle`, the idle
// scan job and the digest's "idle more than 24 h" section.

/** One VM, or one node of an AKS pool / instance of a scale set, with its GPU telemetry. */
export interface UtilizationReading {
  /** Stable id: the VM's ARM id, or "<pool or scale set id>/nodes/<node name>". */
  key: string;
  resource: GpuResource;
  /** VM or node name. */
  host: string;
  telemetry: VmTelemetry;
}

export interface UtilizationQuery {
  now: Date;
  /** The longest idle window in use (subscriptions may override it). */
  windowSeconds: number;
  /** How far back to look for the start of an idle stretch. */
  lookbackSeconds: number;
  /** The highest thresholds in use: only hosts below them get the (costlier) look back. */
  idleBelow: { utilPercent: number; engineActive: number };
}

export interface UtilizationResult {
  readings: UtilizationReading[];
  /** Queries sent per source for this read, e.g. { prometheus: 2, "azure-monitor": 3 }. */
  queries: Record<string, number>;
  /** The sources asked, in order ("prometheus", "azure-monitor"). */
  sources: string[];
}

export interface UtilizationPort {
  /** GPU activity of every VM and node of these (running) resources; missing telemetry is a value, never an error. */
  read(resources: GpuResource[], query: UtilizationQuery): Promise<UtilizationResult>;
}

// ---------------------------------------------------------------------------------------------
// GPU requests (issue 8): the request store with its append-only audit log and side-effect
// claims, the provisioning actions run on approval, and who may approve on each platform.

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

/** A pool VM by resource group and name (within the request's subscription). */
export interface PoolVmRef {
  resourceGroup: string;
  name: string;
}

/** A VM of a pool of pre-provisioned GPU VMs (tagged), with its power state. */
export interface PoolVm {
  id: string;
  name: string;
  resourceGroup: string;
  size: string;
  region: string;
  powerState: PowerState;
}

/** The Azure side effects of an approval, each idempotent (safe to repeat after a crash). */
export interface ProvisioningPort {
  /** VMs tagged `<tag>` of a size in a region. */
  listPoolVms(subscriptionId: string, region: string, size: string, tag: string): Promise<PoolVm[]>;
  startVm(subscriptionId: string, resourceGroup: string, name: string): Promise<void>;
  deallocateVm(subscriptionId: string, resourceGroup: string, name: string): Promise<void>;
  nodePool(subscriptionId: string, resourceGroup: string, cluster: string, pool: string): Promise<{ count: number; vmSize: string; region: string | undefined }>;
  scaleNodePool(subscriptionId: string, resourceGroup: string, cluster: string, pool: string, count: number): Promise<void>;
  /** Files a Microsoft.Quota increase of a family's vCPU limit; returns the state Azure reports. */
  requestQuota(subscriptionId: string, region: string, family: string, limit: number): Promise<{ state: string; message?: string }>;
}

/** Stops a VM by its resource id and releases its compute (and GPUs), reporting progress as it goes (idle alerts' Deallocate). */
export interface VmPowerPort {
  deallocate(resourceId: string, onProgress: (status: string) => void): Promise<void>;
}

/** Approvers of one platform, as configured. */
export interface ApproverList {
  approvers: string[];
  escalation: string[];
  channel?: string | undefined;
}

/** Resolves group membership on a platform (Slack user groups); absent → only listed users count. */
export interface GroupDirectory {
  platform: string;
  isMember(userId: string, groupId: string): Promise<boolean>;
}

export interface RequestsPort {
  store: GpuRequestStorePort;
  provisioning: ProvisioningPort;
  policy: RequestPolicy;
  approvers: Record<string, ApproverList>;
  action: GpuRequest["action"];
  subscriptionId?: string | undefined;
  poolTag: string;
  nodePool?: { resourceGroup: string; cluster: string; pool: string } | undefined;
  /** Where posts go per platform (slack, teams, console); undefined when that door is off. */
  posting(platform: string): PostingPort | undefined;
  groups(platform: string): GroupDirectory | undefined;
  /** Asks for a request's side effects to run now (they also run on the next job tick). */
  kick(requestId: string): void;
}

// ---------------------------------------------------------------------------------------------
// Azure OpenAI capacity: TPM/PTU quota, where a model can be deployed, deployments and idle PTUs.
// Used by `openai` and the digest's Azure OpenAI section.

/** A Cognitive Services account that can host Azure OpenAI deployments (kind OpenAI or AIServices). */
export interface OpenAiAccount {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  region: string;
  kind: string;
}

export interface OpenAiDeployment {
  id: string;
  name: string;
  account: OpenAiAccount;
  model: string;
  version: string;
  /** Deployment type (`sku.name`): Standard, GlobalStandard, ProvisionedManaged… */
  type: string;
  /** `sku.capacity`: thousands of TPM, or PTUs for provisioned types. */
  capacity: number | undefined;
  provisioningState: string;
}

/** A model version a region offers, with its retirement date when Azure gives one. */
export interface OpenAiModelVersion {
  format: string;
  name: string;
  version: string;
  /** ISO date inference stops (`deprecation.inference`). */
  retiresAt?: string;
}

export interface OpenAiModelCapacity {
  region: string;
  model: string;
  version: string;
  skuName: string;
  /** Thousands of TPM, or PTUs for provisioned types. */
  availableCapacity: number;
}

/** Hourly utilisation (%) of one provisioned deployment, from Azure Monitor. */
export interface PtuUtilization {
  deployment: string;
  points: number[];
}

export interface OpenAiPort {
  accounts(subscriptionId: string): Promise<OpenAiAccount[]>;
  deployments(account: OpenAiAccount): Promise<OpenAiDeployment[]>;
  /** Quota rows of `Microsoft.CognitiveServices/locations/{region}/usages` (all of them; callers pick OpenAI.*). */
  usages(subscriptionId: string, region: string): Promise<Usage[]>;
  models(subscriptionId: string, region: string): Promise<OpenAiModelVersion[]>;
  /** Capacity per region and deployment type for one model version (subscription-wide, or one region). */
  modelCapacities(subscriptionId: string, model: { format: string; name: string; version: string }, region?: string): Promise<OpenAiModelCapacity[]>;
  /** `AzureOpenAIProvisionedManagedUtilizationV2` per deployment of an account, hourly maxima over [from, to). */
  ptuUtilization(account: OpenAiAccount, from: Date, to: Date): Promise<PtuUtilization[]>;
  /** The hourly price of one PTU used for idle cost; `source` says where it came from. */
  ptuHourlyPrice(): MaybePrice & { source?: string };
}

export interface Services {
  /** Azure OpenAI capacity (`openai`); absent in wirings that predate it. */
  openai?: OpenAiPort;
}

/**
 * Who a platform user id is, as the platform itself says (Slack users.info with users:read.email).
 * Used to match a VM's owner tag (an e-mail) to the person clicking; never a display name.
 */
export interface UserDirectoryPort {
  platform: string;
  /** The user's e-mail as the platform reports it, or undefined (unknown user, no scope, lookup failed). */
  verifiedEmail(userId: string): Promise<string | undefined>;
}

// --- Ports the store implements for doors and adapters (conversation refs, seen requests, cache) ---

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
}

/** A shared cache of fetched answers (the store's cache table): survives restarts, shared by replicas. */
export interface CachePort {
  cacheGet(key: string, now: Date): Promise<string | undefined>;
  cachePut(key: string, value: string, ttlSeconds: number, now: Date): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Plain-words reader: an optional language model that picks one command of the grammar for a
// question the deterministic reader (src/understand) could not read. Only the question and the
// tool list go to it; what it picks is checked by the typed grammar before anything runs.

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

export interface Services {
  /** Reads plain words the grammar could not; absent (off) unless configured. */
  reader?: ReaderPort;
}

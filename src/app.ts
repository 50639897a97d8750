/**
 * The composition root: turns a Config into running parts (fake Azure in demo mode, the Azure
 * client factory, adapters behind the ports, the store). Doors (server, CLI, jobs) start here.
 */

import type { WebClient } from "@slack/web-api";
import { AZURE_SDKS, type AzureAccess, createAzureAccess, yieldToIo } from "./azure/client-factory.ts";
import type { QpuBudgetOptions } from "./azure/cost-budget.ts";
import { createProvisioningAdapter, createVmPower } from "./azure/provisioning.ts";
import { ptuPriceAnswer, ptuPriceSetting } from "./azure/ptu-price.ts";
import { createFleetAdapter, resolveManagementGroupSubscriptions } from "./azure/resource-graph.ts";
import { createScope } from "./azure/scope.ts";
import { createSkuAdapter } from "./azure/skus.ts";
import { createUsageAdapter } from "./azure/usages.ts";
import { createChartService } from "./charts/chart-service.ts";
import { createImageStore, type ImageStore } from "./charts/image-store.ts";
import type { HomeSectionProvider } from "./chat/slack/app-home.ts";
import type { ModalBuilder } from "./chat/slack/modals.ts";
import { createRouter, type Router } from "./commands/router.ts";
import type { CommandContext, CoreLogger } from "./commands/types.ts";
import type { Config } from "./config.ts";
import type { FakeAzure } from "./fake-azure/server.ts";
import { digestJobs, type RetryPolicy } from "./jobs/digest.ts";
import { type IdleActions, idleActions } from "./jobs/idle-actions.ts";
import { IDLE_SCAN_JOB, idleScanJob } from "./jobs/idle-scan.ts";
import { createPostingRegistry, type PostingRegistry } from "./jobs/posting-registry.ts";
import { createRequestsRuntime, policyFrom, type RequestsRuntime, type RequestsRuntimeOptions } from "./jobs/request-actions.ts";
import { type Clock, createScheduler, type Scheduler } from "./jobs/scheduler.ts";
import { createStatusPort } from "./jobs/status-report.ts";
import { createLifecycle, instrumentInPlace, type Lifecycle } from "./lifecycle.ts";
import { createLogger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { CostPort, OpenAiPort, PricePort, Services, UserDirectoryPort } from "./services/ports.ts";
import { createRunMemo } from "./services/run-memo.ts";
import { createGpuRequestStore } from "./store/gpu-requests.ts";
import { createJobClaims } from "./store/job-claims.ts";
import type { Store } from "./store/store.ts";
import { createSubscriptionStore, type SubscriptionStore } from "./store/subscriptions.ts";
import { createUtilizationFromConfig, idleSettingsFrom } from "./telemetry/from-config.ts";

export interface App {
  config: Config;
  azure: AzureAccess;
  services: Services;
  store: Store | undefined;
  fake: FakeAzure | undefined;
  /** Rendered charts, served at /charts/<id>.png (or uploaded by a renderer). */
  images: ImageStore;
  /** Tells the chart links where gpuops is reachable when GPUOPS_PUBLIC_URL is not set (the server's own URL). */
  setPublicUrl(url: string): void;
  /** Posting ports by platform: doors register theirs; digests and alerts look them up. */
  posting: PostingRegistry;
  /** Platform user directories (verified e-mails for owner tags); doors register theirs (Slack). */
  directories: Map<string, UserDirectoryPort>;
  /** Channel subscriptions (with the store). */
  subscriptions: SubscriptionStore | undefined;
  /** The job scheduler (with the store); the server starts it unless GPUOPS_SCHEDULER=false. Others add jobs with `every`. */
  scheduler: Scheduler | undefined;
  /** GPU requests: the port the commands use, the side-effect runner and the lease clock (with the store). */
  requests: RequestsRuntime | undefined;
  context(): CommandContext;
  /** Hands the Slack door what the app builds for it and from its client: the request forms, approver groups, verified e-mails for owner tags, the subscriptions' Home tab section. */
  attachSlack(door: SlackDoorParts): Promise<void>;
  /** Runs commands and button clicks for every door (verbs, and the buttons of this app's features). */
  router: Router;
  /** The idle alert buttons (with the store): `settle()` waits for deallocations in flight. */
  idleActions: IdleActions | undefined;
  /** Prometheus metrics (/metrics; the server asks for them) and readiness / graceful shutdown (/readyz, SIGTERM). */
  metrics: Metrics | undefined;
  lifecycle: Lifecycle;
  /** Loads the Azure SDKs the first answers and the first idle scan need, a step at a time (the server runs it once it listens; answers load them on demand anyway). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** What the app needs of a started Slack door (the door depends on the app, not the other way round). */
interface SlackDoorParts {
  client: WebClient;
  onModal(verb: string, build: ModalBuilder): void;
  addHomeSection(provider: HomeSectionProvider): void;
}

export interface AppOptions {
  /** Prometheus metrics (the server's /metrics). */
  metrics?: boolean;
  /** The CLI answers without a store; the server always opens one. */
  withStore?: boolean;
  log?: CoreLogger;
  now?: () => Date;
  /** Use this already-running fake instead of starting one (tests). */
  fake?: FakeAzure;
  /** Write chart PNGs into this folder and link their paths (the CLI) instead of serving them. */
  chartDir?: string;
  /** The Cost Management QPU budget's windows (tests that simulate weeks of digests in seconds widen them). */
  costBudget?: QpuBudgetOptions;
  /** Scheduler knobs for tests: a fake clock (also the app's `now`), wake-up interval, digest retry policy and sleep. */
  jobs?: {
    clock?: Clock;
    refreshMs?: number;
    retry?: Partial<RetryPolicy>;
    sleep?: (ms: number) => Promise<void>;
    owner?: string;
    only?: (job: string) => boolean;
    /** Claim takeover window and heartbeat (real ms; the soak shortens them). */
    staleClaimMs?: number;
    heartbeatMs?: number;
  };
  /**
   * GPU request side-effect claim length and heartbeat for tests (defaults in src/jobs/request-actions.ts),
   * and a hook run when a decision hands its action to the runner (a crash test kills the process there).
   */
  requestRuntime?: Pick<RequestsRuntimeOptions, "claimMs" | "heartbeatMs" | "beforeAction">;
}

/** Azure as this process reaches it: the fake tenant in demo mode (started here unless given), else the configured cloud and scope. */
async function connectAzure(config: Config, opts: AppOptions): Promise<{ fake: FakeAzure | undefined; azure: AzureAccess; scope: Services["scope"] }> {
  // The demo's fake Azure (its routes and seed tenant) is loaded only in demo mode: a deployed gpuops never holds it.
  const fake = config.demo ? (opts.fake ?? (await (await import("./fake-azure/server.ts")).startFakeAzure())) : undefined;
  const azure = createAzureAccess({
    cloud: config.azure.cloud,
    url: fake ? fake.url : config.azure.url,
    token: fake ? fake.token : config.azure.token,
    concurrency: config.azure.concurrency,
    maxRetries: config.azure.maxRetries,
    maxRetryWaitSeconds: config.azure.maxRetryWaitSeconds,
    tryTimeoutMs: config.azure.tryTimeoutSeconds * 1000,
    loopbackCa: fake?.ca,
  });
  const scope = fake
    ? createScope({ subscriptionIds: fake.tenant.subscriptions.map((s) => s.id), names: Object.fromEntries(fake.tenant.subscriptions.map((s) => [s.id, s.name])) })
    : createScope({
        subscriptionIds: config.azure.subscriptionIds,
        managementGroup: config.azure.managementGroup,
        resolveManagementGroup: (group) => resolveManagementGroupSubscriptions(azure, group),
      });
  return { fake, azure, scope };
}

/** Runs `make` once, on first use; every caller gets that one result. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/**
 * Cost Management, Retail Prices and Azure OpenAI: each adapter (and the SDK it loads) is built
 * on its first call, so none of them sits on the start-up path; `warm` builds them all (the
 * server runs it once it listens). The PTU price setting is still checked here, at start.
 */
function lazyAdapters(config: Config, opts: AppOptions, azure: AzureAccess, fake: FakeAzure | undefined, store: Store | undefined, now: () => Date) {
  // Kept once built: what the price cache holds is read synchronously (warm answers are kept by it).
  let builtPrices: PricePort | undefined;
  const prices = once(async () => {
    builtPrices = (await import("./azure/retail-prices.ts")).createPriceAdapter(azure, {
      baseUrl: fake ? fake.url : config.azure.pricesUrl,
      currency: config.currency,
      store,
      now,
    });
    return builtPrices;
  });
  const cost = once(async () => (await import("./azure/cost.ts")).createCostAdapter(azure, { store, now, ...(opts.costBudget ? { budget: opts.costBudget } : {}) }));
  const ptu = ptuPriceSetting({ GPUOPS_OPENAI_PTU_HOURLY_PRICE: config.openai.ptuHourlyPrice }, { demo: config.demo, currency: config.currency });
  const openai = once(async () => (await import("./azure/cognitive-services.ts")).createOpenAiAdapter(azure, { ptuHourlyPrice: ptu }));
  const ports: { prices: PricePort; cost: CostPort; openai: OpenAiPort } = {
    prices: { hourlyPrice: async (size, region) => (await prices()).hourlyPrice(size, region), cachedPriceList: (region) => builtPrices?.cachedPriceList?.(region) },
    cost: { gpuSpend: async (query) => (await cost()).gpuSpend(query) },
    openai: {
      accounts: async (subscriptionId) => (await openai()).accounts(subscriptionId),
      deployments: async (account) => (await openai()).deployments(account),
      usages: async (subscriptionId, region) => (await openai()).usages(subscriptionId, region),
      models: async (subscriptionId, region) => (await openai()).models(subscriptionId, region),
      modelCapacities: async (subscriptionId, model, region) => (await openai()).modelCapacities(subscriptionId, model, region),
      ptuUtilization: async (account, from, to) => (await openai()).ptuUtilization(account, from, to),
      ptuHourlyPrice: () => ptuPriceAnswer(ptu),
    },
  };
  // One at a time, yielding between them: requests that arrive meanwhile are not held behind them all.
  const warm = async (stopped: () => boolean) => {
    // Monitor's SDK only when its metrics are a telemetry source (GPUOPS_MONITOR_METRICS).
    const sdks = [AZURE_SDKS.core, AZURE_SDKS.resourceGraph, ...(config.telemetry.monitorMetrics === "true" ? [AZURE_SDKS.monitor] : []), AZURE_SDKS.compute];
    for (const load of [...sdks, prices, cost, openai]) {
      await yieldToIo();
      if (stopped()) return;
      await load();
    }
  };
  return { ports, warm };
}

/** The Azure adapters behind the core's read ports (the store caches prices and cost when there is one). */
function azureServices(
  config: Config,
  opts: AppOptions,
  parts: {
    azure: AzureAccess;
    fake: FakeAzure | undefined;
    scope: Services["scope"];
    store: Store | undefined;
    now: () => Date;
    images: ImageStore;
    publicUrl: () => string | undefined;
    lazy: ReturnType<typeof lazyAdapters>["ports"];
  },
): Services {
  const { azure, fake, now } = parts;
  return {
    scope: parts.scope,
    skus: createSkuAdapter(azure, { ttlSeconds: config.azure.skuCacheTtlSeconds }),
    usages: createUsageAdapter(azure),
    fleet: createFleetAdapter(azure, { now }),
    prices: parts.lazy.prices,
    cost: parts.lazy.cost,
    charts: createChartService({ images: parts.images, publicUrl: parts.publicUrl, fileDir: opts.chartDir }),
    // Demo and tests: the fake Azure also stands in for the regional Monitor metrics host.
    utilization: createUtilizationFromConfig(config, azure, { monitorMetricsUrl: fake ? fake.url : undefined }),
    openai: parts.lazy.openai,
  };
}

/** The optional Azure OpenAI reader for plain words: loaded only when configured (off by default). */
async function readerFrom(config: Config, azure: AzureAccess): Promise<Services["reader"]> {
  const r = config.reader;
  if (!r.endpoint || !r.deployment) return undefined;
  const { createOpenAiReader } = await import("./azure/openai-reader.ts");
  return createOpenAiReader({ endpoint: r.endpoint, deployment: r.deployment, apiVersion: r.apiVersion, apiKey: r.apiKey, credential: azure.credential });
}

function settingsFrom(config: Config) {
  return {
    regions: config.regions,
    currency: config.currency,
    timezone: config.timezone,
    demo: config.demo,
    idle: idleSettingsFrom(config),
    digest: { defaultAt: config.digest.defaultAt, groupBy: config.digest.groupBy },
    commandDeadlineMs: config.azure.commandDeadlineSeconds * 1000,
  };
}

/** What the jobs are built from: the adapters, the store and the app's shared registries. */
interface JobParts {
  config: Config;
  opts: AppOptions;
  azure: AzureAccess;
  fake: FakeAzure | undefined;
  store: Store;
  services: Services;
  settings: ReturnType<typeof settingsFrom>;
  posting: PostingRegistry;
  directories: Map<string, UserDirectoryPort>;
  context: () => CommandContext;
  now: () => Date;
  metrics: Metrics | undefined;
}

/** The scheduler with its jobs (digests, the idle scan, housekeeping), `status`, and the idle alerts' buttons. */
function scheduleJobs(p: JobParts): { scheduler: Scheduler; subscriptions: SubscriptionStore; idle: IdleActions } {
  const { config, opts, store, services, posting, context, now, metrics } = p;
  const j = opts.jobs ?? {};
  const clock = j.clock;
  let scheduler: Scheduler | undefined;
  const subscriptions = createSubscriptionStore(store.db, { onChange: () => scheduler?.poke() });
  scheduler = createScheduler({
    claims: createJobClaims(store),
    ...(clock ? { clock } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(j.refreshMs ? { refreshMs: j.refreshMs } : {}),
    ...(j.owner ? { owner: j.owner } : {}),
    ...(j.only ? { only: j.only } : {}),
    ...(metrics ? { onRunEnd: metrics.jobRun } : {}),
    ...(j.staleClaimMs ? { staleClaimMs: j.staleClaimMs } : {}),
    ...(j.heartbeatMs ? { heartbeatMs: j.heartbeatMs } : {}),
  });
  const jobs = scheduler;
  // Digests due at the same minute share one quota, telemetry, inventory and Azure OpenAI (accounts, deployments, PTU metrics) read per scope.
  const runMemo = createRunMemo({ now });
  jobs.source(
    "digests",
    digestJobs({
      subscriptions,
      posting,
      context: () => runMemo.context(context()),
      now,
      ...(opts.log ? { log: opts.log } : {}),
      ...(j.retry ? { retry: j.retry } : {}),
      ...(j.sleep ? { sleep: j.sleep } : {}),
    }),
  );
  services.subscriptions = subscriptions;
  services.status = createStatusPort({ store, subscriptions, posting, scheduler: () => (jobs.isRunning() ? jobs : undefined), azure: p.azure, demo: config.demo, now });
  // Idle episodes the scan records reach back past the telemetry for `idle` and the digest.
  services.idleEpisodes = store.alerts;
  // Idle alerts: the scan every 15 min (claimed once per slot) and the alert buttons.
  jobs.every(IDLE_SCAN_JOB, p.settings.idle.scanEverySeconds * 1000, idleScanJob({ store, posting, context, ...(opts.log ? { log: opts.log } : {}) }));
  // Minute-level jobs leave a claim row per run; keep 30 days of them for `status` and audits.
  jobs.every("store-housekeeping", "17 3 * * *", async (run) => {
    await store.pruneJobRuns(new Date(run.scheduledAt.getTime() - 30 * 86_400_000));
  });
  const idle = idleActions({
    store,
    posting,
    power: createVmPower(p.azure, { pollIntervalMs: p.fake ? 100 : 2000 }),
    directory: (platform) => p.directories.get(platform),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return { scheduler: jobs, subscriptions, idle };
}

/** GPU requests: their store and Azure side effects handed to the runner, checked every minute by the scheduler. */
function requestsRuntime(p: JobParts, scheduler: Scheduler | undefined): RequestsRuntime {
  const { config, opts, store, posting } = p;
  const policy = policyFrom(config.approvals);
  const requests = createRequestsRuntime({
    store: createGpuRequestStore(store.db, policy),
    // The fake Azure answers long-running operations at once; real Azure's Retry-After paces them.
    provisioning: createProvisioningAdapter(p.azure, p.fake ? { pollIntervalMs: 50 } : {}),
    policy,
    approvals: config.approvals,
    demo: config.demo,
    posting: (platform) => posting.get(platform),
    now: p.now,
    log: opts.log,
    ...opts.requestRuntime,
  });
  p.services.requests = requests.port;
  // Reminders, escalations and lease ends are checked every minute; open side effects resume here too.
  scheduler?.every("gpu-requests", "* * * * *", async (run) => {
    await requests.runLeaseJobs(run.scheduledAt);
  });
  return requests;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const { fake, azure, scope } = await connectAzure(config, opts);
  // Loaded only with a store: Kysely, its migrations and the database drivers are a large import the one-shot CLI skips.
  const store = opts.withStore ? await (await import("./store/store.ts")).openStore({ databaseUrl: config.store.databaseUrl, dataDir: config.store.dataDir }) : undefined;
  const clock = opts.jobs?.clock;
  const now = opts.now ?? (clock ? () => clock.now() : () => new Date());
  const images = createImageStore({ store, now });
  let publicUrl = config.server.publicUrl;
  const lazy = lazyAdapters(config, opts, azure, fake, store, now);
  const services = azureServices(config, opts, { azure, fake, scope, store, now, images, publicUrl: () => publicUrl, lazy: lazy.ports });
  const reader = await readerFrom(config, azure);
  if (reader) services.reader = reader;
  const settings = settingsFrom(config);
  // Loaded only for the server: prom-client is a noticeable import for a one-shot CLI answer.
  const metrics = opts.metrics ? (await import("./metrics.ts")).createMetrics({ azure }) : undefined;
  const lifecycle = createLifecycle({
    store,
    ...(opts.log ? { log: opts.log } : {}),
    drainDelaySeconds: config.shutdown.drainDelay,
    shutdownTimeoutSeconds: config.shutdown.timeout,
  });
  const observe = (request: Parameters<Metrics["commandStarted"]>[0]) => {
    const ends = [lifecycle.commandStarted(request), ...(metrics ? [metrics.commandStarted(request)] : [])];
    return (reply: Parameters<ReturnType<Metrics["commandStarted"]>>[0]) => {
      for (const end of ends) end(reply);
    };
  };
  // Commands always have somewhere to report what they could not answer: the caller's logger, else one at the configured level.
  const log = opts.log ?? createLogger(config.logLevel, process.stderr);
  const context = (): CommandContext => ({ services, settings, now, observe, log });
  // Posts count for /metrics and as in-flight work on shutdown; the port keeps its identity and extra methods.
  const posting = createPostingRegistry([], (port) => instrumentInPlace(port, (p) => lifecycle.trackPosting(metrics ? metrics.instrumentPosting(p) : p)));
  const directories = new Map<string, UserDirectoryPort>();
  const parts = store ? { config, opts, azure, fake, store, services, settings, posting, directories, context, now, metrics } : undefined;
  const jobs = parts ? scheduleJobs(parts) : undefined;
  const scheduler = jobs?.scheduler;
  const requests = parts ? requestsRuntime(parts, scheduler) : undefined;
  const router = createRouter({ actions: jobs?.idle.handlers ?? [] });
  let warming: Promise<void> | undefined;
  let closed = false;
  return {
    config,
    azure,
    services,
    store,
    fake,
    images,
    posting,
    directories,
    subscriptions: jobs?.subscriptions,
    scheduler,
    requests,
    metrics,
    lifecycle,
    router,
    idleActions: jobs?.idle,
    warmUp() {
      warming ??= lazy.warm(() => closed);
      return warming;
    },
    setPublicUrl(url) {
      publicUrl = config.server.publicUrl ?? url;
    },
    context,
    async attachSlack(door) {
      // Loaded with the Slack door only (the door has already loaded the Slack SDK these use).
      const [{ registerSlackRequestForms, slackGroupDirectory }, { slackUserDirectory }, { subscriptionsHomeSection }] = await Promise.all([
        import("./chat/slack/request-form.ts"),
        import("./chat/slack/user-directory.ts"),
        import("./chat/slack/home-subscriptions.ts"),
      ]);
      // GPU requests: Slack modals for the request form and deny reasons; Slack user groups as approvers.
      registerSlackRequestForms(door);
      requests?.setGroupDirectory(slackGroupDirectory(door.client));
      // Owner tags are matched on the e-mail Slack vouches for, never on a display name.
      directories.set("slack", slackUserDirectory(door.client, { onError: (err) => opts.log?.warn({ err }, "Slack users.info failed") }));
      if (services.subscriptions) door.addHomeSection(subscriptionsHomeSection(services.subscriptions));
    },
    async close() {
      closed = true;
      // A close never leaves a module load behind it.
      await warming?.catch(() => undefined);
      await scheduler?.stop();
      await requests?.drain();
      await store?.close();
      if (fake && !opts.fake) await fake.close();
    },
  };
}

/**
 * The composition root: turns a Config into running parts (fake Azure in demo mode, the Azure
 * client factory, adapters behind the ports, the store). Doors (server, CLI, jobs) start here.
 */
import { type AzureAccess, createAzureAccess } from "./azure/client-factory.ts";
import { createScope } from "./azure/scope.ts";
import { createSkuAdapter } from "./azure/skus.ts";
import { createUsageAdapter } from "./azure/usages.ts";
import type { CommandContext, CoreLogger } from "./commands/types.ts";
import type { Config } from "./config.ts";
import { type FakeAzure, startFakeAzure } from "./fake-azure/server.ts";
import type { Services } from "./services/ports.ts";
import { openStore, type Store } from "./store/store.ts";

export interface App {
  config: Config;
  azure: AzureAccess;
  services: Services;
  store: Store | undefined;
  fake: FakeAzure | undefined;
  context(): CommandContext;
  close(): Promise<void>;
}

export interface AppOptions {
  /** The CLI answers without a store; the server always opens one. */
  withStore?: boolean;
  log?: CoreLogger;
  now?: () => Date;
  /** Use this already-running fake instead of starting one (tests). */
  fake?: FakeAzure;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const fake = config.demo ? (opts.fake ?? (await startFakeAzure())) : undefined;
  const azure = createAzureAccess({
    cloud: config.azure.cloud,
    url: fake ? fake.url : config.azure.url,
    token: fake ? fake.token : config.azure.token,
    concurrency: config.azure.concurrency,
    maxRetries: config.azure.maxRetries,
    maxRetryWaitSeconds: config.azure.maxRetryWaitSeconds,
    loopbackCa: fake?.ca,
  });
  const scope = fake
    ? createScope({ subscriptionIds: fake.tenant.subscriptions.map((s) => s.id), names: Object.fromEntries(fake.tenant.subscriptions.map((s) => [s.id, s.name])) })
    : createScope({ subscriptionIds: config.azure.subscriptionIds, managementGroup: config.azure.managementGroup });
  const services: Services = {
    scope,
    skus: createSkuAdapter(azure, { ttlSeconds: config.azure.skuCacheTtlSeconds }),
    usages: createUsageAdapter(azure),
  };
  const store = opts.withStore ? await openStore({ databaseUrl: config.store.databaseUrl, dataDir: config.store.dataDir }) : undefined;
  const now = opts.now ?? (() => new Date());
  return {
    config,
    azure,
    services,
    store,
    fake,
    context: () => ({
      services,
      settings: { regions: config.regions, currency: config.currency, timezone: config.timezone, demo: config.demo },
      now,
      ...(opts.log ? { log: opts.log } : {}),
    }),
    async close() {
      await store?.close();
      if (fake && !opts.fake) await fake.close();
    },
  };
}

/**
 * The environment that points a gpuops process at a fake Azure running in another process, as a
 * deployed gpuops reaches Azure: the fake's URL as the ARM and Retail Prices endpoint, its token,
 * its subscriptions as the scope, and its certificate (written into `dir`) trusted through
 * NODE_EXTRA_CA_CERTS. Azure Monitor's regional metrics hosts are not the ARM endpoint, so Monitor
 * metrics are off: the fake stands in for ARM only here.
 *
 * @example
 * const env = { ...remoteAzureEnv(azure, dir), SLACK_SIGNING_SECRET: secret };
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeAzure } from "../../src/fake-azure/server.ts";

export function remoteAzureEnv(azure: FakeAzure, dir: string): Record<string, string> {
  const ca = join(dir, "fake-azure-ca.pem");
  writeFileSync(ca, azure.ca);
  return {
    NODE_EXTRA_CA_CERTS: ca,
    GPUOPS_DEMO: "false",
    AZURE_SUBSCRIPTION_IDS: azure.tenant.subscriptions.map((s) => s.id).join(","),
    GPUOPS_AZURE_URL: azure.url,
    GPUOPS_AZURE_TOKEN: azure.token,
    GPUOPS_PRICES_URL: azure.url,
    GPUOPS_MONITOR_METRICS: "false",
  };
}

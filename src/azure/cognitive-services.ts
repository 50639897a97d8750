/**
 * Azure OpenAI capacity through `@azure/arm-cognitiveservices`: quota usages per region, model
 * capacities (subscription-wide and per region), location models (for retirement dates), accounts
 * and their deployments. The SDK covers all of these. Utilisation of provisioned deployments
 * (`AzureOpenAIProvisionedManagedUtilizationV2`) is one Azure Monitor metrics-list GET per account, sent through
 * the same SDK client's pipeline (credential, retry, limits, counters) rather than a second SDK: PTU
 * accounts are few, and the batch metrics API's regional host adds nothing here.
 *
 * Quota views need the Cognitive Services Usages Reader role at subscription scope (or Reader).
 */
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { createPipelineRequest } from "@azure/core-rest-pipeline";
import type { MaybePrice } from "../domain/money.ts";
import { MODEL_NAME } from "../domain/openai-capacity.ts";
import { assertSafeRegion } from "../domain/regions.ts";
import { GpuopsError } from "../errors.ts";
import type { OpenAiAccount, OpenAiDeployment, OpenAiModelCapacity, OpenAiModelVersion, OpenAiPort, PtuUtilization, Usage } from "../services/ports.ts";
import { mapAzureError } from "./azure-errors.ts";
import type { AzureAccess } from "./client-factory.ts";
import { type PtuPrice, ptuPriceAnswer } from "./ptu-price.ts";

export const USAGES_ROLE = "Cognitive Services Usages Reader (or Reader)";
export const PTU_METRIC = "AzureOpenAIProvisionedManagedUtilizationV2";
/** Account kinds that host Azure OpenAI deployments. */
const OPENAI_KINDS = new Set(["openai", "aiservices"]);

export interface OpenAiAdapterOptions {
  /** Hourly price of one PTU (no list price is read from Azure; see README). */
  ptuHourlyPrice?: PtuPrice | undefined;
}

const ARM_ID = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.CognitiveServices\/accounts\/([^/]+)$/i;

export function createOpenAiAdapter(azure: AzureAccess, opts: OpenAiAdapterOptions = {}): OpenAiPort {
  const client = (subscriptionId: string) => azure.client(`cognitiveservices:${subscriptionId}`, (cred, o) => new CognitiveServicesManagementClient(cred, subscriptionId, o));
  const fail = (err: unknown, api: string, subscriptionId: string, region?: string) =>
    mapAzureError(err, { api, subscriptionId, role: USAGES_ROLE, ...(region ? { region } : {}) });

  return {
    async accounts(subscriptionId) {
      const out: OpenAiAccount[] = [];
      try {
        for await (const a of client(subscriptionId).accounts.list()) {
          const m = ARM_ID.exec(a.id ?? "");
          if (!m || !OPENAI_KINDS.has((a.kind ?? "").toLowerCase())) continue;
          out.push({
            id: a.id as string,
            name: a.name ?? (m[3] as string),
            subscriptionId,
            resourceGroup: m[2] as string,
            region: (a.location ?? "").toLowerCase(),
            kind: a.kind ?? "",
          });
        }
      } catch (err) {
        throw fail(err, "Cognitive Services accounts", subscriptionId);
      }
      return out;
    },

    async deployments(account) {
      const out: OpenAiDeployment[] = [];
      try {
        for await (const d of client(account.subscriptionId).deployments.list(account.resourceGroup, account.name)) {
          const model = d.properties?.model;
          out.push({
            id: d.id ?? "",
            name: d.name ?? "",
            account,
            model: model?.name ?? "?",
            version: model?.version ?? "",
            type: d.sku?.name ?? "?",
            capacity: d.sku?.capacity,
            provisioningState: d.properties?.provisioningState ?? "",
          });
        }
      } catch (err) {
        throw fail(err, `deployments of ${account.name}`, account.subscriptionId, account.region);
      }
      return out;
    },

    async usages(subscriptionId, region) {
      assertSafeRegion(region);
      const out: Usage[] = [];
      try {
        for await (const u of client(subscriptionId).usages.list(region)) {
          const name = u.name?.value ?? "";
          out.push({ name, localizedName: u.name?.localizedValue ?? name, current: u.currentValue ?? 0, limit: u.limit ?? 0 });
        }
      } catch (err) {
        throw fail(err, "Cognitive Services usages", subscriptionId, region);
      }
      return out;
    },

    async models(subscriptionId, region) {
      assertSafeRegion(region);
      const out: OpenAiModelVersion[] = [];
      try {
        for await (const m of client(subscriptionId).models.list(region)) {
          const model = m.model;
          if (!model?.name || !model.version) continue;
          const retires = model.deprecation?.inference;
          out.push({ format: model.format ?? "OpenAI", name: model.name, version: model.version, ...(retires ? { retiresAt: retires } : {}) });
        }
      } catch (err) {
        throw fail(err, "Cognitive Services models", subscriptionId, region);
      }
      return out;
    },

    async modelCapacities(subscriptionId, model, region) {
      // User words reach these query parameters: only plain model names and versions pass.
      if (!MODEL_NAME.test(model.name) || !/^[A-Za-z0-9._-]{1,40}$/.test(model.version) || !/^[A-Za-z]{1,20}$/.test(model.format)) {
        throw new GpuopsError("bad_command", `Not a model name and version: ${model.name.slice(0, 40)} ${model.version.slice(0, 40)}`);
      }
      const out: OpenAiModelCapacity[] = [];
      const c = client(subscriptionId);
      try {
        const pages = region
          ? c.locationBasedModelCapacities.list(assertSafeRegion(region), model.format, model.name, model.version)
          : c.modelCapacities.list(model.format, model.name, model.version);
        for await (const item of pages) {
          const p = item.properties;
          if (!p?.skuName) continue;
          out.push({
            region: (item.location ?? "").toLowerCase().replace(/\s+/g, ""),
            model: p.model?.name ?? model.name,
            version: p.model?.version ?? model.version,
            skuName: p.skuName,
            availableCapacity: p.availableCapacity ?? 0,
          });
        }
      } catch (err) {
        throw fail(err, "model capacities", subscriptionId, region);
      }
      return out;
    },

    async ptuUtilization(account, from, to): Promise<PtuUtilization[]> {
      const timespan = `${from.toISOString()}/${to.toISOString()}`;
      const query = new URLSearchParams({
        "api-version": "2018-01-01",
        metricnames: PTU_METRIC,
        timespan,
        interval: "PT1H",
        aggregation: "Maximum",
        $filter: "ModelDeploymentName eq '*'",
      });
      const url = `${azure.endpoint}${account.id}/providers/microsoft.insights/metrics?${query.toString().replace(/\+/g, "%20")}`;
      try {
        const response = await client(account.subscriptionId).sendRequest(createPipelineRequest({ url, method: "GET", timeout: 30_000 }));
        if (response.status !== 200) throw Object.assign(new Error(`Azure Monitor answered HTTP ${response.status}`), { statusCode: response.status, response });
        return parseMetrics(JSON.parse(response.bodyAsText ?? "{}"));
      } catch (err) {
        throw mapAzureError(err, { api: "Azure Monitor metrics", subscriptionId: account.subscriptionId, region: account.region, role: "Monitoring Reader (or Reader)" });
      }
    },

    ptuHourlyPrice(): MaybePrice & { source?: string } {
      return ptuPriceAnswer(opts.ptuHourlyPrice);
    },
  };
}

interface MetricsBody {
  value?: Array<{
    name?: { value?: string };
    timeseries?: Array<{ metadatavalues?: Array<{ name?: { value?: string }; value?: string }>; data?: Array<{ maximum?: number; average?: number }> }>;
  }>;
}

/** One series per `ModelDeploymentName`; points without a value (no traffic recorded) are dropped. */
export function parseMetrics(body: MetricsBody): PtuUtilization[] {
  const out: PtuUtilization[] = [];
  for (const metric of body.value ?? []) {
    if ((metric.name?.value ?? "").toLowerCase() !== PTU_METRIC.toLowerCase()) continue;
    for (const series of metric.timeseries ?? []) {
      const deployment = series.metadatavalues?.find((m) => (m.name?.value ?? "").toLowerCase() === "modeldeploymentname")?.value;
      if (!deployment) continue;
      const points = (series.data ?? []).map((d) => d.maximum ?? d.average).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
      out.push({ deployment, points });
    }
  }
  return out;
}

export { ptuPriceSetting } from "./ptu-price.ts";

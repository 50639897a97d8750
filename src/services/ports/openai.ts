/**
 * The Azure OpenAI capacity port: TPM/PTU quota, where a model can be deployed, deployments and
 * idle PTUs, for `openai` and the digest.
 */
import type { MaybePrice } from "../../domain/money.ts";
import type { Usage } from "./azure.ts";

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

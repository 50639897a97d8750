/**
 * The GPU-requests port: the store, the Azure actions and the approvers a request needs, per platform.
 */
import type { GpuRequest, RequestPolicy } from "../../domain/gpu-request.ts";
import type { ProvisioningPort } from "./azure.ts";
import type { GroupDirectory, PostingPort } from "./chat.ts";
import type { GpuRequestStorePort } from "./store.ts";

/** Approvers of one platform, as configured. */
export interface ApproverList {
  approvers: string[];
  escalation: string[];
  channel?: string | undefined;
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

/**
 * Builds the utilisation port and the idle settings from the validated config: Prometheus when
 * PROMETHEUS_URL is set (static token, or Entra ID for Azure Monitor managed Prometheus), then
 * Azure Monitor's Telegraf/nvidia_smi metrics for the VMs Prometheus does not know.
 */
import type { AzureAccess } from "../azure/client-factory.ts";
import type { Config } from "../config.ts";
import type { IdleOverride, IdlePolicy, IdleSettings } from "../domain/idle-rule.ts";
import type { UtilizationPort } from "../services/ports.ts";
import { createMonitorSource } from "./azure-monitor.ts";
import { createPrometheusSource } from "./prometheus.ts";
import type { TelemetrySource } from "./source.ts";
import { createUtilization } from "./utilization.ts";

/** The demo console's approvers (src/chat/console/identities.ts), when none are configured. */
const DEMO_CONSOLE_APPROVERS = ["sam", "lee"];

/** Token audience of Azure Monitor managed Prometheus query endpoints. */
export const MANAGED_PROMETHEUS_SCOPE = "https://prometheus.monitor.azure.com/.default";

export function createUtilizationFromConfig(config: Config, azure: AzureAccess, opts: { monitorMetricsUrl?: string | undefined } = {}): UtilizationPort {
  const t = config.telemetry;
  const sources: TelemetrySource[] = [];
  if (t.prometheusUrl) {
    const entra = t.prometheusAuth === "entra";
    const token = t.prometheusAuth === "none" || entra ? undefined : t.prometheusToken;
    sources.push(
      createPrometheusSource({
        url: t.prometheusUrl,
        token,
        getToken: entra
          ? async () => {
              const got = await azure.credential.getToken(MANAGED_PROMETHEUS_SCOPE);
              if (!got) throw new Error("no Entra token for Azure Monitor managed Prometheus");
              return got.token;
            }
          : undefined,
        hostLabels: t.hostLabels,
      }),
    );
  }
  if (t.monitorMetrics === "true") sources.push(createMonitorSource(azure, { cloud: config.azure.cloud, metricsUrl: opts.monitorMetricsUrl ?? t.monitorMetricsUrl }));
  return createUtilization(sources, { stepSeconds: t.step });
}

/** The idle rule and who may deallocate, from config. */
export function idleSettingsFrom(config: Config): IdleSettings {
  const t = config.telemetry;
  const policy: IdlePolicy = {
    utilPercent: t.idleThreshold,
    engineActive: t.idleEngineThreshold,
    windowSeconds: t.idleWindow,
    parkedMemoryMib: t.parkedMemoryMib,
    staleSeconds: t.staleAfter,
  };
  const overrides: Record<string, IdleOverride> = {};
  for (const [sub, o] of Object.entries(t.overrides)) {
    const override: IdleOverride = {};
    if (o.idleThreshold !== undefined) override.utilPercent = o.idleThreshold;
    if (o.idleEngineThreshold !== undefined) override.engineActive = o.idleEngineThreshold;
    if (o.idleWindow !== undefined) override.windowSeconds = o.idleWindow;
    if (o.parkedMemoryMib !== undefined) override.parkedMemoryMib = o.parkedMemoryMib;
    overrides[sub.toLowerCase()] = override;
  }
  const approvals = config.approvals;
  // The demo console's cast has two approvers (sam, lee), as GPU requests use them.
  const consoleApprovers = approvals.console.approvers.length > 0 || !config.demo ? approvals.console.approvers : DEMO_CONSOLE_APPROVERS;
  return {
    policy,
    overrides,
    lookbackSeconds: t.lookback,
    scanEverySeconds: t.scanEvery,
    approvers: { slack: approvals.slack.approvers, teams: approvals.teams.approvers, console: consoleApprovers },
  };
}

/**
 * The Kubernetes manifests as a cluster would see them: every overlay rendered by the real
 * `kubectl kustomize`, every object validated against the Kubernetes OpenAPI schemas
 * (kubernetes-models' validate(); the ServiceMonitor against the prometheus-operator CRD schema),
 * then the wiring a schema cannot see: probes, selectors, env names gpuops reads, volumes.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ENV_KEYS, loadConfig } from "../../src/config.ts";

const K8S = join(import.meta.dirname, "../../deploy/k8s");
const OVERLAYS = ["sqlite", "postgres", "postgres-servicemonitor"] as const;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below
  spec?: any;
  data?: Record<string, string>;
}

/** The schema-backed model of each kind gpuops ships; an unknown kind fails the test. */
const MODELS = new Map<string, new (data: never) => { validate(): void }>([
  ["apps/v1/Deployment", Deployment],
  ["v1/Service", Service],
  ["v1/ServiceAccount", ServiceAccount],
  ["v1/ConfigMap", ConfigMap],
  ["v1/PersistentVolumeClaim", PersistentVolumeClaim],
  ["policy/v1/PodDisruptionBudget", PodDisruptionBudget],
  ["monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor],
]);

function validateObject(obj: K8sObject): void {
  const Model = MODELS.get(`${obj.apiVersion}/${obj.kind}`);
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj as never).validate();
}

function render(overlay: string): K8sObject[] {
  const out = execFileSync("kubectl", ["kustomize", join(K8S, "overlays", overlay)], { encoding: "utf8" });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

const one = (objs: K8sObject[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as K8sObject;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

const envKeys = new Map(Object.entries(ENV_KEYS));
const isSecretKey = (name: string) => {
  const spec = envKeys.get(name);
  return spec !== undefined && "secret" in spec && spec.secret === true;
};

describe("the schema validator", () => {
  it("rejects an object that breaks the Kubernetes schema (so a pass below means something)", () => {
    const bad = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two", selector: {}, template: {} } };
    expect(() => validateObject(bad as K8sObject)).toThrow();
    expect(() => validateObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "x" } })).toThrow(/no schema/);
  });
});

describe.each(OVERLAYS)("kubectl kustomize deploy/k8s/overlays/%s", (overlay) => {
  const objs = render(overlay);
  const deployment = one(objs, "Deployment");
  const pod = deployment.spec.template;
  const container = pod.spec.containers.find((c: { name: string }) => c.name === "gpuops");

  it("renders objects that all validate against the Kubernetes schemas", () => {
    expect(objs.length).toBeGreaterThanOrEqual(5);
    for (const obj of objs) expect(() => validateObject(obj), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
  });

  it("probes liveness at /healthz and readiness at /readyz on the container's http port", () => {
    expect(container.livenessProbe.httpGet).toMatchObject({ path: "/healthz", port: "http" });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: "/readyz", port: "http" });
    const port = container.ports.find((p: { name: string }) => p.name === "http");
    expect(port.containerPort).toBe(3978);
    expect(one(objs, "ConfigMap").data?.PORT).toBe(String(port.containerPort));
  });

  it("runs as non-root on a read-only root filesystem with writable /tmp and data dir", () => {
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.resources.requests.cpu).toBeTruthy();
    expect(container.resources.limits.memory).toBeTruthy();
    const dataDir = one(objs, "ConfigMap").data?.GPUOPS_DATA_DIR;
    const volumes = new Map<string, Record<string, unknown>>(pod.spec.volumes.map((v: { name: string }) => [v.name, v]));
    for (const path of ["/tmp", dataDir]) {
      const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === path);
      expect(mount, `mount for ${path}`).toBeDefined();
      expect(volumes.has(mount.name)).toBe(true);
    }
  });

  it("gives a draining pod longer than its drain delay plus shutdown timeout before SIGKILL", () => {
    const data = one(objs, "ConfigMap").data ?? {};
    const seconds = (v: string | undefined) => Number(/^(\d+)s$/.exec(v ?? "")?.[1] ?? Number.NaN);
    const needed = seconds(data.GPUOPS_DRAIN_DELAY) + seconds(data.GPUOPS_SHUTDOWN_TIMEOUT);
    expect(needed).toBeGreaterThan(0);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
  });

  it("uses AKS workload identity: client id on the ServiceAccount, the use label on the pod", () => {
    const sa = one(objs, "ServiceAccount");
    expect(pod.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(sa.metadata.annotations?.["azure.workload.identity/client-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(pod.metadata.labels["azure.workload.identity/use"]).toBe("true");
  });

  it("sets only settings gpuops reads, and secret ones only from the Secret", () => {
    const cm = one(objs, "ConfigMap");
    expect(container.envFrom).toContainEqual({ configMapRef: { name: cm.metadata.name } });
    for (const key of Object.keys(cm.data ?? {})) {
      expect(envKeys.has(key), `ConfigMap key ${key}`).toBe(true);
      expect(isSecretKey(key), `${key} is secret and belongs in the Secret`).toBe(false);
    }
    for (const env of container.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]) {
      expect(envKeys.has(env.name), `env ${env.name}`).toBe(true);
      expect(env.value, `${env.name} must not be written into the manifest`).toBeUndefined();
      expect(env.valueFrom?.secretKeyRef?.name).toBe("gpuops-secrets");
      expect(env.valueFrom?.secretKeyRef?.key).toBe(env.name);
    }
  });

  it("has a ConfigMap gpuops accepts once the operator fills in the Azure scope", () => {
    const data: Record<string, string> = { ...(one(objs, "ConfigMap").data ?? {}), AZURE_SUBSCRIPTION_IDS: "00000000-0000-0000-0000-000000000001" };
    const config = loadConfig(data, { cwd: "/nonexistent" });
    expect(config.demo).toBe(false);
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.store.dataDir).toBe(data.GPUOPS_DATA_DIR);
  });

  it("selects its own pods from the Service and the PodDisruptionBudget", () => {
    const labels = pod.metadata.labels as Record<string, string>;
    expect(matches(deployment.spec.selector.matchLabels, labels)).toBe(true);
    const service = one(objs, "Service");
    expect(matches(service.spec.selector, labels)).toBe(true);
    expect(service.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toContain("http");
    const pdb = one(objs, "PodDisruptionBudget");
    expect(matches(pdb.spec.selector.matchLabels, labels)).toBe(true);
    // Never a budget that blocks every drain of a single replica.
    if (deployment.spec.replicas === 1) expect(pdb.spec.minAvailable).toBeUndefined();
    else expect(pdb.spec.minAvailable ?? deployment.spec.replicas - pdb.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
  });
});

describe("overlay specifics", () => {
  it("sqlite: one replica, Recreate, the data dir on a PersistentVolumeClaim that exists", () => {
    const objs = render("sqlite");
    const d = one(objs, "Deployment");
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe("Recreate");
    const data = d.spec.template.spec.volumes.find((v: { name: string }) => v.name === "data");
    expect(data.emptyDir).toBeUndefined();
    expect(data.persistentVolumeClaim.claimName).toBe(one(objs, "PersistentVolumeClaim").metadata.name);
    const env = d.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
    expect(env).not.toContain("DATABASE_URL");
  });

  it("postgres: two or more replicas rolling one at a time, DATABASE_URL required from the Secret", () => {
    const objs = render("postgres");
    const d = one(objs, "Deployment");
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const db = d.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "DATABASE_URL");
    expect(db.valueFrom.secretKeyRef).toEqual({ name: "gpuops-secrets", key: "DATABASE_URL" });
    expect(objs.filter((o) => o.kind === "PersistentVolumeClaim")).toHaveLength(0);
  });

  it("postgres-servicemonitor: the ServiceMonitor scrapes /metrics on a port the Service has", () => {
    const objs = render("postgres-servicemonitor");
    const sm = one(objs, "ServiceMonitor");
    const service = one(objs, "Service");
    expect(matches(sm.spec.selector.matchLabels, service.metadata.labels ?? {})).toBe(true);
    const ports = service.spec.ports.map((p: { name: string }) => p.name);
    for (const ep of sm.spec.endpoints) {
      expect(ports).toContain(ep.port);
      expect(ep.path).toBe("/metrics");
    }
  });
});

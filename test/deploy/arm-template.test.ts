/**
 * deploy/azure/azuredeploy.json, the template behind the "Deploy to Azure" button: its structure
 * (schema, parameters and variables all defined and used, dependsOn pointing at resources the
 * template has, PostgreSQL only behind its switch) and its least-privilege role assignments.
 *
 * Built-in role ids, from Microsoft's "Azure built-in roles" pages
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles, categories General,
 * Management and governance, Monitor and Compute):
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BUILT_IN_ROLES = new Map([
  ["Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"],
  ["Cost Management Reader", "72fafb9e-0641-4937-9268-a91bfd8191a3"],
  ["Monitoring Reader", "43d0d8ad-25c7-4714-9337-8ba259a9fe05"],
  ["Virtual Machine Contributor", "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"],
]);

interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  condition?: string;
  dependsOn?: string[];
  copy?: { name: string; count: string };
  subscriptionId?: string;
  resourceGroup?: string;
  // biome-ignore lint/suspicious/noExplicitAny: template JSON is checked field by field
  properties?: any;
}
interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  metadata?: { roleDefinitionSources?: Record<string, string> };
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs?: Record<string, { type: string; value: string }>;
}

const PATH = join(import.meta.dirname, "../../deploy/azure/azuredeploy.json");
const template = JSON.parse(readFileSync(PATH, "utf8")) as ArmTemplate;
const DEPLOYMENT_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const SUBSCRIPTION_SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";

const references = (json: string, fn: "parameters" | "variables") => new Set([...json.matchAll(new RegExp(`\\b${fn}\\('([^']+)'\\)`, "g"))].map((m) => m[1] as string));
/** The template's own text without its nested templates (which have their own scope). */
function ownText(t: ArmTemplate): string {
  return JSON.stringify(t, skipNested);
}
function skipNested(key: string, value: unknown): unknown {
  return key === "template" && typeof value === "object" && value !== null && "$schema" in value ? undefined : value;
}
const nested = (t: ArmTemplate) =>
  t.resources.filter((r) => r.type === "Microsoft.Resources/deployments").map((r) => ({ deployment: r, template: r.properties.template as ArmTemplate }));
const byType = (type: string) => template.resources.filter((r) => r.type === type);

describe("azuredeploy.json structure", () => {
  it("is a resource-group deployment template", () => {
    expect(template.$schema).toBe(DEPLOYMENT_SCHEMA);
    expect(template.contentVersion).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it("uses every parameter and variable it declares, and references none it does not (nested templates too)", () => {
    for (const t of [template, ...nested(template).map((n) => n.template)]) {
      const text = ownText(t);
      const params = new Set(Object.keys(t.parameters ?? {}));
      const vars = new Set(Object.keys(t.variables ?? {}));
      expect(
        [...references(text, "parameters")].filter((p) => !params.has(p)),
        "undeclared parameters",
      ).toEqual([]);
      expect(
        [...references(text, "variables")].filter((v) => !vars.has(v)),
        "undeclared variables",
      ).toEqual([]);
      const used = references(JSON.stringify({ ...t, parameters: undefined }, skipNested), "parameters");
      expect(
        [...params].filter((p) => !used.has(p)),
        "unused parameters",
      ).toEqual([]);
      const usedVars = references(JSON.stringify({ ...t, variables: undefined }, skipNested), "variables");
      // Variables may use other variables, so count uses anywhere outside their own definition.
      const usedInVars = new Set(Object.entries(t.variables ?? {}).flatMap(([name, v]) => [...references(JSON.stringify(v), "variables")].filter((x) => x !== name)));
      expect(
        [...vars].filter((v) => !usedVars.has(v) && !usedInVars.has(v)),
        "unused variables",
      ).toEqual([]);
    }
  });

  it("deploys Container Apps, an Azure Bot on the user-assigned identity, the identity and the role deployments", () => {
    for (const type of [
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      "Microsoft.App/managedEnvironments",
      "Microsoft.App/containerApps",
      "Microsoft.BotService/botServices",
      "Microsoft.DBforPostgreSQL/flexibleServers",
    ]) {
      expect(byType(type), type).toHaveLength(1);
    }
    const bot = byType("Microsoft.BotService/botServices")[0] as ArmResource;
    expect(bot.properties.msaAppType).toBe("UserAssignedMSI");
    expect(bot.properties.msaAppMSIResourceId).toContain("Microsoft.ManagedIdentity/userAssignedIdentities");
    expect(bot.properties.endpoint).toContain("/api/messages");
    const app = byType("Microsoft.App/containerApps")[0] as ArmResource;
    expect(app.properties.configuration.ingress.targetPort).toBe(3978);
    const probes = new Map((app.properties.template.containers[0].probes as { type: string; httpGet: { path: string } }[]).map((p) => [p.type, p.httpGet.path]));
    expect(probes.get("Liveness")).toBe("/healthz");
    expect(probes.get("Readiness")).toBe("/readyz");
  });

  it("names only resources the template has in dependsOn", () => {
    for (const r of template.resources) {
      for (const dep of r.dependsOn ?? []) {
        const m = /^\[resourceId\('([^']+)', (.+)\)\]$/.exec(dep);
        expect(m, `${r.type} dependsOn ${dep}`).not.toBeNull();
        const [, type, args] = m as RegExpExecArray;
        const firstName = (args as string).split(/, (?![^(]*\))/)[0] as string;
        const target = template.resources.find((t) => t.type === type && t.name.includes(firstName));
        expect(target, `${r.type} depends on a ${type} named ${firstName}`).toBeDefined();
      }
    }
  });

  it("creates PostgreSQL only when deployPostgres is true, and the app's replica count follows the store", () => {
    const pg = template.resources.filter((r) => r.type.startsWith("Microsoft.DBforPostgreSQL/"));
    expect(pg.length).toBeGreaterThanOrEqual(2);
    for (const r of pg) expect(r.condition, r.type).toBe("[parameters('deployPostgres')]");
    expect(template.parameters?.deployPostgres?.type).toBe("bool");
    const app = byType("Microsoft.App/containerApps")[0] as ArmResource;
    const scale = app.properties.template.scale;
    expect(scale.maxReplicas).toMatch(/if\(variables\('sharedStore'\), \d+, 1\)/);
    const env = app.properties.template.containers[0].env as { name: string; secretRef?: string }[];
    const secretNames = new Set((app.properties.configuration.secrets as { name: string }[]).map((s) => s.name));
    for (const name of ["DATABASE_URL", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"]) {
      const e = env.find((x) => x.name === name);
      expect(e?.secretRef && secretNames.has(e.secretRef), `${name} from a secret`).toBe(true);
    }
    for (const p of ["postgresAdminPassword", "databaseUrl", "slackSigningSecret", "slackBotToken"]) expect(template.parameters?.[p]?.type, p).toBe("securestring");
  });
});

describe("azuredeploy.json role assignments", () => {
  const roleIds = template.variables?.roles as Record<string, string>;
  const deployments = nested(template);

  it("cites where each built-in role id comes from", () => {
    for (const name of BUILT_IN_ROLES.keys())
      expect(template.metadata?.roleDefinitionSources?.[name]).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/role-based-access-control\/built-in-roles\//);
  });

  it("uses each built-in role's real id", () => {
    expect(roleIds).toEqual({
      reader: BUILT_IN_ROLES.get("Reader"),
      costManagementReader: BUILT_IN_ROLES.get("Cost Management Reader"),
      monitoringReader: BUILT_IN_ROLES.get("Monitoring Reader"),
      virtualMachineContributor: BUILT_IN_ROLES.get("Virtual Machine Contributor"),
    });
    // No role GUID anywhere else in the file that is not one of these.
    const guids = JSON.stringify(template).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
    for (const g of guids) expect([...BUILT_IN_ROLES.values()]).toContain(g);
  });

  /** The roles one nested deployment assigns, by name, resolved through its parameters. */
  function assignedRoles(d: ArmResource, t: ArmTemplate): string[] {
    return t.resources.map((ra) => {
      expect(ra.type).toBe("Microsoft.Authorization/roleAssignments");
      expect(ra.properties.principalType).toBe("ServicePrincipal");
      const param = /parameters\('([^']+)'\)\)\]$/.exec(ra.properties.roleDefinitionId)?.[1] as string;
      expect(ra.properties.roleDefinitionId).toMatch(/^\[subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', /);
      const value = /^\[variables\('roles'\)\.(\w+)\]$/.exec(d.properties.parameters[param].value)?.[1] as string;
      const id = roleIds[value];
      return [...BUILT_IN_ROLES].find(([, v]) => v === id)?.[0] as string;
    });
  }

  it("grants Reader, Cost Management Reader and Monitoring Reader at subscription scope, once per listed subscription", () => {
    const sub = deployments.filter((n) => n.deployment.subscriptionId !== undefined && n.deployment.resourceGroup === undefined);
    expect(sub).toHaveLength(1);
    const [{ deployment, template: t }] = sub as [{ deployment: ArmResource; template: ArmTemplate }];
    expect(t.$schema).toBe(SUBSCRIPTION_SCHEMA);
    expect(deployment.copy?.count).toBe("[length(parameters('subscriptionIds'))]");
    expect(deployment.subscriptionId).toBe("[parameters('subscriptionIds')[copyIndex()]]");
    expect(assignedRoles(deployment, t).sort()).toEqual(["Cost Management Reader", "Monitoring Reader", "Reader"]);
  });

  it("grants Virtual Machine Contributor only on the listed resource groups, never at subscription scope", () => {
    const rg = deployments.filter((n) => n.deployment.resourceGroup !== undefined);
    expect(rg).toHaveLength(1);
    const [{ deployment, template: t }] = rg as [{ deployment: ArmResource; template: ArmTemplate }];
    expect(t.$schema).toBe(DEPLOYMENT_SCHEMA);
    expect(deployment.copy?.count).toBe("[length(parameters('vmContributorResourceGroups'))]");
    expect(deployment.resourceGroup).toBe("[parameters('vmContributorResourceGroups')[copyIndex()].resourceGroup]");
    expect(assignedRoles(deployment, t)).toEqual(["Virtual Machine Contributor"]);
    for (const n of deployments.filter((x) => x.deployment.resourceGroup === undefined)) {
      expect(assignedRoles(n.deployment, n.template)).not.toContain("Virtual Machine Contributor");
    }
    expect(template.parameters?.vmContributorResourceGroups?.defaultValue).toEqual([]);
  });
});

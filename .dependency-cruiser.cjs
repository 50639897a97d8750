/**
 * Layer rules from docs/DESIGN.md: the core (domain, commands, reply, services) never
 * imports a chat SDK, an Azure SDK, or I/O libraries; domain is pure.
 */
const SDKS = "^(node_modules/)?(@slack/|@microsoft/|@azure/|@azure-rest/|botbuilder|botframework|express|pg|better-sqlite3|kysely|pino)";
module.exports = {
  forbidden: [
    {
      name: "core-no-sdk",
      severity: "error",
      comment: "src/domain, src/commands, src/reply and src/services stay free of chat/Azure SDKs and I/O libraries.",
      from: { path: "^src/(domain|commands|reply|services)/" },
      to: { path: SDKS, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "core-no-sdk-types",
      severity: "error",
      comment: "Not even types: the core speaks in its own ports.",
      from: { path: "^src/(domain|commands|reply|services)/" },
      to: { path: "^(node_modules/)?(@slack/|@microsoft/|@azure/|@azure-rest/|botbuilder)" },
    },
    {
      name: "core-no-adapters",
      severity: "error",
      comment: "The core reaches adapters only through ports (src/services/ports.ts).",
      from: { path: "^src/(domain|commands|reply|services)/" },
      to: { path: "^src/(azure|chat|store|telemetry|fake-azure|jobs|render)/|^src/(app|server|cli)\\.ts$" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "src/domain does no I/O.",
      from: { path: "^src/domain/" },
      to: { path: "^(node:)?(fs|net|http|https|child_process|dgram|dns|tls)$", dependencyTypes: ["core"] },
    },
    {
      name: "understand-is-pure",
      severity: "error",
      comment: "src/understand reads plain words into commands: it imports only src/domain and its own files (no commands, SDKs, I/O or packages).",
      from: { path: "^src/understand/" },
      to: { pathNot: "^src/(domain|understand)/" },
    },
    {
      name: "store-owns-tables",
      severity: "error",
      comment: "Only src/store speaks SQL: nothing else imports kysely or the table types (not even types); callers use the store's intent-named methods.",
      from: { pathNot: "^src/store/" },
      to: { path: "^(node_modules/)?kysely|^src/store/schema\\.ts$" },
    },
    {
      name: "doors-no-store",
      severity: "error",
      comment: "Doors (src/chat) reach persistence through ports handed in by the wiring (server.ts / app.ts), never src/store directly.",
      from: { path: "^src/chat/" },
      to: { path: "^src/store/" },
    },
    {
      name: "jobs-no-azure",
      severity: "error",
      comment: "Jobs get ports from the composition root (src/app.ts): never an Azure adapter, an SDK or a database driver, not even their types.",
      from: { path: "^src/jobs/" },
      to: { path: "^src/azure/|^(node_modules/)?(@azure/|@azure-rest/|@slack/|@microsoft/|kysely|pg|better-sqlite3)" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".js", ".json"] },
  },
};

/**
 * `gpuops <command…>`: the same commands as Slack and Teams, answered in the terminal.
 * Exit codes: 0 answered, 1 user error (bad command or config), 2 Azure error or partial answer.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "./app.ts";
import { resolveVerbName, runCommand, verbs } from "./commands/registry.ts";
import { type Config, ConfigError, ENV_KEYS, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { renderJson, renderText } from "./render/text.ts";

export function usage(): string {
  const lines = [
    "gpuops: straight answers about GPUs on Azure, for Slack, Teams and the terminal.",
    "",
    "Usage:",
    "  gpuops <command…> [--json] [--demo]",
    "  npm start                      run the bot (HTTP server; demo data when no Azure scope is set)",
    "",
    "Commands:",
    ...verbs().map((v) => `  ${v.usage.padEnd(40)} ${v.summary}`),
    "",
    "Options:",
    "  --json     print the answer as JSON (the platform-neutral Reply)",
    "  --demo     answer from the built-in demo tenant (fake Azure), whatever is configured",
    "  --help     this text",
    "",
    "Exit codes: 0 answered, 1 bad command or configuration, 2 Azure error or partial answer.",
    "",
    'Configuration (environment, or gpuops.yaml; see README "Configuration"):',
    ...Object.entries(ENV_KEYS).map(([k, s]) => `  ${k.padEnd(30)} e.g. ${s.example}`),
  ];
  return lines.join("\n");
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  // A verb's own options (digest --dry-run) travel with its words; the rest are the CLI's.
  const verbOptions = verbs().find((v) => v.name === argv.find((a) => !a.startsWith("-"))?.toLowerCase())?.cliOptions ?? [];
  const flags = new Set(argv.filter((a) => /^--?[a-z]/i.test(a) && !a.includes(" ") && !verbOptions.includes(a.toLowerCase())));
  const words = argv.filter((a) => !flags.has(a));
  if (flags.has("--help") || flags.has("-h")) {
    out(usage());
    return 0;
  }
  const unknown = [...flags].filter((f) => !["--json", "--demo"].includes(f));
  if (unknown.length) {
    out(`Unknown option ${unknown.join(", ")}. Try: gpuops --help`);
    return 1;
  }
  let config: Config;
  try {
    config = loadConfig(flags.has("--demo") ? { ...env, GPUOPS_DEMO: "true" } : env);
  } catch (err) {
    if (err instanceof ConfigError) {
      out(err.message);
      return 1;
    }
    throw err;
  }
  const log = createLogger(env.GPUOPS_LOG_LEVEL ?? "warn", process.stderr);
  // Charts become PNG files in the temp folder; the answer prints their path.
  // Verbs that keep state (GPU requests) read the same store the server uses.
  const usesStore = verbs().find((v) => v.name === resolveVerbName(words.join(" ")))?.usesStore === true;
  const app = await createApp(config, { log, chartDir: join(tmpdir(), "gpuops-charts"), withStore: usesStore });
  try {
    const reply = await runCommand(
      { text: words.join(" "), actor: { id: "cli", name: env.USER ?? "cli" }, channel: { id: "cli", platform: "cli" }, surface: "cli" },
      app.context(),
    );
    out(flags.has("--json") ? renderJson(reply) : reply.attachment ? reply.attachment.content.trimEnd() : renderText(reply));
    return reply.outcome === "ok" ? 0 : reply.outcome === "user_error" ? 1 : 2;
  } finally {
    await app.close();
  }
}

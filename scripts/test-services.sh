# shellcheck shell=bash
# Sourced before the tests: makes sure the programs they need are installed (from Debian's
# packages, as root, when missing) and starts a throw-away PostgreSQL of our own. Nothing of the
# machine's is touched: no system cluster is started, no role is created in it.
#   PostgreSQL -> a private cluster (initdb into a temp dir, a free loopback port), stopped and
#                 deleted when the sourcing script exits; GPUOPS_TEST_DATABASE_URL points at it.
#                 Set GPUOPS_TEST_DATABASE_URL yourself to use another server instead.
#   Prometheus -> /usr/bin/prometheus (idle tests start it themselves on a free port; no service)
#   Chromium   -> /usr/bin/chromium (the console's browser tests drive it with playwright-core)
#   faketime   -> /usr/bin/faketime (tests that run the CLI as a child process at a fixed instant)
gpuops_apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "gpuops tests need: $* (install them with your package manager, or run as root on Debian/Ubuntu so the test script can)." >&2
    return 1
  fi
  if [ -z "${gpuops_apt_updated:-}" ]; then apt-get update -qq >&2; gpuops_apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

gpuops_pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# Runs a PostgreSQL program as an unprivileged user: the server refuses to run as root.
gpuops_as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

gpuops_free_port() {
  node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

gpuops_pg_stop() {
  if [ -n "${gpuops_pg_dir:-}" ] && [ -d "$gpuops_pg_dir" ]; then
    gpuops_as_pg "$(gpuops_pg_bindir)/pg_ctl" -D "$gpuops_pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$gpuops_pg_dir"
  fi
  gpuops_pg_dir=""
}

gpuops_pg_start() {
  [ -n "$(gpuops_pg_bindir)" ] || gpuops_apt_install postgresql || return 1
  local bindir port
  bindir="$(gpuops_pg_bindir)"
  gpuops_pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/gpuops-pg.XXXXXX")"
  if [ "$(id -u)" = "0" ]; then chown postgres "$gpuops_pg_dir"; fi
  port="$(gpuops_free_port)"
  gpuops_as_pg "$bindir/initdb" -D "$gpuops_pg_dir/data" -U gpuops --auth=trust -E UTF8 --no-sync >/dev/null || return 1
  # Loopback only, its own socket folder, no durability: the data lives as long as the test run.
  gpuops_as_pg "$bindir/pg_ctl" -D "$gpuops_pg_dir/data" -l "$gpuops_pg_dir/server.log" -w -s \
    -o "-p $port -k $gpuops_pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start || {
    cat "$gpuops_pg_dir/server.log" >&2
    return 1
  }
  gpuops_as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U gpuops gpuops_test || return 1
  export GPUOPS_TEST_DATABASE_URL="postgres://gpuops:gpuops@127.0.0.1:$port/gpuops_test"
  trap gpuops_pg_stop EXIT
}

if [ -z "$(gpuops_pg_bindir)" ]; then gpuops_apt_install postgresql; fi
# The console's browser tests: Debian's Chromium, driven by playwright-core (which downloads nothing).
if [ ! -x "${GPUOPS_CHROMIUM:-/usr/bin/chromium}" ]; then gpuops_apt_install chromium; fi
# The idle-GPU tests: a real Prometheus binary (Debian's package); the tests run it as a child
# process with a temporary config, never the packaged systemd service.
if ! command -v prometheus >/dev/null; then gpuops_apt_install prometheus; fi
if ! command -v faketime >/dev/null; then gpuops_apt_install faketime; fi
# The deployment tests render deploy/k8s with `kubectl kustomize` (Debian's kubernetes-client).
if ! command -v kubectl >/dev/null; then gpuops_apt_install kubernetes-client; fi

if [ -z "${GPUOPS_TEST_DATABASE_URL:-}" ]; then gpuops_pg_start; fi

# shellcheck shell=bash
# Sourced before the tests: makes sure the services they need run on loopback, installing them
# from Debian's packages when missing (as root). Exports the URLs the tests read.
#   PostgreSQL -> GPUOPS_TEST_DATABASE_URL (the store's contract suite runs on SQLite and on this)
#   Prometheus -> /usr/bin/prometheus (idle tests start it themselves on a free port; no service)
#   Chromium   -> /usr/bin/chromium (the console's browser tests drive it with playwright-core)
gpuops_apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "gpuops tests need: $* (install them, or run as root so the test script can)." >&2
    return 1
  fi
  if [ -z "${gpuops_apt_updated:-}" ]; then apt-get update -qq >&2; gpuops_apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

if [ -z "${GPUOPS_TEST_DATABASE_URL:-}" ]; then
  if ! command -v pg_ctlcluster >/dev/null; then gpuops_apt_install postgresql; fi
  pg_version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  if [ -z "$pg_version" ]; then echo "gpuops: no PostgreSQL cluster found under /etc/postgresql" >&2; return 1; fi
  if ! pg_ctlcluster "$pg_version" main status >/dev/null 2>&1; then pg_ctlcluster "$pg_version" main start >&2; fi
  pg_port="$(pg_conftool -s "$pg_version" main show port 2>/dev/null || echo 5432)"
  run_as_postgres() { if [ "$(id -u)" = "0" ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
  run_as_postgres "psql -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='gpuops'\" | grep -q 1 || psql -p $pg_port -qc \"CREATE ROLE gpuops LOGIN SUPERUSER PASSWORD 'gpuops'\"" >&2
  run_as_postgres "psql -p $pg_port -tAc \"SELECT 1 FROM pg_database WHERE datname='gpuops_test'\" | grep -q 1 || createdb -p $pg_port -O gpuops gpuops_test" >&2
  export GPUOPS_TEST_DATABASE_URL="postgres://gpuops:gpuops@127.0.0.1:$pg_port/gpuops_test"
fi

# The console's browser tests: Debian's Chromium, driven by playwright-core (which downloads nothing).
if [ ! -x "${GPUOPS_CHROMIUM:-/usr/bin/chromium}" ]; then gpuops_apt_install chromium; fi

# The idle-GPU tests: a real Prometheus binary (Debian's package); the tests run it as a child
# process with a temporary config, never the packaged systemd service.
if ! command -v prometheus >/dev/null; then gpuops_apt_install prometheus; fi

# The deployment tests render deploy/k8s with `kubectl kustomize` (Debian's kubernetes-client).
if ! command -v kubectl >/dev/null; then gpuops_apt_install kubernetes-client; fi

#!/usr/bin/env bash
# `npm test`: every test (unit, integration, e2e) with the services they need started first
# (a throw-away PostgreSQL, stopped and deleted when the tests end; see test-services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh
# Not exec: this shell stays to stop the private PostgreSQL when vitest ends (the EXIT trap).
npx vitest run "$@"

#!/usr/bin/env bash
# `npm test`: every test (unit, integration, e2e) with the services they need started first.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh
exec npx vitest run "$@"

#!/usr/bin/env bash
# Runs a command under Node >= 22.18 with dependencies installed for it (see node-env.sh).
set -euo pipefail
# shellcheck source=scripts/node-env.sh
source "$(dirname "$0")/node-env.sh"
exec "$@"

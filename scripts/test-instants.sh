#!/usr/bin/env bash
# Runs the time-sensitive suites at fixed instants that have broken things before or could: the
# hours when yesterday is still being billed (00:30, 07:59), just after (08:01), the end of a day,
# of a month and of February in a leap year, and both DST switches in Europe/Berlin and
# America/New_York (with the process in that zone). The whole test process gets the instant from
# libfaketime (the clock ticks on from it; the monotonic clock stays real so timers behave).
# Usage: scripts/test-instants.sh [vitest args…]   (after test-services.sh, as .ci/run does)
set -euo pipefail
cd "$(dirname "$0")/.."

# The suites whose answers depend on the wall clock (the demo's billed hours, "yesterday", look-backs,
# signed requests); suites that run wholly on an injected clock (the 30-day scheduler simulations)
# gain nothing here. Prometheus (a Go binary, which libfaketime does not reach) stays out.
SUITES=(
  test/unit/periods.test.ts test/unit/digest-maths.test.ts test/unit/duration.test.ts
  test/unit/idle-rule.test.ts test/unit/idle-command.test.ts
  test/integration/digest-cli.test.ts test/integration/digest-chat-doors.test.ts
  test/integration/cost.test.ts test/integration/idle-alerts.test.ts
  test/integration/idle-azure-monitor.test.ts test/integration/cross-verb-consistency.test.ts
  test/integration/fleet.test.ts test/integration/requests-slack.test.ts
)

# instant (UTC) | TZ of the process | why
INSTANTS=(
  "2026-12-03 00:30:00|UTC|just after midnight: yesterday is hardly billed"
  "2026-12-03 07:59:00|UTC|the last minute before yesterday is fully billed"
  "2026-12-03 08:01:00|UTC|the first minute after"
  "2026-12-03 23:59:00|UTC|the last minute of a day"
  "2026-11-30 23:30:00|UTC|the last day of a month"
  "2028-02-29 12:00:00|UTC|29 February"
  "2026-03-29 00:59:00|Europe/Berlin|Berlin springs forward at 01:00 UTC"
  "2026-10-25 00:30:00|Europe/Berlin|inside Berlin's repeated hour"
  "2026-03-08 06:59:00|America/New_York|New York springs forward at 07:00 UTC"
  "2026-11-01 05:30:00|America/New_York|inside New York's repeated hour"
)

failed=()
for entry in "${INSTANTS[@]}"; do
  IFS="|" read -r at zone why <<<"$entry"
  echo "== tests at $at UTC (TZ=$zone): $why"
  # faketime reads the instant in the process's zone: hand it the UTC instant as that zone's wall time.
  local_at="$(TZ="$zone" date -d "$at UTC" '+%Y-%m-%d %H:%M:%S')"
  if ! FAKETIME_DONT_FAKE_MONOTONIC=1 TZ="$zone" faketime -f "@$local_at" npx vitest run --reporter=dot "${SUITES[@]}" "$@"; then
    failed+=("$at ($zone)")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'time-sensitive tests failed at: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "time-sensitive suites passed at all ${#INSTANTS[@]} instants"

#!/bin/sh
# The full hostile runs (root; network namespaces only): 10^6 random and mutated packets at 20,000 pps with a
# liveness probe every 10^5, then 10^5 DISCOVERs from random MACs at 2,000/s (default config). Same code as the
# bounded CI run (test/integration/hostile.test.ts); the figures are printed as "hostile run:" and "discover flood:",
# then checked against issue 10's "done when" (bench/hostile/verdict.ts): RSS growth < 50 MB, log < 5 MB, every probe
# answered within 3 s (with each latency), nothing answered that must not be, a client binds after the flood. The
# exit code is 0 only when all of them hold. Run it on a quiet host: at a load above ~1 the generator does not reach
# 20,000 pps (the verdict says so) and the daemon's pauses grow.
#   bench/hostile/full-run.sh            # or smaller: HOSTILE_COUNT=200000 bench/hostile/full-run.sh
set -eu
cd "$(dirname "$0")/../.."
export HOSTILE_COUNT="${HOSTILE_COUNT:-1000000}" HOSTILE_RATE="${HOSTILE_RATE:-20000}" HOSTILE_PROBE_EVERY="${HOSTILE_PROBE_EVERY:-100000}"
export FLOOD_COUNT="${FLOOD_COUNT:-100000}" FLOOD_RATE="${FLOOD_RATE:-2000}"
# The test's own RSS bound is the CI run's regression guard; here the verdict judges the issue's 50 MB, so the test
# is let run to its end (a client binding after the flood) whatever the RSS.
export HOSTILE_RSS_LIMIT_MB="${HOSTILE_RSS_LIMIT_MB:-100000}"
npm run build >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "host load before: $(cat /proc/loadavg)"
npx vitest run test/integration/hostile.test.ts --reporter verbose >"$out" 2>&1 || true
grep -E 'hostile run:|discover flood:|daemon log:|✓|×|FAIL' "$out" || true
echo "host load after: $(cat /proc/loadavg)"
npx tsx bench/hostile/verdict.ts "$HOSTILE_RATE" <"$out"

#!/bin/sh
# The full hostile runs (root; network namespaces only): 10^6 random and mutated packets at 20,000 pps with a
# liveness probe every 10^5, then 10^5 DISCOVERs from random MACs at 2,000/s (default config). Same code as the
# bounded CI run (test/integration/hostile.test.ts); the numbers are printed as "hostile run:" and "discover flood:".
#   bench/hostile/full-run.sh            # or smaller: HOSTILE_COUNT=200000 bench/hostile/full-run.sh
set -eu
cd "$(dirname "$0")/../.."
export HOSTILE_COUNT="${HOSTILE_COUNT:-1000000}" HOSTILE_RATE="${HOSTILE_RATE:-20000}" HOSTILE_PROBE_EVERY="${HOSTILE_PROBE_EVERY:-100000}"
export FLOOD_COUNT="${FLOOD_COUNT:-100000}" FLOOD_RATE="${FLOOD_RATE:-2000}"
npm run build >/dev/null
npx vitest run test/integration/hostile.test.ts --reporter verbose 2>&1 | grep -E 'hostile run:|discover flood:|✓|×|FAIL'

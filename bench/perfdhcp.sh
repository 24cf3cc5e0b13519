#!/usr/bin/env bash
# Runs ../shared/bench/peers.sh with actor-dhcpd ("self") and ISC Kea in the same run, so both numbers come from
# the same machine under the same load. Root only; traffic stays in the harness's namespaces (198.18.0.0/15).
# usage: bench/perfdhcp.sh [extra peers...]     knobs: RATES PERIOD SAT_RATE MODES … (see ../shared/bench/README.md)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED_BENCH:-$REPO/../shared/bench}"
[[ -x "$SHARED/peers.sh" ]] || { echo "no benchmark harness at $SHARED" >&2; exit 1; }
command -v perfdhcp >/dev/null && command -v ping >/dev/null || { apt-get update && apt-get install -y --no-install-recommends kea-admin kea-dhcp4-server iputils-ping; }
[[ -f "$REPO/dist/src/cli.js" ]] || (cd "$REPO" && npm run build)
rm -rf /tmp/actor-dhcpd-bench
# The installed command itself (its shebang sets the V8 flags the daemon runs with).
export SELF_CMD="$REPO/dist/src/cli.js --config $REPO/bench/bench.json"
exec "$SHARED/peers.sh" self kea "$@"

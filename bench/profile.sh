#!/usr/bin/env bash
# CPU profile of the daemon under perfdhcp load: starts the built daemon with `node --cpu-prof` in the benchmark
# namespaces, drives it with perfdhcp in relay mode at RATE DORA/s for PERIOD s (CLIENTS distinct clients), stops
# it with SIGTERM (the profile is written at exit) and prints bench/profile-summary.mjs's breakdown. Root only.
# usage: bench/profile.sh [OUTDIR]     knobs: RATE=4000 PERIOD=20 CLIENTS=50000 CONFIG=bench/perfdhcp/actor-dhcpd.json
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
H=$REPO/bench/perfdhcp
. "$H/env.sh"
OUT=${1:-$(mktemp -d /tmp/adprof.XXXXXX)}
RATE=${RATE:-4000} PERIOD=${PERIOD:-20} CLIENTS=${CLIENTS:-50000}
CONFIG=${CONFIG:-$H/actor-dhcpd.json}
[ "$(id -u)" = 0 ] || { echo "root only" >&2; exit 1; }
command -v perfdhcp >/dev/null || { echo "perfdhcp missing: run bench/perfdhcp.sh once (it installs it)" >&2; exit 1; }
exec 9>/run/lock/actor-dhcpd-bench.lock
flock -w 1800 9 || exit 1
mkdir -p "$OUT"; RUN=$(mktemp -d /tmp/adprofrun.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; "$H/netns.sh" down; rm -rf "$RUN"; }
trap cleanup EXIT
"$H/netns.sh" up || exit 1
sed -e "s/@IF@/$IF_SRV/g" -e "s#@RUNDIR@#$RUN#g" "$CONFIG" >"$RUN/config.json"
ip netns exec "$NS_SRV" taskset -c "${SRV_CPU:-1}" node --max-semi-space-size=32 --cpu-prof --cpu-prof-dir="$OUT" \
  "$REPO/dist/src/cli.js" --config "$RUN/config.json" >"$RUN/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do nss ss -Huln 'sport = :67' | grep -q . && break; sleep 0.1; done
sleep 0.5
t0=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$PID/stat")
timeout -k 2 $((PERIOD + 15)) ip netns exec "$NS_CLI" taskset -c "${CLI_CPU:-0}" perfdhcp -4 -r "$RATE" -R "$CLIENTS" \
  -p "$PERIOD" -W 1000000 -l "$RELAY_ADDR" "$SRV_ADDR" >"$OUT/perfdhcp.txt" 2>&1
t1=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$PID/stat")
acks=$(awk '/Statistics for: REQUEST-ACK/ { s=1 } s && /^received packets:/ { print $3; exit }' "$OUT/perfdhcp.txt")
kill -TERM "$PID"; for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done; PID=""
echo "perfdhcp: $acks ACKs at -r $RATE for $PERIOD s; server CPU $(( (t1 - t0) * 10 )) ms = $(awk -v c=$((t1 - t0)) -v a="$acks" 'BEGIN { printf "%.0f", c * 10000 / a }') us per DORA; load $(cut -d' ' -f1 /proc/loadavg)"
node "$REPO/bench/profile-summary.mjs" "$(ls -S "$OUT"/*.cpuprofile | head -1)" ${TOP:-30} "$acks"

#!/usr/bin/env bash
# Where the daemon's main thread stalls under perfdhcp load: runs the built daemon (V8 flags of its shebang, plus
# --trace-gc and bench/stalls/probe.mjs preloaded) in the benchmark namespaces, pinned to SRV_CPU as the perfdhcp
# bench does, drives it with perfdhcp (MODE relay|bcast, RATE DORA/s, PERIOD s), samples every thread's CPU and run
# queue wait (bench/stalls/threads.mjs) and prints bench/stalls/report.mjs: each event-loop stall over STALL_MS with
# the GC pauses and the CPU each thread used inside it, and totals per thread. Root only.
# CPU_PROF=1 adds a V8 CPU profile: each stall then also lists the main thread's own functions that ran in it.
# usage: bench/stalls/trace.sh [OUTDIR]   knobs: MODE=relay RATE=7000 PERIOD=10 CLIENTS=50000 STALL_MS=30 NICE=0 WARMUP=0 WARMUP_RATE
#        DAEMON=dist/src/cli.js (another build for a before/after pair) CONFIG=bench/perfdhcp/actor-dhcpd.json
#        NODE_EXTRA="--v8-pool-size=1" (node flags after the shebang's) RENICE_V8 BATCH_POOLS SHOW_THREADS=1
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
H=$REPO/bench/perfdhcp
. "$H/env.sh"
OUT=${1:-$(mktemp -d /tmp/adstall.XXXXXX)}
RATE=${RATE:-7000} PERIOD=${PERIOD:-10} CLIENTS=${CLIENTS:-50000} MODE=${MODE:-relay} NICE=${NICE:-0}
bench_priority "$@"
perfdhcp_single_setup
mkdir -p "$OUT"; RUN=$(mktemp -d /tmp/adstallrun.XXXXXX)
PID="" SAMPLER="" WATCH=""
cleanup() { [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null; [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null; [ -n "$PID" ] && kill "$PID" 2>/dev/null; "$H/netns.sh" down; rm -rf "$RUN"; }
trap cleanup EXIT
"$H/netns.sh" up || exit 1
sed -e "s/@IF@/$IF_SRV/g" -e "s#@RUNDIR@#$RUN#g" "$CONFIG" >"$RUN/config.json"
read -r -a V8_FLAGS < <(head -1 "$DAEMON" | sed -n 's/^#!.* node //p')
STALL_OUT=$OUT/loop.json ip netns exec "$NS_SRV" nice -n "$NICE" taskset -c "${SRV_CPU:-1}" node "${V8_FLAGS[@]}" ${NODE_EXTRA:-} \
  ${CPU_PROF:+--cpu-prof --cpu-prof-dir="$OUT"} --trace-gc --import "$HERE/probe.mjs" "$DAEMON" --config "$RUN/config.json" >"$OUT/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do nss ss -Huln 'sport = :67' | grep -q . && break; sleep 0.1; done
nss node "$DAEMON" stats --json --socket "$RUN/control.sock" >/dev/null 2>&1 || true
wait_idle "$PID"
# WARMUP=S: S seconds of the same load first, unmeasured (the optimizing compiler's warm-up and the tables' first
# growth stall the first second or two of a fresh daemon; a sweep's later steps run warm).
# WARMUP_RATE=R: that warm-up at R a second instead (the harness's rounds: 10,000/s, then the jump to RATE), and
# without waiting for the daemon to go idle after it.
if [ "${WARMUP:-0}" -gt 0 ]; then
  RATE=${WARMUP_RATE:-$RATE} perfdhcp_load "$WARMUP" "$OUT/perfdhcp-warmup.txt"
  [ -z "${WARMUP_RATE:-}" ] && wait_idle "$PID"
fi
# Experiment knobs: RENICE_V8=N renices V8's platform workers; BATCH_POOLS="v8 uv" puts V8's workers and/or libuv's
# pool under SCHED_BATCH (their share of the core unchanged, but their wake-ups no longer preempt the main thread).
# A pool: the threads asleep on one futex word (a condition variable), V8's created before libuv's.
if [ -n "${RENICE_V8:-}${BATCH_POOLS:-}" ]; then
  pools=$(for t in $(ls /proc/$PID/task | sort -n); do read -r nr arg _ </proc/$PID/task/$t/syscall
    [ "$nr" = 202 ] && echo "$(( arg & ~15 )) $t"; done |
    awk '{ if (!($1 in o)) o[$1] = ++c; n[$1]++; m[$1] = m[$1] " " $2 } END { for (k in n) if (n[k] >= 2) print o[k], m[k] }' |
    sort -n | cut -d' ' -f2-)
  v8=$(echo "$pools" | sed -n 1p) uv=$(echo "$pools" | sed -n 2p)
  if [ -n "${RENICE_V8:-}" ]; then for tid in $v8; do renice -n "$RENICE_V8" -p "$tid" >/dev/null; done; fi
  for p in ${BATCH_POOLS:-}; do for tid in ${!p}; do chrt -b -p 0 "$tid"; done; done
fi
if [ -n "${SHOW_THREADS:-}" ]; then
  ls /proc/$PID/task | sort -n | while read -r t; do echo "$t nice=$(awk '{ sub(/.*\) /, ""); print $17 }' /proc/$PID/task/$t/stat) policy=$(awk '{ sub(/.*\) /, ""); print $39 }' /proc/$PID/task/$t/stat) $(cut -d' ' -f1-3 /proc/$PID/task/$t/syscall)"; done
fi
# A process in perfdhcp's namespace, so that the sampler can read that namespace's UDP counters.
ip netns exec "$NS_CLI" sleep $((PERIOD + 30)) & WATCH=$!
taskset -c "${CLI_CPU:-0}" node "$HERE/threads.mjs" "$PID" "$OUT/threads.jsonl" 10 $((PERIOD + 30)) "${SRV_CPU:-1}" "$WATCH" & SAMPLER=$!
for _ in $(seq 1 50); do [ -s "$OUT/threads.jsonl" ] && break; sleep 0.1; done   # the sampler is up before the load
date +%s%3N >"$OUT/load-start"
# How far the daemon's log had got when the measured load started (with NODE_EXTRA="--trace-opt --trace-deopt":
# what V8 compiled and threw away before and after).
wc -l <"$OUT/server.log" >"$OUT/load-start-line"
perfdhcp_load "$PERIOD" "$OUT/perfdhcp.txt"
date +%s%3N >"$OUT/load-end"
for ns in "$NS_SRV" "$NS_CLI"; do ip netns exec "$ns" nstat -asz >"$OUT/nstat-$ns.txt" 2>&1; done
nss node "$DAEMON" stats --json --socket "$RUN/control.sock" >"$OUT/stats.json" 2>&1 || true
kill "$SAMPLER" 2>/dev/null; SAMPLER=""
kill -TERM "$PID"; for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done; PID=""
echo "perfdhcp $MODE -r $RATE for $PERIOD s; load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E '^(sent|received) packets|^drops ratio|^(avg|max) delay|Statistics for' "$OUT/perfdhcp.txt" | paste - - - - - - 2>/dev/null
node "$HERE/report.mjs" "$OUT"

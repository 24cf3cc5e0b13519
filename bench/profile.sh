#!/usr/bin/env bash
# CPU profile of the daemon under perfdhcp load: starts the built daemon with `node --cpu-prof` in the benchmark
# namespaces, drives it with perfdhcp in MODE (relay | bcast, as bench/perfdhcp/sweep.sh) at RATE DORA/s for PERIOD s
# (CLIENTS distinct clients), stops it with SIGTERM (the profile is written at exit) and prints the server's user and
# kernel CPU per DORA (from /proc/PID/stat: the kernel's share is invisible to the V8 profile) and
# bench/profile-summary.mjs's breakdown. PERF=1 also records the server's CPU (kernel stacks included) with `perf`
# and prints its top symbols. Root only.
# KIND=discover loads DISCOVERs alone (perfdhcp -i: offers nobody REQUESTs), and the per-DORA figures are per OFFER.
# usage: bench/profile.sh [OUTDIR]     knobs: MODE=relay RATE=4000 PERIOD=20 CLIENTS=50000 PERF=0 KIND=dora
#                                             CONFIG=bench/perfdhcp/actor-dhcpd.json DAEMON=dist/src/cli.js
# DAEMON: another build's cli.js (an older commit built elsewhere, as in bench/README.md) for a before/after pair.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
H=$REPO/bench/perfdhcp
. "$H/env.sh"
OUT=${1:-$(mktemp -d /tmp/adprof.XXXXXX)}
RATE=${RATE:-4000} PERIOD=${PERIOD:-20} CLIENTS=${CLIENTS:-50000} MODE=${MODE:-relay} PERF=${PERF:-0} NICE=${NICE:-0}
KIND=${KIND:-dora}
LOAD_ARGS=(); EXCHANGE=REQUEST-ACK
[ "$KIND" = discover ] && { LOAD_ARGS=(-i); EXCHANGE=DISCOVER-OFFER; }
bench_priority "$@"
perfdhcp_single_setup
mkdir -p "$OUT"; RUN=$(mktemp -d /tmp/adprofrun.XXXXXX)
PID="" PERF_PID=""
cleanup() { [ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null; [ -n "$PID" ] && kill "$PID" 2>/dev/null; "$H/netns.sh" down; rm -rf "$RUN"; }
trap cleanup EXIT
"$H/netns.sh" up || exit 1
sed -e "s/@IF@/$IF_SRV/g" -e "s#@RUNDIR@#$RUN#g" "$CONFIG" >"$RUN/config.json"
# The V8 flags production runs with: those of the daemon's shebang.
read -r -a V8_FLAGS < <(head -1 "$DAEMON" | sed -n 's/^#!.* node //p')
ip netns exec "$NS_SRV" nice -n "$NICE" taskset -c "${SRV_CPU:-1}" node "${V8_FLAGS[@]}" --cpu-prof --cpu-prof-dir="$OUT" \
  "$DAEMON" --config "$RUN/config.json" >"$RUN/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do nss ss -Huln 'sport = :67' | grep -q . && break; sleep 0.1; done
# Ask for the counters once before the load: the control API compiles its schemas on its first request, which
# would otherwise land in the profile with the final query below.
nss node "$DAEMON" stats --json --socket "$RUN/control.sock" >/dev/null 2>&1 || true
wait_idle "$PID"
ticks() { awk '{ sub(/.*\) /, ""); print $12, $13 }' "/proc/$PID/stat"; }   # utime stime (clock ticks)
if [ "$PERF" = 1 ]; then
  command -v perf >/dev/null || { echo "PERF=1: perf is not installed" >&2; exit 1; }
  perf record -q -g -p "$PID" -o "$OUT/perf.data" 2>"$OUT/perf.log" & PERF_PID=$!
fi
read -r u0 s0 < <(ticks)
perfdhcp_load "$PERIOD" "$OUT/perfdhcp.txt" "${LOAD_ARGS[@]}"
read -r u1 s1 < <(ticks)
[ -n "$PERF_PID" ] && { kill -INT "$PERF_PID"; wait "$PERF_PID"; PERF_PID=""; }
t0=$((u0 + s0)) t1=$((u1 + s1))
# The server's counters (what it received, sent and dropped) against what perfdhcp saw: tells server-side from wire losses.
for ns in "$NS_SRV" "$NS_CLI"; do ip netns exec "$ns" nstat -asz >"$OUT/nstat-$ns.txt" 2>&1; done
nss node "$DAEMON" stats --json --socket "$RUN/control.sock" >"$OUT/stats.json" 2>&1 || true
acks=$(awk -v x="Statistics for: $EXCHANGE" 'index($0, x) { s=1 } s && /^received packets:/ { print $3; exit }' "$OUT/perfdhcp.txt")
kill -TERM "$PID"; for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done; PID=""
hz=$(getconf CLK_TCK)
us() { awk -v c="$1" -v a="$acks" -v hz="$hz" 'BEGIN { printf "%.0f", c * 1e6 / hz / a }'; }
echo "perfdhcp $MODE $KIND: $acks $([ "$KIND" = discover ] && echo OFFERs || echo ACKs) at -r $RATE for $PERIOD s; server CPU $(us $((t1 - t0))) us per exchange (user $(us $((u1 - u0))), kernel $(us $((s1 - s0)))); load $(cut -d' ' -f1 /proc/loadavg)"
if [ "$PERF" = 1 ]; then
  echo; echo "perf: top symbols by self time (kernel [k] and user [.]):"
  perf report -i "$OUT/perf.data" --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -"${TOP:-30}"
  # Whole-process shares (all threads, kernel included) of what the V8 profile cannot separate: it samples the main
  # thread's wall time, so a moment the pinned core spent on a GC helper thread or the LevelDB worker is charged to
  # whatever JS ran then (often sendAll or _batch, the calls that wake the kernel and the worker).
  echo; echo "perf: inclusive shares of the whole process (all threads):"
  PERF_GROUPS="V8 helper threads (concurrent GC, compiler)=node::(anonymous namespace)::PlatformWorkerThread
  concurrent marking (major GC)=v8::internal::ConcurrentMarking::JobTaskMajor::Run
  scavenger (minor GC), all threads=v8::internal::ScavengerCollector::JobTask::Run
  sweeper=v8::internal::Sweeper::SweeperJob::RunImpl
  optimizing compiler=v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal
sendmmsg (replies, kernel included)=__sendmmsg
recvmmsg (requests, kernel included)=__recvmmsg
LevelDB write (its worker thread)=leveldb::DBImpl::Write
  fsync=do_fsync"
  perf report -i "$OUT/perf.data" --children --sort sym --stdio 2>/dev/null | awk -F'\t' -v groups="$PERF_GROUPS" '
    BEGIN { n = split(groups, g, "\n"); for (i = 1; i <= n; i++) { split(g[i], f, "="); label[i] = f[1]; prefix[i] = f[2] } }
    /^ +[0-9.]+%/ { sym = $0; sub(/^ +[0-9.]+% +[0-9.]+% +\[[^]]*\] +/, "", sym)
      for (i = 1; i <= n; i++) if (!(i in share) && index(sym, prefix[i]) == 1) share[i] = $0 + 0 }
    END { for (i = 1; i <= n; i++) printf "  %6.2f %%  %s\n", share[i] + 0, label[i] }'
fi
node "$REPO/bench/profile-summary.mjs" "$(ls -S "$OUT"/*.cpuprofile | head -1)" ${TOP:-30} "$acks"

#!/usr/bin/env bash
# Same-run comparison of actor-dhcpd and ISC Kea (Debian's kea-dhcp4 2.2, memfile, one thread) under ISC perfdhcp,
# in relay and broadcast modes, on a veth pair between two network namespaces this script creates and removes
# (addresses only from 198.18.0.0/15; the host's interfaces are never touched). Self-contained: installs perfdhcp
# (Debian kea-admin), kea-dhcp4-server and ethtool if missing and builds dist/ if absent or stale. Root only.
# Each server is pinned to SRV_CPU, perfdhcp to CLI_CPU. Prints the per-step lines, then one table with both servers
# and the ratios (see bench/README.md). Every ACK of ours is fsynced (LevelDB group commit); Kea's memfile is not.
# usage: bench/perfdhcp.sh      knobs: MODES="relay bcast" PEERS="self kea" RATES PERIOD CLIENTS SAT_RATE SRV_CPU
#        CLI_CPU KEEP_RUNDIR=1 SELF_CMD (default: the built daemon). Quick check: RATES=500 PERIOD=3 SAT_RATE=0
#        Another build of ours in the same run (before/after a change): PEERS="self base kea" BASE_CMD="/path/to/
#        other/dist/src/cli.js --config @RUNDIR@/actor-dhcpd.json".
#        SAT_PAIRS=N (default 3; 0 = none, and none when SAT_RATE=0): after the sweeps, N more saturation runs per
#        peer and mode, the peers alternating (their order reversed every other round), each on a fresh server
#        warmed by SAT_WARMUP ("RATE SECONDS", default "10000 5"): one run's goodput moves by 10-15 % between runs,
#        so the table gives their median and range, and the median of the per-round ratios.
#        SRV_QDISC="tbf ..." (an experiment): a queueing discipline on the server's veth end (bench/perfdhcp/netns.sh).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
H=$REPO/bench/perfdhcp
. "$H/env.sh"
MODES=${MODES:-"relay bcast"}
PEERS=${PEERS:-"self kea"}
export SRV_CPU=${SRV_CPU:-1} CLI_CPU=${CLI_CPU:-0} NICE=${NICE:-0}
bench_priority "$@"

[ "$(id -u)" = 0 ] || { echo "root only (network namespaces, perfdhcp)" >&2; exit 1; }
if ! command -v perfdhcp >/dev/null || ! command -v ping >/dev/null || ! command -v kea-dhcp4 >/dev/null || ! command -v ethtool >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    kea-admin kea-dhcp4-server ethtool iputils-ping >/dev/null || { echo "could not install perfdhcp/Kea" >&2; exit 1; }
fi
# Rebuilt when absent or older than any source: a stale dist/ would measure yesterday's code.
if [ ! -f "$REPO/dist/src/cli.js" ] || [ -n "$(find "$REPO/src" "$REPO/machines" -name '*.ts' -newer "$REPO/dist/src/cli.js" | head -1)" ]; then
  (cd "$REPO" && npm run build) || exit 1
fi
# The installed command itself: its shebang sets the V8 flags the daemon runs with.
SELF_CMD=${SELF_CMD:-"$REPO/dist/src/cli.js --config @RUNDIR@/actor-dhcpd.json"}

# One run at a time on this host (two would share the namespaces and the CPUs).
exec 9>/run/lock/actor-dhcpd-bench.lock
flock -w 1800 9 || { echo "another benchmark run holds the lock" >&2; exit 1; }

WORK=$(mktemp -d /tmp/adbench.XXXXXX)
export RESULTS_CSV=$WORK/results.csv
SRV_PID=""
stop_server() {   # by PID only
  [ -z "$SRV_PID" ] && return
  kill "$SRV_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
}
cleanup() {
  stop_server
  "$H/netns.sh" down
  if [ "${KEEP_RUNDIR:-0}" = 1 ]; then echo "run files kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$H/netns.sh" up || exit 1

start_server() {   # start_server PEER MODE RUNDIR -> SRV_PID
  local peer=$1 mode=$2 run=$3 sock
  local NSX=(ip netns exec "$NS_SRV" nice -n "$NICE" taskset -c "$SRV_CPU")
  case "$peer" in
    kea)
      if [ "$mode" = relay ]; then sock=udp; else sock=raw; fi   # broadcasts need Kea's raw (LPF) sockets
      sed -e "s/@IF@/$IF_SRV/g" -e "s#@RUNDIR@#$run#g" -e "s/@SOCKTYPE@/$sock/" "$H/kea-dhcp4.json" >"$run/kea.json"
      KEA_PIDFILE_DIR=$run KEA_LOCKFILE_DIR=$run "${NSX[@]}" kea-dhcp4 -c "$run/kea.json" >"$run/server.log" 2>&1 &
      ;;
    self|base)
      local cmd=$SELF_CMD
      if [ "$peer" = base ]; then cmd=${BASE_CMD:?BASE_CMD must be set for the peer base}; fi
      sed -e "s/@IF@/$IF_SRV/g" -e "s#@RUNDIR@#$run#g" "$H/actor-dhcpd.json" >"$run/actor-dhcpd.json"
      "${NSX[@]}" bash -c "exec ${cmd//@RUNDIR@/$run}" >"$run/server.log" 2>&1 &
      ;;
    *) echo "unknown server $peer (self|base|kea)" >&2; return 1 ;;
  esac
  SRV_PID=$!   # ip netns exec, taskset and bash exec all exec(): this is the server's PID
  for _ in $(seq 1 100); do   # at most 10 s until something listens on UDP :67
    kill -0 "$SRV_PID" 2>/dev/null || { echo "$peer exited at start:" >&2; tail -5 "$run/server.log" >&2; SRV_PID=""; return 1; }
    nss ss -Huln 'sport = :67' | grep -q . && { wait_idle "$SRV_PID"; return 0; }
    sleep 0.1
  done
  echo "$peer: nothing listens on :67 after 10 s" >&2; return 1
}

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); servers on CPU $SRV_CPU, perfdhcp on CPU $CLI_CPU; $(perfdhcp -v 2>&1 | head -1)"
for mode in $MODES; do
  for peer in $PEERS; do
    run=$WORK/$peer-$mode; mkdir -p "$run"
    start_server "$peer" "$mode" "$run" || { stop_server; echo "$peer $mode: START FAILED" >&2; continue; }
    SRV_PID=$SRV_PID LOGDIR=$run/perfdhcp "$H/sweep.sh" "$peer" "$mode"
    kill -0 "$SRV_PID" 2>/dev/null || echo "$peer $mode: server died during the sweep" >&2
    stop_server
  done
done
# Saturation again, the peers alternating round by round: what moves the host between runs moves every peer alike.
# Every other round runs them in the reverse order (A B, B A, A B, …): going first or second in a pair moved an
# A/B of six rounds by as much as the change measured (bench/README.md, fifth round).
SAT_PAIRS=${SAT_PAIRS:-3}
[ "${SAT_RATE:-100000}" = 0 ] && SAT_PAIRS=0
REVERSED_PEERS=$(printf '%s\n' $PEERS | tac | tr '\n' ' ')
for mode in $MODES; do
  for round in $(seq 1 "$SAT_PAIRS"); do
    order=$PEERS
    [ $((round % 2)) = 0 ] && order=$REVERSED_PEERS
    for peer in $order; do
      run=$WORK/$peer-$mode-sat$round; mkdir -p "$run"
      start_server "$peer" "$mode" "$run" || { stop_server; echo "$peer $mode: START FAILED" >&2; continue; }
      SRV_PID=$SRV_PID LOGDIR=$run/perfdhcp RATES="" SAT_KIND=satpair WARMUP=${SAT_WARMUP:-"10000 5"} "$H/sweep.sh" "$peer" "$mode"
      stop_server
    done
  done
done
echo
echo "===== same run: $(date -u +%FT%TZ), load now $(cut -d' ' -f1-3 /proc/loadavg) ====="
node "$H/table.mjs" "$RESULTS_CSV" kea
echo
echo "----- per-step CSV"
cat "$RESULTS_CSV"

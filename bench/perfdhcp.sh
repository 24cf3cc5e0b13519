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
#        PERFDHCP_THREADS=single|multi: perfdhcp's -g (unset: perfdhcp's own pick, multi on a host with more than one
#        CPU, even though it runs pinned to one; bench/README.md, eleventh round).
#        SRV_QDISC="tbf ..." (an experiment): a queueing discipline on the server's veth end (bench/perfdhcp/netns.sh).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
H=$REPO/bench/perfdhcp
. "$H/env.sh"
MODES=${MODES:-"relay bcast"}
PEERS=${PEERS:-"self kea"}
export SRV_CPU=${SRV_CPU:-1} CLI_CPU=${CLI_CPU:-0} NICE=${NICE:-0}
perfdhcp_thread_args || exit 2
bench_priority "$@"

. "$H/servers.sh"
servers_ready || exit 1

bench_lock || exit 1

WORK=$(mktemp -d /tmp/adbench.XXXXXX)
export RESULTS_CSV=$WORK/results.csv
cleanup() {
  stop_server
  "$H/netns.sh" down
  if [ "${KEEP_RUNDIR:-0}" = 1 ]; then echo "run files kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$H/netns.sh" up || exit 1

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); servers on CPU $SRV_CPU, perfdhcp on CPU $CLI_CPU; $(perfdhcp -v 2>&1 | head -1); perfdhcp threads: ${PERFDHCP_THREADS:-its default (multi with $(nproc) CPUs)}"
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
# Every other round runs them in the reverse order (servers.sh, round_order; bench/README.md, fifth round).
SAT_PAIRS=${SAT_PAIRS:-3}
[ "${SAT_RATE:-100000}" = 0 ] && SAT_PAIRS=0
for mode in $MODES; do
  for round in $(seq 1 "$SAT_PAIRS"); do
    for peer in $(round_order "$round"); do
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

#!/usr/bin/env bash
# What a request costs each server at a rate both keep up with: the server's CPU (user + kernel, all its threads, from
# /proc/PID/stat) per reply perfdhcp received, at RATE for PERIOD s on a server warmed by WARM s of the same load.
# Unlike saturation goodput, which moves by 10-15 % between runs with how fast perfdhcp itself runs, this moved by
# ~2 % between runs: the figure to compare builds on. Two kinds of load (KINDS):
#   discover  perfdhcp -i: DISCOVER-OFFER only, as offers nobody REQUESTs (a flood, clients that took another
#             server's offer, the lost half of exchanges at saturation) — what a server spends on work that leads nowhere;
#   dora      whole exchanges (each reply is an OFFER or an ACK; every ACK of ours fsynced, Kea's memfile not).
# The peers (PEERS: self, base with BASE_CMD, kea; bench/perfdhcp/servers.sh) take turns on fresh servers, ROUNDS
# rounds, the order reversed every other round. Same namespaces, pinning and installs as bench/perfdhcp.sh. Root only.
# usage: bench/cpu-per-request.sh      knobs: MODE=relay|bcast RATE=15000 PERIOD=10 WARM=5 ROUNDS=2 KINDS="discover dora"
#        PEERS="self kea" CLIENTS=50000 SRV_CPU=1 CLI_CPU=0 NICE=0
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
H=$REPO/bench/perfdhcp
. "$H/env.sh"
MODE=${MODE:-relay} RATE=${RATE:-15000} PERIOD=${PERIOD:-10} WARM=${WARM:-5} ROUNDS=${ROUNDS:-2}
KINDS=${KINDS:-"discover dora"} PEERS=${PEERS:-"self kea"} CLIENTS=${CLIENTS:-50000}
export SRV_CPU=${SRV_CPU:-1} CLI_CPU=${CLI_CPU:-0} NICE=${NICE:-0}
bench_priority "$@"
. "$H/servers.sh"
servers_ready || exit 1
perfdhcp_single_setup   # TARGET for MODE; the benchmark lock

WORK=$(mktemp -d /tmp/adcpu.XXXXXX)
cleanup() { stop_server; "$H/netns.sh" down; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$H/netns.sh" up || exit 1

# perfdhcp at RATE for $1 s, the load of kind $2 (discover: DISCOVER-OFFER only), its report to $3.
load() {
  if [ "$2" = discover ]; then perfdhcp_load "$1" "$3" -i; else perfdhcp_load "$1" "$3"; fi
}
replies() { awk '/^received packets:/ { n += $3 } END { print n + 0 }' "$1"; }

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $MODE at $RATE/s for $PERIOD s after $WARM s; $(perfdhcp -v 2>&1 | head -1)"
RESULTS=$WORK/results.txt
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for kind in $KINDS; do
    for peer in $(round_order "$round"); do
      run=$WORK/$peer-$kind-$round; mkdir -p "$run"
      start_server "$peer" "$MODE" "$run" || { stop_server; echo "$peer: START FAILED" >&2; continue; }
      [ "$WARM" -gt 0 ] && load "$WARM" "$kind" "$run/warm.txt"
      sleep 1
      t0=$(cpu_ticks "$SRV_PID")
      load "$PERIOD" "$kind" "$run/perfdhcp.txt"
      t1=$(cpu_ticks "$SRV_PID")
      stop_server
      n=$(replies "$run/perfdhcp.txt")
      us=$(awk -v c=$((t1 - t0)) -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f", (n > 0 ? c * 1e6 / hz / n : 0) }')
      cpu=$(awk -v c=$((t1 - t0)) -v p="$PERIOD" -v hz="$hz" 'BEGIN { printf "%.0f", c / hz / p * 100 }')
      drops=$(awk '/^drops ratio:/ { gsub("%", "", $3); printf "%s%s", sep, $3; sep = "/" }' "$run/perfdhcp.txt")
      printf '%-5s %-8s round %d: %7d replies, %5s us CPU per reply, server CPU %s %%, drops %s %%, load %s\n' \
        "$peer" "$kind" "$round" "$n" "$us" "$cpu" "$drops" "$(cut -d' ' -f1 /proc/loadavg)"
      echo "$peer $kind $us" >>"$RESULTS"
    done
  done
done

echo
echo "===== median µs of server CPU per reply ($MODE, $RATE/s; ratio: Kea's over ours, above 1 = we spend less) ====="
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" "));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const of = (peer, kind) => rows.filter((r) => r[0] === peer && r[1] === kind).map((r) => Number(r[2]));
  const peers = [...new Set(rows.map((r) => r[0]))], kinds = [...new Set(rows.map((r) => r[1]))];
  for (const kind of kinds) {
    const kea = of("kea", kind);
    const cells = peers.map((p) => { const xs = of(p, kind); return xs.length ? `${p} ${median(xs).toFixed(1)} (${Math.min(...xs)}-${Math.max(...xs)})` : `${p} -`; });
    const ratios = peers.filter((p) => p !== "kea" && kea.length && of(p, kind).length).map((p) => `${p} ${(median(kea) / median(of(p, kind))).toFixed(2)}x`);
    console.log(`${kind.padEnd(8)} ${cells.join("   ")}${ratios.length ? "   ratio " + ratios.join(", ") : ""}`);
  }' "$RESULTS"

#!/usr/bin/env bash
# sweep.sh LABEL relay|bcast — steps `perfdhcp -r` over RATES against whatever server listens in NS_SRV, then one
# saturation run at SAT_RATE. One CSV row per step goes to RESULTS_CSV (columns: see HEADER below); a line per step
# to stdout. A step passes when both stages (DISCOVER-OFFER, REQUEST-ACK) lose < MAX_DROP % and perfdhcp really sent
# >= MIN_ACHIEVED % of the requested rate. Every perfdhcp run is bounded by PERIOD (+15 s hard timeout).
#   relay: perfdhcp -l RELAY_ADDR SRV_ADDR — unicast from a relay (giaddr 198.19.0.1), replies go to giaddr:67.
#   bcast: perfdhcp -l IF_CLI -B — sent to 255.255.255.255:67 from CLI_ADDR:67 (perfdhcp 2.2 still sets
#          giaddr=CLI_ADDR and hops=1, so the server answers giaddr:67 from subnet 198.18.0.0/16).
# Knobs: RATES PERIOD CLIENTS MAX_DROP MIN_ACHIEVED STOP_AFTER SAT_RATE CLI_CPU SRV_PID LOGDIR RESULTS_CSV
#   PERFDHCP_THREADS=single|multi (perfdhcp -g; unset: perfdhcp's own pick)
#   WARMUP="RATE SECONDS": one unjudged step first (CSV kind "warm"), for a saturation run of a server just started;
#   SAT_KIND: the saturation row's kind (default "sat"; perfdhcp.sh's alternating saturation pairs use "satpair").
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"

LABEL=${1:?usage: $0 LABEL relay|bcast}
MODE=${2:-relay}
RATES=${RATES-"2000 4000 6000 8000 10000 12000 14000 15000 16000 17000 18000 19000 20000 22000 25000"}
PERIOD=${PERIOD:-10}
CLIENTS=${CLIENTS:-50000}
MAX_DROP=${MAX_DROP:-1}
MIN_ACHIEVED=${MIN_ACHIEVED:-95}
STOP_AFTER=${STOP_AFTER:-2}
SAT_RATE=${SAT_RATE:-100000}
SAT_KIND=${SAT_KIND:-sat}
WARMUP=${WARMUP:-}
CLI_CPU=${CLI_CPU:-0}
LOGDIR=${LOGDIR:?LOGDIR must be set}
HEADER=label,mode,req,sent_per_s,done_per_s,drop_DO_pct,drop_RA_pct,DO_avg_ms,DO_max_ms,RA_avg_ms,RA_max_ms,rc,ok,srv_cpu_pct,load1m,kind,srv_rcvbuf_drops,cli_rcvbuf_drops,srv_shed,ack_first_s,ack_steady_per_s
mkdir -p "$LOGDIR"

perfdhcp_thread_args || exit 2
case "$MODE" in
  relay) TARGET=(-l "$RELAY_ADDR" "$SRV_ADDR") ;;
  bcast) TARGET=(-l "$IF_CLI" -B) ;;
  *) echo "mode must be relay or bcast" >&2; exit 2 ;;
esac

# One perfdhcp report -> "sent/s done/s dropDO dropRA DOavg DOmax RAavg RAmax". done/s = ACKs received / PERIOD
# (perfdhcp's own Rate: line also divides by its exit wait).
parse() {
  awk -v p="$PERIOD" '
    /Statistics for: DISCOVER-OFFER/ { s="do" }
    /Statistics for: REQUEST-ACK/    { s="ra" }
    /^sent packets:/     { sent[s]=$3 }
    /^received packets:/ { recv[s]=$3 }
    /^drops ratio:/      { gsub("%","",$3); drop[s]=$3 }
    /^avg delay:/ && $3 != "min" { avg[s]=$3 }
    /^max delay:/        { max[s]=$3 }
    function num(x) { return (x ~ /^[0-9.]+$/) ? x : "100" }
    function v(x)   { return (x == "") ? "" : x }
    END { printf "%.0f %.0f %s %s %s %s %s %s\n", sent["do"]/p, recv["ra"]/p, num(drop["do"]), num(drop["ra"]),
            v(avg["do"]), v(max["do"]), v(avg["ra"]), v(max["ra"]) }' "$1"
}

# A saturation run's ACKs second by second (perfdhcp -t 1: cumulative "sent: D/R; received: O/A; ..." lines) ->
# "FIRST STEADY": the ACKs of its first second, and the median ACKs a second over the seconds after it. They part the
# jump from the warm-up rate (a fresh server's first overload: its queue filling, the code of its overload paths
# compiled then) from the rate it then holds (bench/README.md, eighth round). Empty for a report without those lines.
per_second_acks() {
  local acks
  acks=$(awk -F'[ /;]+' '/^sent:/ { print $6 - p; p = $6 }' "$1")
  [ -n "$acks" ] || { echo " "; return; }
  echo "$(head -1 <<<"$acks") $(tail -n +2 <<<"$acks" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else if (NR) print (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
}

# UdpRcvbufErrors so far in namespace $1: datagrams its sockets' full receive queues dropped (the server's requests in
# NS_SRV, our replies at perfdhcp in NS_CLI), which tells a server that fell behind from a client flooded by replies.
rcvbuf_drops() { ip netns exec "$1" awk '/^Udp:/ { if (n++) { print $col } else for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") col = i }' /proc/net/snmp; }

# DISCOVERs our server shed unread so far (overload control: transport shedStale), from its control socket next to
# LOGDIR; empty for a server without one (Kea).
CONTROL_SOCK=$(dirname "$LOGDIR")/control.sock
srv_shed() {
  [ -S "$CONTROL_SOCK" ] || return 0
  ip netns exec "$NS_SRV" node "$HERE/../../dist/src/cli.js" stats --json --socket "$CONTROL_SOCK" 2>/dev/null |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { console.log(JSON.parse(s).transport?.counters?.shedStale ?? "") } catch { console.log("") } })'
}

# CPU ticks (user+sys, all threads) used so far by SRV_PID
srv_ticks() { [ -n "${SRV_PID:-}" ] && cpu_ticks "$SRV_PID"; }

PERF_PID=""
trap '[ -n "$PERF_PID" ] && kill "$PERF_PID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

run_step() {   # run_step RATE KIND -> 0 if the step passes
  local rate=$1 kind=$2 out="$LOGDIR/$LABEL-$MODE-$1.txt" t0 t1 w0 w1 cpu="" sq0 cq0 sq cq sh0 sh report=()
  case "$kind" in sat|satpair) report=(-t 1) ;; esac
  sq0=$(rcvbuf_drops "$NS_SRV"); cq0=$(rcvbuf_drops "$NS_CLI"); sh0=$(srv_shed)
  t0=$(srv_ticks); w0=$(date +%s%N)
  timeout -k 2 $((PERIOD + 15)) ip netns exec "$NS_CLI" nice -n "${NICE:-0}" taskset -c "$CLI_CPU" \
    perfdhcp -4 -r "$rate" -R "$CLIENTS" -p "$PERIOD" -W 1000000 "${report[@]}" "${PERFDHCP_THREAD_ARGS[@]}" "${TARGET[@]}" >"$out" 2>&1 &
  PERF_PID=$!; wait "$PERF_PID"; local rc=$?; PERF_PID=""
  t1=$(srv_ticks); w1=$(date +%s%N)
  sq=$(( $(rcvbuf_drops "$NS_SRV") - sq0 )); cq=$(( $(rcvbuf_drops "$NS_CLI") - cq0 )); sh=$(srv_shed)
  [ -n "$sh" ] && [ -n "$sh0" ] && sh=$((sh - sh0))
  if [ -n "$t0" ] && [ -n "$t1" ]; then
    cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" -v ns=$((w1 - w0)) 'BEGIN { printf "%.0f", (b-a)/hz/(ns/1e9)*100 }')
  fi
  local snt ach dod rad doa dom raa ram ok load first steady
  read -r snt ach dod rad doa dom raa ram < <(parse "$out")
  read -r first steady < <(per_second_acks "$out")
  ok=$(awk -v r="$rate" -v s="$snt" -v d1="$dod" -v d2="$rad" -v md="$MAX_DROP" -v ma="$MIN_ACHIEVED" \
        'BEGIN { print ((d1+0 < md && d2+0 < md && s >= r*ma/100) ? "ok" : "FAIL") }')
  load=$(cut -d' ' -f1 /proc/loadavg)
  printf '%-6s %-5s %-4s req=%s sent=%s/s done=%s/s drop DO/RA=%s%%/%s%% DO avg/max=%s/%s RA avg/max=%s/%s ms queue drops srv/cli=%s/%s shed=%s cpu=%s%% load=%s %s%s\n' \
    "$LABEL" "$MODE" "$kind" "$rate" "$snt" "$ach" "$dod" "$rad" "$doa" "$dom" "$raa" "$ram" "$sq" "$cq" "${sh:--}" "$cpu" "$load" "$ok" \
    "${steady:+ ACKs first second $first, then $steady/s}"
  if [ -n "${RESULTS_CSV:-}" ]; then
    [ -s "$RESULTS_CSV" ] || echo "$HEADER" >"$RESULTS_CSV"
    echo "$LABEL,$MODE,$rate,$snt,$ach,$dod,$rad,$doa,$dom,$raa,$ram,$rc,$ok,$cpu,$load,$kind,$sq,$cq,$sh,$first,$steady" >>"$RESULTS_CSV"
  fi
  [ "$ok" = ok ]
}

if [ -n "$WARMUP" ]; then
  read -r warm_rate warm_period <<<"$WARMUP"
  ( PERIOD=$warm_period; run_step "$warm_rate" warm ) || true
fi
fails=0
for r in $RATES; do
  run_step "$r" step || fails=$((fails + 1))
  [ "$fails" -ge "$STOP_AFTER" ] && break
done
[ "$SAT_RATE" -gt 0 ] && { run_step "$SAT_RATE" "$SAT_KIND" || true; }
exit 0

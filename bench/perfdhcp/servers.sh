# Starting and stopping the servers under test (sourced by bench/perfdhcp.sh and bench/cpu-per-request.sh, after
# env.sh): each in NS_SRV, pinned to SRV_CPU at NICE, its files in a run directory of the caller's. Peers: self (the
# built daemon, SELF_CMD), base (another build of ours, BASE_CMD) and kea (kea-dhcp4 2.2, kea-dhcp4.json). In both
# commands @RUNDIR@ stands for the run directory.

# The installed command itself: its shebang sets the V8 flags the daemon runs with.
SELF_CMD=${SELF_CMD:-"$REPO/dist/src/cli.js --config @RUNDIR@/actor-dhcpd.json"}

# Root; perfdhcp, Kea, ethtool and ping installed (Debian packages) if missing; dist/ built if absent or stale.
servers_ready() {
  [ "$(id -u)" = 0 ] || { echo "root only (network namespaces, perfdhcp)" >&2; return 1; }
  if ! command -v perfdhcp >/dev/null || ! command -v ping >/dev/null || ! command -v kea-dhcp4 >/dev/null || ! command -v ethtool >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      kea-admin kea-dhcp4-server ethtool iputils-ping >/dev/null || { echo "could not install perfdhcp/Kea" >&2; return 1; }
  fi
  # Rebuilt when absent or older than any source: a stale dist/ would measure yesterday's code.
  if [ ! -f "$REPO/dist/src/cli.js" ] || [ -n "$(find "$REPO/src" "$REPO/machines" -name '*.ts' -newer "$REPO/dist/src/cli.js" | head -1)" ]; then
    (cd "$REPO" && npm run build) || return 1
  fi
}
SRV_PID=""
stop_server() {   # by PID only
  [ -z "$SRV_PID" ] && return
  kill "$SRV_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
}

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

# The peers' order in round ROUND of alternating rounds: PEERS as given, reversed every other round (A B, B A, A B,
# …): going first or second in a pair moved an A/B of six rounds by as much as the change it measured.
round_order() {
  if [ $(($1 % 2)) = 0 ]; then printf '%s\n' $PEERS | tac | tr '\n' ' '; else echo "$PEERS"; fi
}

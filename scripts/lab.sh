#!/usr/bin/env bash
# `npm run lab`: actor-dhcpd in an isolated network-namespace lab with real clients (udhcpc, dhclient, dhcrelay).
#
#   adl-c1 (udhcpc)   ─veth─┐
#   adl-c2 (dhclient) ─veth─┤ lab0 198.51.100.1/24   adl-srv (actor-dhcpd)
#                           adl-tr0 198.18.0.1/15 ─veth─ adl-tr1 198.18.0.2/15   adl-rly (dhcrelay)
#   adl-c3 (udhcpc)   ─veth──────────────────────────── adl-rbr 203.0.113.1/24 ┘
#
# Every link is created inside a namespace this script owns; host interfaces are never touched.
# Environment: LAB_CONFIG (default config/lab.json), LAB_STORE (default /var/lib/actor-dhcpd/lab-leases),
# LAB_RAW=1 prints the daemon's JSON lines unformatted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$REPO/.lab"
CONFIG="${LAB_CONFIG:-$REPO/config/lab.json}"
STORE="${LAB_STORE:-/var/lib/actor-dhcpd/lab-leases}"
SRV=adl-srv RLY=adl-rly
CLIENTS=(adl-c1 adl-c2 adl-c3)
DAEMON_PID=""

say() { printf '\033[1m[lab]\033[0m %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[[ "$(id -u)" == 0 ]] || die "run as root (network namespaces need CAP_NET_ADMIN): sudo npm run lab"
[[ "$(uname -s)" == Linux ]] || die "needs Linux network namespaces"

ensure_packages() {
  bash "$REPO/scripts/setup.sh" || die "set-up failed"
  command -v node >/dev/null || die "node (>= 20.19) is required"
}

ensure_built() {
  cd "$REPO"
  [[ -d node_modules ]] || { say "installing npm dependencies (npm ci)"; npm ci; }
  [[ -f dist/src/cli.js ]] || { say "building (npm run build)"; npm run build; }
  # Without the native addon the daemon falls back to dgram, which cannot answer clients that have no address yet.
  [[ -f build/Release/actor_dhcpd_net.node ]] || { say "building the native transport (npm run build:native)"; npm run build:native || say "native build failed: the daemon will fall back to dgram"; }
}

teardown() {
  trap - EXIT INT TERM
  if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    say "stopping actor-dhcpd (SIGTERM)"
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  remove_namespaces
  say "lab removed"
}

remove_namespaces() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep '^adl-' || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

refuse_if_running() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep '^adl-' || true); do
    [[ -z "$(ip netns pids "$ns" 2>/dev/null)" ]] || die "a lab is already running ($ns has processes); stop it first"
  done
  remove_namespaces # leftovers of a lab that died without its trap
}

add_ns() { ip netns add "$1"; ip -n "$1" link set lo up; }

add_bridge() { # ns name cidr
  ip -n "$1" link add "$2" type bridge forward_delay 0 stp_state 0
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" link set "$2" up
}

add_client() { # hub-ns bridge port client-ns mac
  add_ns "$4"
  ip -n "$1" link add "$3" type veth peer name eth0 netns "$4"
  ip -n "$1" link set "$3" master "$2" up
  ip -n "$4" link set eth0 address "$5" up
}

build_lab() {
  add_ns $SRV
  add_bridge $SRV lab0 198.51.100.1/24
  add_client $SRV lab0 adl-p1 adl-c1 02:00:5e:10:00:01
  add_client $SRV lab0 adl-p2 adl-c2 02:00:5e:10:00:10 # the MAC reserved in config/lab.json
  add_ns $RLY
  ip -n $SRV link add adl-tr0 type veth peer name adl-tr1 netns $RLY
  ip -n $SRV addr add 198.18.0.1/15 dev adl-tr0 && ip -n $SRV link set adl-tr0 up
  ip -n $RLY addr add 198.18.0.2/15 dev adl-tr1 && ip -n $RLY link set adl-tr1 up
  ip -n $SRV route add 203.0.113.0/24 via 198.18.0.2
  add_bridge $RLY adl-rbr 203.0.113.1/24
  ip netns exec $RLY sysctl -qw net.ipv4.ip_forward=1
  add_client $RLY adl-rbr adl-r1 adl-c3 02:00:5e:10:01:01
}

render_config() {
  node -e '
    const fs = require("node:fs");
    const [src, dst, store] = process.argv.slice(1);
    const cfg = JSON.parse(fs.readFileSync(src, "utf8"));
    delete cfg.$schema;
    cfg.store = { ...(cfg.store ?? {}), kind: "level", path: store };
    fs.writeFileSync(dst, JSON.stringify(cfg, null, 2));
  ' "$CONFIG" "$RUN/lab.json" "$STORE"
}

start_daemon() {
  : >"$RUN/daemon.log"
  ip netns exec $SRV node "$REPO/dist/src/cli.js" --config "$RUN/lab.json" >>"$RUN/daemon.log" 2>&1 &
  DAEMON_PID=$!
  for _ in $(seq 200); do
    grep -q '"evt":"server.ready"' "$RUN/daemon.log" && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$RUN/daemon.log" >&2; die "actor-dhcpd exited during start"; }
    sleep 0.1
  done
  cat "$RUN/daemon.log" >&2
  die "actor-dhcpd did not log server.ready within 20 s"
}

write_hook() { # dir kind(udhcpc|dhclient): records the lease, configures the address inside the namespace only
  local vars='R="$reason"; IP="$new_ip_address"; MASK="$new_subnet_mask"; GW="$new_routers"; LT="$new_dhcp_lease_time"'
  [[ $2 == udhcpc ]] && vars='R="$1"; IP="$ip"; MASK="$subnet"; GW="$router"; LT="$lease"'
  cat >"$1/hook.sh" <<EOF
#!/bin/sh
$vars
case "\$R" in
  bound|renew|BOUND|RENEW|REBIND|REBOOT)
    ip addr flush dev "\$interface"; ip addr add "\$IP/\$MASK" dev "\$interface"
    echo "\$IP router \${GW:-none} lease \${LT}s (\$R)" >"$1/lease" ;;
  deconfig|EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "\$interface" ;;
esac
exit 0
EOF
  chmod +x "$1/hook.sh"
}

start_clients() {
  local ns d
  # Fresh client state each run; ( … & ) detaches them from job control, the teardown kills them by namespace.
  for ns in "${CLIENTS[@]}"; do rm -rf "${RUN:?}/$ns"; mkdir -p "$RUN/$ns"; done
  (ip netns exec $RLY dhcrelay -4 -d -q -id adl-rbr -iu adl-tr1 198.18.0.1 >"$RUN/dhcrelay.log" 2>&1 &)
  sleep 0.5
  write_hook "$RUN/adl-c1" udhcpc
  (ip netns exec adl-c1 busybox udhcpc -i eth0 -f -t 5 -T 2 -A 2 -s "$RUN/adl-c1/hook.sh" >"$RUN/adl-c1/log" 2>&1 &)
  d="$RUN/adl-c2"; write_hook "$d" dhclient
  printf 'timeout 20;\nretry 10;\ninitial-interval 1;\n' >"$d/dhclient.conf"
  ip netns exec adl-c2 dhclient -4 -nw -v -cf "$d/dhclient.conf" -sf "$d/hook.sh" -lf "$d/leases" -pf "$d/pid" eth0 \
    >"$d/log" 2>&1
  write_hook "$RUN/adl-c3" udhcpc
  (ip netns exec adl-c3 busybox udhcpc -i eth0 -f -t 5 -T 2 -A 2 -s "$RUN/adl-c3/hook.sh" >"$RUN/adl-c3/log" 2>&1 &)
}

report_leases() {
  local ns
  declare -A what=([adl-c1]="udhcpc   direct   02:00:5e:10:00:01" [adl-c2]="dhclient direct   02:00:5e:10:00:10"
    [adl-c3]="udhcpc   relayed  02:00:5e:10:01:01")
  for ns in "${CLIENTS[@]}"; do
    for _ in $(seq 150); do [[ -s "$RUN/$ns/lease" ]] && break; sleep 0.1; done
    if [[ -s "$RUN/$ns/lease" ]]; then
      say "$ns  ${what[$ns]}  -> $(cat "$RUN/$ns/lease")"
    else
      say "$ns  ${what[$ns]}  -> no lease within 15 s (see $RUN/$ns/log)"
    fi
  done
}

# One line per pino record: time, level, evt, then the remaining fields as key=value.
pretty() {
  if [[ "${LAB_RAW:-0}" == 1 ]]; then cat; return; fi
  node -e '
    const L = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
    require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
      let r; try { r = JSON.parse(line); } catch { console.log(line); return; }
      const { time, level, evt, msg, pid, hostname, name, ...rest } = r;
      const kv = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
      const t = new Date(time ?? Date.now()).toISOString().slice(11, 23);
      console.log([t, (L[level] ?? level).padEnd(5), evt ?? "-", msg ?? "", ...kv].join("  "));
    });'
}

main() {
  ensure_packages
  ensure_built
  refuse_if_running
  mkdir -p "$RUN" "$(dirname "$STORE")"
  trap teardown EXIT
  trap 'exit 130' INT TERM
  say "building the lab (namespaces adl-*)"
  build_lab
  render_config
  say "starting actor-dhcpd in $SRV with $RUN/lab.json (store $STORE)"
  start_daemon
  start_clients
  report_leases
  say "streaming the daemon's log; Ctrl-C stops the daemon and removes the lab"
  say "watch the wire: ip netns exec $SRV tcpdump -ni lab0 -vv port 67 or port 68"
  say "watch the actors: npx actor-dhcpd ui --config $RUN/lab.json, then open http://127.0.0.1:8067/ui"
  tail -n +1 -f --pid="$DAEMON_PID" "$RUN/daemon.log" | pretty &
  wait "$DAEMON_PID" || say "actor-dhcpd exited with status $?"
  DAEMON_PID=""
}

main "$@"

#!/usr/bin/env bash
# netns.sh up|down — the benchmark topology, nothing else:
#   [NS_SRV] IF_SRV 198.18.0.1/16  <== veth ==>  IF_CLI 198.18.0.2/16 + 198.19.0.1/16 [NS_CLI]
# Both veth ends are created inside their namespaces; the host's interfaces are never touched. No global setting is
# changed either: net.core.rmem_max/wmem_max are the host's own (read-only inside a namespace, so setting them there
# did nothing), and the servers need none of them (ours asks its queue with SO_RCVBUFFORCE as root). "down" first
# stops (by PID) whatever still runs in the two namespaces, then deletes them (which removes the veth pair).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"

down() {
  for ns in "$NS_SRV" "$NS_CLI"; do
    ip netns list | grep -qw "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    sleep 0.3
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns"
  done
}

up() {
  set -e
  down
  trap 'echo "netns up failed, cleaning up" >&2; down' ERR
  ip netns add "$NS_SRV"
  ip netns add "$NS_CLI"
  ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI"
  for ns in "$NS_SRV" "$NS_CLI"; do
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  nss ip addr add "$SRV_ADDR/16" dev "$IF_SRV"
  nsc ip addr add "$CLI_ADDR/16" dev "$IF_CLI"
  nsc ip addr add "$RELAY_ADDR/16" dev "$IF_CLI"
  nss sysctl -qw "net.ipv4.conf.$IF_SRV.rp_filter=0"
  nsc sysctl -qw "net.ipv4.conf.$IF_CLI.rp_filter=0"
  # veth leaves UDP checksums "partial"; Kea's raw (LPF) sockets in bcast mode would see them as bad.
  nss ethtool -K "$IF_SRV" tx off rx off >/dev/null 2>&1 || true
  nsc ethtool -K "$IF_CLI" tx off rx off >/dev/null 2>&1 || true
  nss ip link set "$IF_SRV" up
  nsc ip link set "$IF_CLI" up
  nss ip route add 198.19.0.0/16 via "$CLI_ADDR" dev "$IF_SRV"
  # An experiment's egress queueing discipline on the server's end (e.g. SRV_QDISC="tbf rate 200mbit burst 3000
  # latency 20ms": replies reach perfdhcp evenly spread in time, whoever sent them in clumps); none by default.
  if [ -n "${SRV_QDISC:-}" ]; then nss tc qdisc add dev "$IF_SRV" root $SRV_QDISC; fi
  nsc ping -c1 -W1 "$SRV_ADDR" >/dev/null
  trap - ERR
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac

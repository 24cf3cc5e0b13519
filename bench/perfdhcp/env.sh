# Settings shared by the perfdhcp harness (sourced). Every name can be overridden from the environment.
# Addresses only from the benchmarking range 198.18.0.0/15 (RFC 2544); names distinct from any other harness so
# a run never collides with one of the project's test namespaces.
NS_SRV=${NS_SRV:-adbsrv}             # namespace of the DHCP server under test
NS_CLI=${NS_CLI:-adbcli}             # namespace of perfdhcp (the load generator)
IF_SRV=${IF_SRV:-adbs0}              # veth end inside NS_SRV
IF_CLI=${IF_CLI:-adbc0}              # veth end inside NS_CLI
SRV_ADDR=${SRV_ADDR:-198.18.0.1}     # server, on the direct subnet 198.18.0.0/16
CLI_ADDR=${CLI_ADDR:-198.18.0.2}     # perfdhcp's address on the link (giaddr in bcast mode)
RELAY_ADDR=${RELAY_ADDR:-198.19.0.1} # giaddr in relay mode (subnet 198.19.0.0/16, routed via CLI_ADDR)
# Both servers' configs (actor-dhcpd.json, kea-dhcp4.json) serve these pools:
#   198.18.0.0/16 pool 198.18.1.0-198.18.255.254 (bcast) and 198.19.0.0/16 pool 198.19.1.0-198.19.255.254 (relay)

nss() { ip netns exec "$NS_SRV" "$@"; }
nsc() { ip netns exec "$NS_CLI" "$@"; }

# CPU clock ticks (user + kernel, all threads) PID has used so far; fails when it is gone.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }

# Waits (at most 15 s) until PID is idle: under 5 % of a CPU over half a second. The daemon's start-up work after it
# binds :67 (~0.2 s of CPU; before the statecharts' layouts were computed ahead, ELK's ~0.5-2 s more) would otherwise
# be charged to the first step of a sweep.
wait_idle() {
  local pid=$1 hz a b
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 30); do
    a=$(cpu_ticks "$pid") || return 0
    sleep 0.5
    b=$(cpu_ticks "$pid") || return 0
    [ $(( (b - a) * 100 )) -lt $(( hz * 5 / 2 )) ] && return 0
  done
  echo "wait_idle: $pid still busy after 15 s" >&2
}

# NICE (e.g. -10) gives the benchmark's processes precedence over other jobs on a shared host. With autogroup
# scheduling (kernel.sched_autogroup_enabled=1, Debian's default) nice only orders the processes of one session and
# every busy session gets an equal share of a CPU, so the script runs itself again in a session of its own (setsid: an
# autogroup of just the benchmark) and gives that group the niceness; it ends with the run. Usage, at the top of a
# script: bench_priority "$@". (An interrupt reaches setsid, not the run: it ends at its own bounds.)
bench_priority() {
  [ "${NICE:-0}" = 0 ] && return 0
  if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] && [ -z "${BENCH_OWN_SESSION:-}" ]; then
    BENCH_OWN_SESSION=1 exec setsid -w "$0" "$@"
  fi
  [ -n "${BENCH_OWN_SESSION:-}" ] && { echo "$NICE" >"/proc/$$/autogroup" || echo "could not renice the autogroup" >&2; }
  return 0
}

# One benchmark at a time on this host (two would share the namespaces and the CPUs): the lock on fd 9.
bench_lock() {
  exec 9>/run/lock/actor-dhcpd-bench.lock
  flock -w 1800 9 || { echo "another benchmark run holds the lock" >&2; return 1; }
}

# What a script driving perfdhcp against one daemon needs first (bench/profile.sh, bench/stalls/trace.sh): TARGET,
# perfdhcp's arguments for MODE (relay or bcast); CONFIG and DAEMON; root and perfdhcp present; the host's benchmark
# lock held on fd 9 (one load at a time), so later runs wait instead of sharing the cores.
perfdhcp_single_setup() {
  case "$MODE" in
    relay) TARGET=(-l "$RELAY_ADDR" "$SRV_ADDR") ;;
    bcast) TARGET=(-l "$IF_CLI" -B) ;;
    *) echo "MODE must be relay or bcast" >&2; exit 2 ;;
  esac
  CONFIG=${CONFIG:-$H/actor-dhcpd.json} DAEMON=${DAEMON:-$REPO/dist/src/cli.js}
  [ "$(id -u)" = 0 ] || { echo "root only" >&2; exit 1; }
  command -v perfdhcp >/dev/null || { echo "perfdhcp missing: run bench/perfdhcp.sh once (it installs it)" >&2; exit 1; }
  bench_lock || exit 1
}

# PERFDHCP_THREAD_ARGS: perfdhcp's thread mode (-g) from PERFDHCP_THREADS=single|multi; unset = perfdhcp's own pick,
# which is "multi" on a host with more than one CPU even though every script here pins it to one (bench/README.md,
# eleventh round). Returns 2 for another value.
perfdhcp_thread_args() {
  case "${PERFDHCP_THREADS:-}" in
    "") PERFDHCP_THREAD_ARGS=() ;;
    single|multi) PERFDHCP_THREAD_ARGS=(-g "$PERFDHCP_THREADS") ;;
    *) echo "PERFDHCP_THREADS must be single or multi" >&2; return 2 ;;
  esac
}

# perfdhcp_load SECONDS OUT [ARG...]: perfdhcp at RATE (CLIENTS clients, the ARGs, e.g. -i, then MODE's TARGET) from
# its own core and namespace for SECONDS, its report to OUT; bounded by SECONDS + 15 s. For the scripts that set up
# with perfdhcp_single_setup.
perfdhcp_load() {
  local seconds=$1 out=$2
  shift 2
  perfdhcp_thread_args || return 2
  timeout -k 2 $((seconds + 15)) ip netns exec "$NS_CLI" nice -n "${NICE:-0}" taskset -c "${CLI_CPU:-0}" perfdhcp -4 -r "$RATE" \
    -R "$CLIENTS" -p "$seconds" -W 1000000 "${PERFDHCP_THREAD_ARGS[@]}" "$@" "${TARGET[@]}" >"$out" 2>&1
}

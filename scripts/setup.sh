#!/usr/bin/env bash
# The one set-up step for tests, the lab and CI: installs the Debian packages of scripts/test-packages.txt whose
# command is missing. As root it runs apt-get; otherwise it stops at once with one line naming what to install,
# so the real-client tests are never silently skipped on a machine that could run them.
# SETUP_QUIET=1 prints nothing when everything is present.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIST="$REPO/scripts/test-packages.txt"
export PATH="$PATH:/usr/sbin:/sbin"

has_command() {
  local cmd=$1 match
  if [[ $cmd == /* ]]; then
    for match in $cmd; do [[ -x $match ]] && return 0; done
    return 1
  fi
  command -v "$cmd" >/dev/null 2>&1
}

missing=()
while read -r cmd pkg; do
  [[ -z ${cmd:-} || $cmd == \#* ]] && continue
  has_command "$cmd" && continue
  [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done <"$LIST"

((${#missing[@]} == 0)) && exit 0

if [[ "$(id -u)" != 0 ]]; then
  echo "actor-dhcpd setup: missing Debian packages; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "actor-dhcpd setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

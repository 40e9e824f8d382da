#!/usr/bin/env bash
# The system packages the tests need, checked (and installed when possible) before they run:
#   redis-server (redis-server, redis-cli)  Redis and Redis Cluster tests start their own servers
#   chromium (chromium)                     the demo's real-browser test
# Used by `pnpm test` (scripts/test.mjs) and by CI (.ci/run): one list, one place.
# As root with apt-get (a fresh Debian machine or container) it installs what is missing;
# otherwise it stops at once and prints the exact command to run.
set -euo pipefail

# The Debian packages whose binaries are not on PATH.
missing_packages() {
  missing=()
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    missing+=(redis-server)
  fi
  if ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
}

missing_packages
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: the tests need ${missing[*]}, which this machine lacks. Install, then run the tests again:" >&2
  if command -v apt-get >/dev/null 2>&1; then
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  else
    echo "  the packages ${missing[*]} (Debian names) with your system's package manager" >&2
  fi
  exit 1
fi

echo "setup: installing ${missing[*]}"
# Keep apt from starting a system-wide redis daemon: the tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null

missing_packages
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get ran, but the binaries of ${missing[*]} are still not on PATH ($PATH)" >&2
  exit 1
fi

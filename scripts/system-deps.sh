#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (headless Chromium with CJK fonts, and
# redis-server for the distributed-crawl tests, which start their own on a free loopback port) only where
# they are missing. Needs root or passwordless sudo; otherwise it says
# what to install and the tests that need them skip.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
fc-list 2>/dev/null | grep -qi "noto sans cjk\|noto serif cjk\|wqy" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "system-deps: please install: ${need[*]} (tests that need them will be skipped)" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null

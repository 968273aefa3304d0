#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (headless Chromium with CJK fonts)
# only where they are missing. Needs root or passwordless sudo; otherwise it says
# what to install and the tests that need them skip.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk\|noto serif cjk\|wqy" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "system-deps: please install: ${need[*]} (tests that need them will be skipped)" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null

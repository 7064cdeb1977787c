#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright cannot download browsers here).
# Installs it when missing and we are root (CI, fresh machines); otherwise says how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium tidak terpasang: jalankan 'sudo apt-get install -y chromium' (tes peramban akan dilewati)." >&2
fi

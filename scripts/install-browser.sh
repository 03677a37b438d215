#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/test_web_browser.py), unless it is there already.
# Playwright drives it by its path (/usr/bin/chromium); nothing is downloaded at test time.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q chromium >/dev/null; then
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q chromium >/dev/null
fi
command -v chromium

#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser test when missing (no browser download of its own).
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium chromium-driver" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >&2
else
  echo "error: the browser test needs chromium and chromium-driver (apt-get install chromium chromium-driver)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs Debian's redis-server for the shared-cache tests when missing and no Docker engine can run Redis instead.
set -euo pipefail
if command -v redis-server >/dev/null; then exit 0; fi
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then exit 0; fi # Testcontainers will run it
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing redis-server" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2
else
  echo "error: the shared-cache tests need redis-server (apt-get install redis-server) or a Docker engine" >&2
  exit 1
fi

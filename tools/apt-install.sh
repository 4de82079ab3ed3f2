#!/usr/bin/env bash
# Installs Debian packages for the build when a check fails: as root with apt (as on our machines), else explains.
# Usage: apt-install.sh WHAT PACKAGE...   (WHAT says what they are needed for)
set -euo pipefail
what="${1:?what for}"; shift
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing $*" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") >&2
else
  echo "error: need $* $what; install them (apt-get install $*)" >&2
  exit 1
fi

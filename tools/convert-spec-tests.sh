#!/usr/bin/env bash
# Converts every .wast in SRC_DIR to OUT_DIR/<name>.json plus its modules (.wasm, and .wat for text modules) with
# Debian's wabt wast2json, installing it first when missing (needs root and apt, as on our machines).
# Usage: convert-spec-tests.sh SRC_DIR OUT_DIR
set -euo pipefail
src="${1:?source dir}"; out="${2:?output dir}"
command -v wast2json >/dev/null || "$(dirname "$0")/apt-install.sh" "to convert the spec testsuite" wabt
mkdir -p "$out"
for w in "$src"/*.wast; do
  name=$(basename "$w" .wast)
  # Reconvert only when the script is newer: warm builds stay fast.
  if [ ! -f "$out/$name.json" ] || [ "$w" -nt "$out/$name.json" ]; then
    (cd "$out" && wast2json "$w" -o "$name.json")
  fi
done

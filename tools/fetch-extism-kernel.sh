#!/usr/bin/env bash
# Puts Extism's kernel (extism-runtime.wasm, the wasm module implementing the plugin ABI's memory, input/output,
# errors) and its BSD-3-Clause licence into OUT_DIR. The kernel is taken from the pinned `extism` crate on crates.io
# (cargo downloads the crate and checks its registry checksum); the file's SHA-256 is checked against the pin too.
# Cached outside the repo, like libwasmer. Usage: fetch-extism-kernel.sh VERSION SHA256 OUT_DIR
set -euo pipefail
version="${1:?extism crate version}"; want="${2:?kernel sha256}"; out="${3:?output dir}"
here="$(cd "$(dirname "$0")" && pwd)"
licence="$here/../wasmer-ffm/src/main/extism/LICENSE-extism"
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -c1-64; }
cache="${WASMER_JAVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmer-java}/extism-kernel-$version"
kernel="$cache/extism-runtime.wasm"
if [ ! -f "$kernel" ] || [ "$(sha256 "$kernel")" != "$want" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null || { echo "error: cargo not found: it fetches Extism's kernel from crates.io" >&2; exit 1; }
  # `cargo info` downloads the one crate (a `cargo fetch` would download wasmtime and all of extism's dependencies).
  (cd "${TMPDIR:-/tmp}" && cargo info -q "extism@$version" >/dev/null) \
    || { echo "error: cargo could not fetch the extism $version crate from crates.io" >&2; exit 1; }
  crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"extism-$version.crate" | head -n 1)
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  tar -xzf "$crate" -C "$tmp" "extism-$version/src/extism-runtime.wasm"
  got=$(sha256 "$tmp/extism-$version/src/extism-runtime.wasm")
  if [ "$got" != "$want" ]; then
    echo "error: extism-runtime.wasm of extism $version has SHA-256 $got, the build pins $want" >&2; exit 1
  fi
  mv "$tmp/extism-$version/src/extism-runtime.wasm" "$kernel"
fi
mkdir -p "$out"
cp "$kernel" "$out/extism-runtime.wasm"
cp "$licence" "$out/LICENSE-extism"

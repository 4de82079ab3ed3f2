#!/usr/bin/env bash
# Provides a real libwasmer for the build and the tests.
# WASMER_DIR set: use it as is. Otherwise build the pinned wasmer-c-api crate from crates.io with cargo
# into a cache outside the repo, reused by every later build. Concurrent builds each work in a temp dir
# and publish by an atomic rename, so the cache is never seen half-written.
# Usage: build-libwasmer.sh VERSION FEATURES   (prints the directory holding lib/ and include/)
set -euo pipefail
version="${1:?wasmer-c-api version}"
features="${2:?cargo features}"

if [ -n "${WASMER_DIR:-}" ]; then
  if [ -f "$WASMER_DIR/lib/libwasmer.so" ]; then echo "$WASMER_DIR"; exit 0; fi
  echo "error: WASMER_DIR=$WASMER_DIR has no lib/libwasmer.so; unset it to build libwasmer from crates.io" >&2
  exit 1
fi

hash=$(printf '%s' "$features" | sha256sum | cut -c1-12)
cache_root="${WASMER_JAVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmer-java}"
dest="$cache_root/wasmer-$version-$hash"
if [ -f "$dest/lib/libwasmer.so" ] && [ -f "$dest/include/wasmer.h" ]; then echo "$dest"; exit 0; fi

command -v cargo >/dev/null || [ -x "$HOME/.cargo/bin/cargo" ] || {
  echo "error: cargo not found. Install Rust (rustup or 'apt-get install cargo'), or set WASMER_DIR to a Wasmer release" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/.build-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "building libwasmer $version ($features) into $dest; a cold build takes about 12 minutes" >&2
# cargo fetches the crate from crates.io through a throw-away manifest; we then build the unpacked crate
# itself with its own Cargo.lock.
mkdir -p "$work/fetch/src"
printf '[package]\nname = "fetch-wasmer"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nwasmer-c-api = { version = "=%s", default-features = false }\n' \
  "$version" > "$work/fetch/Cargo.toml"
touch "$work/fetch/src/lib.rs"
(cd "$work/fetch" && cargo fetch -q >&2) || { echo "error: cargo could not fetch wasmer-c-api $version from crates.io" >&2; exit 1; }
crate=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"wasmer-c-api-$version" | head -n 1)
src="$work/wasmer-c-api-$version"
cp -r "$crate" "$src"
# Shared incremental build cache (cargo locks it itself). wasmer-c-api's build.rs insists the directory is named "target".
export CARGO_TARGET_DIR="$cache_root/cargo-$version/target"
if ! (cd "$src" && cargo build --release --locked --no-default-features --features "$features" >&2); then
  echo "error: cargo failed to build wasmer-c-api $version (output above)." >&2
  echo "       Fix the toolchain (rustc >= 1.95, a C compiler), or set WASMER_DIR to a Wasmer release." >&2
  exit 1
fi
out="$work/out"
mkdir -p "$out/lib" "$out/include"
cp "$CARGO_TARGET_DIR/release/libwasmer.so" "$out/lib/"
cp "$src"/wasm.h "$src"/wasmer.h "$out/include/"
# Publish atomically; a concurrent build that got there first wins and ours is dropped.
mv -T "$out" "$dest" 2>/dev/null || true
echo "$dest"

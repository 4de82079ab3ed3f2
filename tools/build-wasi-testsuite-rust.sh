#!/usr/bin/env bash
# Builds the wasi-testsuite's Rust programs (SRC_DIR: a cargo package, vendored sources) for wasm32-wasip1 and copies
# each .wasm with its .json, and the fs-tests.dir they run in, to OUT_DIR. Installs the target with rustup when it is
# missing. Without rustup/cargo, or when the target or the locked crates cannot be downloaded, it builds nothing and
# writes the reason to OUT_DIR.skipped, which WasiTestsuiteTest reports. Cargo's own cache (CACHE_DIR) keeps warm
# builds at a no-op.
# Usage: build-wasi-testsuite-rust.sh SRC_DIR OUT_DIR CACHE_DIR
set -euo pipefail
src="${1:?source dir}"; out="${2:?output dir}"; cache="${3:?cargo target dir}"
target=wasm32-wasip1
skip() {
  echo "warning: the wasi-testsuite's Rust programs are not built: $1" >&2
  rm -rf "$out"; mkdir -p "$(dirname "$out")"; echo "$1" > "$out.skipped"
  exit 0
}
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
command -v cargo >/dev/null && command -v rustup >/dev/null \
  || skip "rustup and cargo are not installed (https://rustup.rs), so the target $target cannot be added"
if ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target" >&2 || skip "rustup cannot add the target $target (offline?)"
fi
cargo fetch --locked --offline --manifest-path "$src/Cargo.toml" 2>/dev/null \
  || cargo fetch --locked --manifest-path "$src/Cargo.toml" >&2 \
  || skip "cargo cannot download the crates locked in $src/Cargo.lock (offline?)"
CARGO_TARGET_DIR="$cache" cargo build -q --offline --locked --release --target "$target" \
  --manifest-path "$src/Cargo.toml" --bins 2>/dev/null \
  || CARGO_TARGET_DIR="$cache" cargo build --offline --locked --release --target "$target" \
       --manifest-path "$src/Cargo.toml" --bins # again, with its errors shown
rm -f "$out.skipped"; mkdir -p "$out"
for rs in "$src"/src/bin/*.rs; do
  name=$(basename "$rs" .rs)
  cp -p "$cache/$target/release/$name.wasm" "$out/"
  [ -f "${rs%.rs}.json" ] && cp -p "${rs%.rs}.json" "$out/"
done
cp -p "$src/src/bin/manifest.json" "$out/"
rm -rf "$out/fs-tests.dir"; cp -rp "$src/src/bin/fs-tests.dir" "$out/"

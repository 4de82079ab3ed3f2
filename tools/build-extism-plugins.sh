#!/usr/bin/env bash
# Builds the Extism test plugins from source into OUT_DIR, each only when missing or older than its sources:
#   go-plugin.wasm        SRC_DIR/go with the Go PDK (github.com/extism/go-pdk, from the Go module proxy):
#                         GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
#   rust-plugin.wasm      SRC_DIR/rust with the Rust PDK (crate extism-pdk), for wasm32-unknown-unknown
#   rust-pdk-<name>.wasm  examples of the extism-pdk crate itself, built from the crate's source as published
# A missing Go, or a Rust target that cannot be installed, skips those plugins with a message; their tests then
# skip saying so. A missing SRC_DIR/go or SRC_DIR/rust is not built. Environment: RUST_PLUGIN (default rust-plugin)
# names the Rust plugin's output, PDK_EXAMPLES (default: count_vowels http host_function; empty for none) the PDK
# examples built. Usage: build-extism-plugins.sh SRC_DIR OUT_DIR
set -euo pipefail
src="$(cd "${1:?source dir}" && pwd)"; out="${2:?output dir}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cache="${WASMER_JAVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmer-java}/extism-plugins"
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
pdk_examples="${PDK_EXAMPLES-count_vowels http host_function}"
rust_plugin="${RUST_PLUGIN:-rust-plugin}"
started=$SECONDS

stale() { # stale OUTPUT SOURCE_DIR...: true when OUTPUT is missing or a source file is newer
  local target="$1"; shift
  [ ! -f "$target" ] || [ -n "$(find "$@" -type f -newer "$target" -not -path '*/target/*' | head -n 1)" ]
}

if [ ! -d "$src/go" ]; then
  :
elif ! command -v go >/dev/null; then
  echo "extism plugins: Go not found, skipping go-plugin.wasm (its tests skip); install Go 1.24+ to build it" >&2
elif stale "$out/go-plugin.wasm" "$src/go"; then
  (cd "$src/go" && GOOS=wasip1 GOARCH=wasm GOFLAGS=-mod=readonly go build -buildmode=c-shared -o "$out/go-plugin.wasm.tmp" .)
  mv "$out/go-plugin.wasm.tmp" "$out/go-plugin.wasm"
fi

rust_ready() {
  command -v cargo >/dev/null || { echo "extism plugins: cargo not found, skipping the Rust plugins" >&2; return 1; }
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown >&2 || {
      echo "extism plugins: cannot install the Rust target wasm32-unknown-unknown, skipping the Rust plugins" >&2
      return 1
    }
  fi
}

pdk_outputs() { for e in $pdk_examples; do echo "$out/rust-pdk-$e.wasm"; done; }
need_rust=false
[ -d "$src/rust" ] && stale "$out/$rust_plugin.wasm" "$src/rust" && need_rust=true
for f in $(pdk_outputs); do [ -f "$f" ] || need_rust=true; done
if $need_rust && rust_ready; then
  export CARGO_TARGET_DIR="$cache/target"
  if stale "$out/$rust_plugin.wasm" "$src/rust"; then
    (cd "$src/rust" && cargo build -q --locked --release --target wasm32-unknown-unknown)
    crate=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$src/rust/Cargo.toml" | head -n 1 | tr - _)
    cp "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$crate.wasm" "$out/$rust_plugin.wasm"
  fi
  if [ -n "$pdk_examples" ]; then
    # The PDK's own examples, from the crate our plugin's lock file pins (already in cargo's registry after the
    # build above), built with the crate's own Cargo.lock in a copy (the registry's sources are read-only to cargo).
    version=$(sed -n '/^name = "extism-pdk"$/{n;s/^version = "\(.*\)"$/\1/p}' "$src/rust/Cargo.lock")
    crate=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"extism-pdk-$version" | head -n 1)
    copy="$cache/extism-pdk-$version"
    [ -f "$copy/Cargo.toml" ] || { rm -rf "$copy.tmp"; cp -r "$crate" "$copy.tmp"; mv "$copy.tmp" "$copy"; }
    (cd "$copy" && cargo build -q --locked --release --target wasm32-unknown-unknown $(printf -- '--example %s ' $pdk_examples))
    for e in $pdk_examples; do
      cp "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/examples/$e.wasm" "$out/rust-pdk-$e.wasm"
    done
  fi
fi
echo "extism plugins ready in $out ($((SECONDS - started)) s)" >&2

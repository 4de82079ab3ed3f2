#!/usr/bin/env bash
# Compiles every C file in SRC_DIR to OUT_DIR/<name>.wasm (wasm32-wasi) with Debian's clang-19 and wasi-libc,
# installing them first when missing (the project's own install step; needs root and apt, as on our machines).
# Usage: build-wasm-programs.sh SRC_DIR OUT_DIR [library]
#   library: build plugins without a main (no WASI start, exports marked with export_name) instead of commands.
set -euo pipefail
src="${1:?source dir}"; out="${2:?output dir}"; kind="${3:-command}"
flags=()
[ "$kind" = library ] && flags=(-nostdlib -Wl,--no-entry)
packages="clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32"
if ! command -v clang-19 >/dev/null || ! command -v wasm-ld-19 >/dev/null || [ ! -f /usr/lib/wasm32-wasi/libc.a ] \
   || ! ls /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
  "$(dirname "$0")/apt-install.sh" "to build the WASI test programs" $packages
fi
mkdir -p "$out"
for c in "$src"/*.c; do
  name=$(basename "$c" .c)
  # Rebuild only when the source is newer: warm builds stay fast.
  if [ ! -f "$out/$name.wasm" ] || [ "$c" -nt "$out/$name.wasm" ]; then
    clang-19 --target=wasm32-wasi -O2 -fuse-ld=lld "${flags[@]}" -o "$out/$name.wasm" "$c"
  fi
done

#!/usr/bin/env bash
# Provides a real libwasmer for the build and the tests, and lays out the platform jar that ships it.
# WASMER_DIR set: use it as is. Otherwise build the pinned wasmer-c-api crate from crates.io with cargo
# into a cache outside the repo, reused by every later build. Concurrent builds each work in a temp dir
# and publish by an atomic rename, so the cache is never seen half-written.
# The same script builds every platform's jar, on that platform (cargo builds for the host only).
# Usage: build-libwasmer.sh VERSION FEATURES [JAR_DIR PLATFORM]
#   prints the directory holding lib/ and include/; with JAR_DIR, also writes the content of the jar
#   dev.wasmerffm:wasmer-native:<PLATFORM> there (see stage_jar below).
set -euo pipefail
version="${1:?wasmer-c-api version}"
features="${2:?cargo features}"
jar_dir="${3:-}"
platform="${4:-}"

# Platform names as the loader (WasmerLibrary) and the Maven profiles spell them: <os>-<arch>.
case "$(uname -s)" in
  Linux) os=linux; libname=libwasmer.so ;;
  Darwin) os=osx; libname=libwasmer.dylib ;;
  MINGW*|MSYS*|CYGWIN*) os=windows; libname=wasmer.dll ;;
  *) echo "error: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) arch="$(uname -m)" ;;
esac
if [ -n "$jar_dir" ] && [ "$platform" != "$os-$arch" ]; then
  echo "error: asked for the $platform jar on $os-$arch; cargo builds for the host, so build it on $platform" >&2
  exit 1
fi

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi | cut -c1-64; }

# The jar's content: the library stripped of its local symbols and any debug sections (a fifth of its size; the
# exported C API stays), the headers, what the loader checks (SHA-256, version) and Wasmer's licenses. Resources sit under the platform's name so that
# several platforms' jars can share one classpath.
stage_jar() {
  local from="$1" build_features="$2" out="$jar_dir/META-INF/wasmer-native/$platform"
  rm -rf "$jar_dir"
  mkdir -p "$out/lib" "$out/include"
  case "$os" in
    linux) strip --strip-unneeded -o "$out/lib/$libname" "$from/lib/$libname" ;;
    osx) strip -x -o "$out/lib/$libname" "$from/lib/$libname" ;;
    windows) cp "$from/lib/$libname" "$out/lib/" ;; # MSVC keeps debug info in a separate .pdb
  esac
  cp "$from"/include/*.h "$out/include/"
  cp "$(dirname "$0")/LICENSE-wasmer" "$jar_dir/META-INF/LICENSE"
  if [[ ",$build_features," == *,singlepass,* ]]; then
    # The singlepass compiler is not MIT: Wasmer ships it under the Business Source License 1.1.
    cp "$(crate_dir wasmer-compiler-singlepass)/LICENSE" "$jar_dir/META-INF/LICENSE-wasmer-compiler-singlepass"
  fi
  cat > "$out/wasmer-native.properties" <<PROPS
# libwasmer for $platform; the loader checks the extracted copy against sha256 before every load.
platform=$platform
sha256=$(sha256 "$out/lib/$libname")
wasmer.version=$version
wasmer.features=$build_features
include=$(cd "$out/include" && echo *.h)
PROPS
}

crate_dir() { ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$1-$version" | head -n 1; }

publish() { # $1 = directory holding lib/ and include/, $2 = the cargo features it was built with
  if [ -n "$jar_dir" ]; then stage_jar "$1" "$2"; fi
  echo "$1"
}

if [ -n "${WASMER_DIR:-}" ]; then
  if [ -f "$WASMER_DIR/lib/$libname" ]; then publish "$WASMER_DIR" "unknown (a Wasmer release from WASMER_DIR)"; exit 0; fi
  echo "error: WASMER_DIR=$WASMER_DIR has no lib/$libname; unset it to build libwasmer from crates.io" >&2
  exit 1
fi

hash=$(printf '%s' "$features" | sha256 | cut -c1-12)
cache_root="${WASMER_JAVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmer-java}"
dest="$cache_root/wasmer-$version-$hash"
if [ -f "$dest/lib/$libname" ] && [ -f "$dest/include/wasmer.h" ]; then publish "$dest" "$features"; exit 0; fi

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
src="$work/wasmer-c-api-$version"
cp -r "$(crate_dir wasmer-c-api)" "$src"
# Shared incremental build cache (cargo locks it itself). wasmer-c-api's build.rs insists the directory is named "target".
export CARGO_TARGET_DIR="$cache_root/cargo-$version/target"
if ! (cd "$src" && cargo build --release --locked --no-default-features --features "$features" >&2); then
  echo "error: cargo failed to build wasmer-c-api $version (output above)." >&2
  echo "       Fix the toolchain (rustc >= 1.95, a C compiler), or set WASMER_DIR to a Wasmer release." >&2
  exit 1
fi
out="$work/out"
mkdir -p "$out/lib" "$out/include"
cp "$CARGO_TARGET_DIR/release/$libname" "$out/lib/"
cp "$src"/wasm.h "$src"/wasmer.h "$out/include/"
# Publish atomically; a concurrent build that got there first wins and ours is dropped. (BSD mv has no -T.)
mv -T "$out" "$dest" 2>/dev/null || [ -e "$dest" ] || mv "$out" "$dest"
publish "$dest" "$features"

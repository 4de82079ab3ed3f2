#!/usr/bin/env bash
# Provides a real libwasmer for the build and the tests, and lays out the platform jar that ships it.
# WASMER_DIR set: use it as is. Otherwise build the pinned wasmer-c-api crate from crates.io with cargo
# into a cache outside the repo, reused by every later build. Concurrent builds each work in a temp dir
# and publish by an atomic rename, so the cache is never seen half-written.
# Each platform's jar is built on that platform, except linux-aarch64, which a linux-x86_64 machine cross-compiles.
# Usage: build-libwasmer.sh VERSION FEATURES [JAR_DIR CLASSIFIER [CROSS]]
#   prints the directory holding lib/ and include/; with JAR_DIR, also writes the content of the jar
#   dev.wasmerffm:wasmer-native:<CLASSIFIER> there (see stage_jar below). CLASSIFIER is the platform
#   (<os>-<arch>), or <os>-<arch>-singlepass for the jar whose library has the singlepass compiler.
#   CROSS (wasmer-native's property wasmer.native.cross) marks the call for a cross-compiled jar and says what to do
#   about its toolchain: if-present builds only when the Rust target and the cross compiler are installed, else skips
#   the jar with one line; install (the default for a cross CLASSIFIER; profile cross-linux-aarch64) installs them,
#   and qemu-user for the tests, or fails; skip leaves the jar out.
set -euo pipefail
version="${1:?wasmer-c-api version}"
features="${2:?cargo features}"
jar_dir="${3:-}"
classifier="${4:-}"
cross="${5:-}"
tools="$(cd "$(dirname "$0")/../tools" && pwd)"

# Platform names as the loader (NativeJar.platform) and the Maven profiles spell them: <os>-<arch>.
case "$(uname -s)" in
  Linux) os=linux; libname=libwasmer.so ;;
  Darwin) os=osx; libname=libwasmer.dylib ;;
  *) echo "error: unsupported OS $(uname -s); Wasmer 7.4.2's compilers do not build for Windows (see the README)" >&2
     exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) arch="$(uname -m)" ;;
esac
platform="${classifier%-singlepass}"
target="" # a Rust target triple when cross-compiling
# Leaves this jar out, saying why in one line (the build goes on without it).
skip_jar() { echo "skipping the $classifier jar: $*" >&2; if [ -n "$jar_dir" ]; then rm -rf "$jar_dir"; fi; exit 0; }
if [ -n "$jar_dir" ] && [ "$platform" != "$os-$arch" ]; then
  case "${cross:=install}" in
    if-present|install) ;;
    skip) skip_jar "wasmer.native.cross=skip" ;;
    *) echo "error: wasmer.native.cross=$cross; use if-present, install or skip" >&2; exit 1 ;;
  esac
  if [ "$platform" != linux-aarch64 ] || [ "$os-$arch" != linux-x86_64 ]; then
    if [ "$cross" = if-present ]; then skip_jar "only linux-x86_64 cross-compiles it; build it on $platform"; fi
    echo "error: asked for the $classifier jar on $os-$arch; only linux-aarch64 is cross-compiled (on linux-x86_64)," \
      "so build it on $platform" >&2
    exit 1
  fi
  target=aarch64-unknown-linux-gnu
elif [ -n "$cross" ]; then
  # wasmer-native's cross execution on a linux-aarch64 host, whose default jar already is this one
  skip_jar "this $os-$arch host builds it as its default jar"
fi

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi | cut -c1-64; }

# A cross build needs the Rust target, the cross C compiler, linker and strip; the tests run its library under qemu.
# if-present never installs anything (a cold cross build takes hours here, so a fresh machine's default build must
# not start one unasked); install does, or fails.
cross_tools() {
  export PATH="$HOME/.cargo/bin:$PATH"
  local sysroot
  sysroot=$(rustc --print sysroot 2>/dev/null) || sysroot=""
  if [ ! -d "$sysroot/lib/rustlib/$target/lib" ]; then
    if [ "$cross" = if-present ]; then
      skip_jar "the Rust target $target is not installed (-Pcross-linux-aarch64 installs it)"
    fi
    rustup target add "$target" >&2 || { echo "error: rustup could not add the Rust target $target" >&2; exit 1; }
  fi
  if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v aarch64-linux-gnu-strip >/dev/null; then
    if [ "$cross" = if-present ]; then
      skip_jar "no aarch64-linux-gnu-gcc on PATH (-Pcross-linux-aarch64 installs Debian's gcc-aarch64-linux-gnu)"
    fi
    bash "$tools/apt-install.sh" "to cross-compile libwasmer for $platform" gcc-aarch64-linux-gnu
  fi
  if [ "$cross" = install ] && ! command -v qemu-aarch64 >/dev/null; then
    bash "$tools/apt-install.sh" "to test the $platform library (Aarch64CrossJarTest)" qemu-user
  fi
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
  export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
}

# The jar's content: the library stripped of its local symbols and any debug sections (a fifth of its size; the
# exported C API stays), the headers, what the loader checks (SHA-256, version) and Wasmer's licenses. Resources
# sit under the classifier's name so that several jars can share one classpath.
stage_jar() {
  local from="$1" out="$jar_dir/META-INF/wasmer-native/$classifier" strip=strip
  rm -rf "$jar_dir"
  mkdir -p "$out/lib" "$out/include"
  if [ -n "$target" ]; then strip=aarch64-linux-gnu-strip; fi
  case "$os" in
    linux) "$strip" --strip-unneeded -o "$out/lib/$libname" "$from/lib/$libname" ;;
    osx) strip -x -o "$out/lib/$libname" "$from/lib/$libname" ;;
  esac
  cp "$from"/include/*.h "$out/include/"
  cp "$(dirname "$0")/LICENSE-wasmer" "$jar_dir/META-INF/LICENSE"
  if [[ "$classifier" == *-singlepass ]]; then
    # Not MIT: Wasmer ships the singlepass compiler under the Business Source License 1.1 (README-singlepass.md).
    cp "$(dirname "$0")/LICENSE-wasmer-compiler-singlepass" "$jar_dir/META-INF/"
    cp "$(dirname "$0")/README-singlepass.md" "$jar_dir/META-INF/README-singlepass.md"
  fi
  cat > "$out/wasmer-native.properties" <<PROPS
# libwasmer for $platform; the loader hashes the extracted copy against sha256 at every load.
platform=$platform
sha256=$(sha256 "$out/lib/$libname")
wasmer.version=$version
wasmer.features=$features
include=$(cd "$out/include" && echo *.h)
PROPS
}

crate_dir() { ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$1-$version" | head -n 1; }

publish() { # $1 = directory holding lib/ and include/
  if [ -n "$jar_dir" ]; then stage_jar "$1"; fi
  echo "$1"
}

if [ -n "${WASMER_DIR:-}" ] && [ -z "$target" ]; then
  # Both host jars get WASMER_DIR's library, whatever it was built with (a development aid, not for release).
  if [ -f "$WASMER_DIR/lib/$libname" ]; then features="unknown (a Wasmer release from WASMER_DIR)"; publish "$WASMER_DIR"; exit 0; fi
  echo "error: WASMER_DIR=$WASMER_DIR has no lib/$libname; unset it to build libwasmer from crates.io" >&2
  exit 1
fi

if [ -n "$target" ]; then cross_tools; fi
hash=$(printf '%s' "$features" | sha256 | cut -c1-12)
cache_root="${WASMER_JAVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmer-java}"
dest="$cache_root/wasmer-$version-$hash${target:+-$target}"
if [ -f "$dest/lib/$libname" ] && [ -f "$dest/include/wasmer.h" ]; then publish "$dest"; exit 0; fi

command -v cargo >/dev/null || [ -x "$HOME/.cargo/bin/cargo" ] || {
  echo "error: cargo not found. Install Rust (rustup or 'apt-get install cargo'), or set WASMER_DIR to a Wasmer release" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/.build-XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "$target" ]; then
  echo "building libwasmer $version ($features) for $target into $dest; a cold cross build took about 2 hours on" \
    "2 busy cores (-Dwasmer.native.cross=skip leaves it out), later builds reuse it" >&2
else
  echo "building libwasmer $version ($features) for the host into $dest; a cold build takes about 12 minutes," \
    "one of other features reuses what they share" >&2
fi
# cargo fetches the crate from crates.io through a throw-away manifest; we then build the unpacked crate
# itself with its own Cargo.lock.
mkdir -p "$work/fetch/src"
printf '[package]\nname = "fetch-wasmer"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nwasmer-c-api = { version = "=%s", default-features = false }\n' \
  "$version" > "$work/fetch/Cargo.toml"
touch "$work/fetch/src/lib.rs"
(cd "$work/fetch" && cargo fetch -q >&2) || { echo "error: cargo could not fetch wasmer-c-api $version from crates.io" >&2; exit 1; }
src="$work/wasmer-c-api-$version"
cp -r "$(crate_dir wasmer-c-api)" "$src"
# Shared incremental build cache (cargo locks it itself): a second feature set or target rebuilds only what differs.
# wasmer-c-api's build.rs insists the directory is named "target".
export CARGO_TARGET_DIR="$cache_root/cargo-$version/target"
if ! (cd "$src" && cargo build --release --locked --no-default-features --features "$features" ${target:+--target "$target"} >&2); then
  echo "error: cargo failed to build wasmer-c-api $version (output above)." >&2
  echo "       Fix the toolchain (rustc >= 1.95, a C compiler), or set WASMER_DIR to a Wasmer release." >&2
  exit 1
fi
out="$work/out"
mkdir -p "$out/lib" "$out/include"
cp "$CARGO_TARGET_DIR/${target:+$target/}release/$libname" "$out/lib/"
cp "$src"/wasm.h "$src"/wasmer.h "$out/include/"
# Publish atomically; a concurrent build that got there first wins and ours is dropped. (BSD mv has no -T.)
mv -T "$out" "$dest" 2>/dev/null || [ -e "$dest" ] || mv "$out" "$dest"
publish "$dest"

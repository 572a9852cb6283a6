#!/usr/bin/env bash
# Builds llama-server once from the exact llama.cpp source node-llama-cpp ships (its git bundle, with the patches
# node-llama-cpp applies to it) and caches it outside the clone, keyed by the commit, patches, build flags and
# the ggml libraries it runs on: the build takes 10-40 minutes on 2 cores, and nothing may be downloaded at run
# time. Prints the binary's path on its last line.
#
# The server runs on node-llama-cpp's own prebuilt ggml libraries (the CPU kernels, every variant, picked at
# run time for the machine), not on ones compiled here: the same source compiled by another compiler computes
# the same model with different float rounding. Measured on stories260K: a server compiled here (GCC 12) gave
# label scores up to 1.7e-2 nats (AVX2-only build) or 8.5e-4 nats (every CPU variant) away from the in-process
# engine; on node-llama-cpp's libraries it agrees within 1e-5. Where node-llama-cpp has no prebuilt CPU
# libraries for this platform, the server keeps the ones built here and says so.
#   TUNEGATE_CACHE_DIR   cache root (default: $XDG_CACHE_HOME/tunegate or ~/.cache/tunegate)
#   TUNEGATE_BUILD_JOBS  parallel compile jobs (default: number of CPUs)
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."

package="node_modules/node-llama-cpp"
bundle="$package/llama/gitRelease.bundle"
if [ ! -f "$bundle" ]; then
  echo "build-llama-server: $bundle is missing; run npm ci first" >&2
  exit 2
fi

# node-llama-cpp's prebuilt CPU binaries for this platform (the package npm installed beside it). Linux only:
# that is where this script is used and tested (CI and these machines).
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform="linux-x64" ;;
  Linux-aarch64) platform="linux-arm64" ;;
  *) platform="" ;;
esac
prebuilt=""
if [ -n "$platform" ]; then
  for dir in node_modules/@node-llama-cpp/"$platform"/bins/*/; do
    if [ -f "$dir/libggml-base.so" ]; then prebuilt="${dir%/}"; fi
  done
fi

flags=(-DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_SERVER=ON -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DGGML_BACKEND_DL=ON
  -DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON "-DCMAKE_INSTALL_RPATH=\$ORIGIN")
# Without prebuilt kernels, build every CPU variant as node-llama-cpp does, the best one picked at run time.
[ -z "$prebuilt" ] && flags+=(-DGGML_CPU_ALL_VARIANTS=ON)
commit="$(git bundle list-heads "$bundle" | awk 'NR==1 { print $1 }')"
libraries="none"
[ -n "$prebuilt" ] && libraries="$(cat "$prebuilt"/libggml* | sha256sum | cut -c1-16)"
key="$(printf '%s\n' "$commit" "${flags[@]}" "$(uname -m)" "$libraries" | cat - "$package"/llama/patches/*.diff | sha256sum | cut -c1-16)"
root="${TUNEGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tunegate}/llama-server"
dest="$root/$key"
binary="$dest/llama-server"

if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then
  echo "$binary"
  exit 0
fi

mkdir -p "$root"
work="$(mktemp -d "$root/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "build-llama-server: building llama.cpp ${commit:0:12} into $dest (one time, 10-40 minutes)" >&2
git clone --quiet "$bundle" "$work/src" 2>/dev/null
# The commit the cache key names, whatever the bundle's HEAD is.
git -C "$work/src" checkout --quiet "$commit"
for patch in "$package"/llama/patches/*.diff; do
  # A patch already in this llama.cpp is skipped, as node-llama-cpp skips it; one that neither applies nor is
  # already there would make other source than node-llama-cpp's: stop.
  if git -C "$work/src" apply --check "$PWD/$patch" 2>/dev/null; then git -C "$work/src" apply "$PWD/$patch"
  elif ! git -C "$work/src" apply --reverse --check "$PWD/$patch" 2>/dev/null; then
    echo "build-llama-server: node-llama-cpp's patch $patch does not apply to llama.cpp ${commit:0:12}" >&2
    exit 1
  fi
done
cmake -S "$work/src" -B "$work/build" "${flags[@]}" >"$work/cmake.log" 2>&1 || { tail -40 "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" --target llama-server -j "${TUNEGATE_BUILD_JOBS:-$(nproc)}" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log" >&2; exit 1; }
# The binary finds its libraries (and the CPU variants) beside itself: RPATH $ORIGIN.
mkdir -p "$work/out"
cp "$work/build/bin/llama-server" "$work/build/bin/"*.so* "$work/out/"
if [ -n "$prebuilt" ]; then
  # node-llama-cpp's ggml in place of ours, under the names our libraries link to (libggml-base.so.0, libggml.so.0).
  rm -f "$work/out"/libggml*
  for lib in "$prebuilt"/libggml*; do
    name="$(basename "$lib")"
    case "$name" in
      libggml.v*.so) cp "$lib" "$work/out/libggml.so.0" ;;
      libggml-base.so) cp "$lib" "$work/out/libggml-base.so.0" && ln -s libggml-base.so.0 "$work/out/libggml-base.so" ;;
      *) cp "$lib" "$work/out/$name" ;;
    esac
  done
  "$work/out/llama-server" --version >/dev/null 2>&1 \
    || { echo "build-llama-server: llama-server does not start on node-llama-cpp's ggml libraries from $prebuilt" >&2; exit 1; }
else
  echo "build-llama-server: no prebuilt node-llama-cpp CPU libraries for $(uname -s)-$(uname -m): the server computes with kernels compiled here, and its scores may differ from in-process by float rounding" >&2
fi
printf '%s\n' "commit=$commit" "flags=${flags[*]}" "ggml=${prebuilt:-built here}" >"$work/out/BUILD_INFO"
# Publish by one rename of this build's own folder: a half-copied build never looks cached, and a build that
# finished first in another process is kept.
rm -rf "$dest"
mv -T "$work/out" "$dest" 2>/dev/null || [ -x "$binary" ]
echo "$binary"

#!/usr/bin/env bash
# Builds llama-server once from the exact llama.cpp source node-llama-cpp ships (its git bundle) and caches the
# binary outside the clone, keyed by the bundle's commit and the build flags: the build takes 15-40 minutes on
# 2 cores, and nothing may be downloaded at run time. Prints the binary's path on its last line.
#   TUNEGATE_CACHE_DIR   cache root (default: $XDG_CACHE_HOME/tunegate or ~/.cache/tunegate)
#   TUNEGATE_BUILD_JOBS  parallel compile jobs (default: number of CPUs)
set -euo pipefail
cd "$(dirname "$0")/.."

bundle="node_modules/node-llama-cpp/llama/gitRelease.bundle"
if [ ! -f "$bundle" ]; then
  echo "build-llama-server: $bundle is missing; run npm ci first" >&2
  exit 2
fi

flags=(-DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
  -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF -DLLAMA_BUILD_SERVER=ON)
commit="$(git bundle list-heads "$bundle" | awk 'NR==1 { print $1 }')"
key="$(printf '%s\n' "$commit" "${flags[@]}" "$(uname -m)" | sha256sum | cut -c1-16)"
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
echo "build-llama-server: building llama.cpp ${commit:0:12} into $dest (one time, 15-40 minutes)" >&2
git clone --quiet "$bundle" "$work/src"
cmake -S "$work/src" -B "$work/build" "${flags[@]}" >"$work/cmake.log" 2>&1 || { tail -40 "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" --target llama-server -j "${TUNEGATE_BUILD_JOBS:-$(nproc)}" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log" >&2; exit 1; }
# Publish atomically: a half-copied binary must never look cached.
mkdir -p "$work/out"
cp "$work/build/bin/llama-server" "$work/out/llama-server"
printf '%s\n' "commit=$commit" "flags=${flags[*]}" >"$work/out/BUILD_INFO"
rm -rf "$dest.tmp" && mv "$work/out" "$dest.tmp" && rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "$binary"

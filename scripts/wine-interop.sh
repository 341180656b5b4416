#!/usr/bin/env bash
# Interop between the Winsock build (Windows node.exe under Wine) and the POSIX build (Linux node), both ways:
#   a) Wine-hosted `winsock-echo server`  <-  Linux `winsock-echo client`
#   b) Linux `winsock-echo server`        <-  Wine-hosted `winsock-echo client`
# Each direction checks both transcripts exactly and both exit codes. Needs dist/ (npx tsc -p tsconfig.json), the
# Linux addon (npm install) and prebuilds/win32-x64/winsock.node (npm run build:win-cross).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cli=dist/bin/winsock-echo.js
wine_node=scripts/wine-node.sh
export WINEPREFIX="$root/.cache/wine-prefix"   # the prefix wine-node.sh uses, for wineserver -k below

# shellcheck source=scripts/interop-lib.sh
source "$root/scripts/interop-lib.sh"

if [[ ! -f $cli || ! -f prebuilds/win32-x64/winsock.node ]]; then
  echo "wine-interop: build first: npx tsc -p tsconfig.json && npm run build:win-cross" >&2
  exit 2
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  # A Wine process outlives the wine-node.sh that started it when that is killed: end everything in our prefix.
  wineserver -k 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

failures=0

# a) Wine server, Linux client.
name=wine-server.linux-client
touch "$work/$name".{server,client}.{out,err}
WINE_NODE_STDOUT="$work/$name.server.out" WINE_NODE_STDERR="$work/$name.server.err" \
  "$wine_node" "$cli" server --host 127.0.0.1 --port 0 &
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
check "$name" "$server_rc" "$client_rc" || failures=$((failures + 1))

# b) Linux server, Wine client.
name=linux-server.wine-client
touch "$work/$name".{server,client}.{out,err}
node "$cli" server --host 127.0.0.1 --port 0 >"$work/$name.server.out" 2>"$work/$name.server.err" &
server=$!
pids+=("$server")
port=$(port_of "$server" "$work/$name.server.err")
client_rc=1
if [[ -n $port ]]; then
  WINE_NODE_STDOUT="$work/$name.client.out" WINE_NODE_STDERR="$work/$name.client.err" \
    timeout 60 "$wine_node" "$cli" client 127.0.0.1 --port "$port"
  client_rc=$?
fi
wait_for "$server" 30
server_rc=$rc
check "$name" "$server_rc" "$client_rc" || failures=$((failures + 1))

exit $((failures > 0))

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

client_expected=$'Bytes Sent: 14\nBytes received: 14\nConnection closed\n'
server_expected=$'Bytes received: 14\nBytes sent: 14\nConnection closing...\n'

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

# Waits up to $2 seconds for background job $1 to exit and sets `rc` to its exit code (124 when it had to be
# killed). Not called as $(...): a subshell cannot `wait` for its parent's jobs.
wait_for() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=124
  else
    wait "$pid"
    rc=$?
  fi
}

# Polls a server's stderr file until it says where it listens (the output is a file: Wine's node.exe cannot write
# to a pipe); prints the port, or nothing when the server exits or 60 s pass first.
port_of() {
  local pid=$1 err=$2 deadline=$((SECONDS + 60)) line
  while ((SECONDS < deadline)); do
    line=$(grep -m1 -o 'Listening on .*:[0-9]*' "$err" 2>/dev/null) && { echo "${line##*:}"; return; }
    kill -0 "$pid" 2>/dev/null || return
    sleep 0.1
  done
}

# check NAME SERVER_RC CLIENT_RC: compares the transcripts in $work/NAME.{server,client}.{out,err}.
check() {
  local name=$1 server_rc=$2 client_rc=$3 ok=1
  [[ $server_rc == 0 && $client_rc == 0 ]] || ok=0
  [[ $(<"$work/$name.server.out") == "${server_expected%$'\n'}" ]] || ok=0
  [[ $(<"$work/$name.client.out") == "${client_expected%$'\n'}" ]] || ok=0
  # $(<file) drops trailing newlines; cmp catches a missing or doubled final newline, or \r\n line ends.
  cmp -s "$work/$name.server.out" <(printf '%s' "$server_expected") || ok=0
  cmp -s "$work/$name.client.out" <(printf '%s' "$client_expected") || ok=0
  if ((ok)); then
    echo "PASS interop $name"
    return 0
  fi
  echo "FAIL interop $name (server exit $server_rc, client exit $client_rc)"
  for part in server client; do
    for stream in out err; do
      echo "--- $part std$stream ---"
      cat -A "$work/$name.$part.$stream" 2>/dev/null
    done
  done
  return 1
}

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

#!/usr/bin/env bash
# The winsock/promises benchmark side (bench/sides/ours.ts) on each runtime and readiness backend: Node with
# uv_poll, Node with the thread poller (WINSOCK_POLLER=thread), Bun and Deno (the thread poller, always). Ping-pong
# (64-byte round trips) and bulk (one way, 64 KiB writes), client and server in separate processes of the same
# runtime, over loopback. Prints one line per run; `npm run bench:runtimes` after `npm run bench` has built
# dist-bench/. RUNS (3), ROUNDS (20000) and BYTES (2^30) override the sizes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mapfile -t executables < <(scripts/install-runtimes.sh)
bun=${executables[0]} deno=${executables[1]}
runs=${RUNS:-3} rounds=${ROUNDS:-20000} bytes=${BYTES:-1073741824}
side=dist-bench/sides/ours.js

# One server and one client of `runtime`: prints the client's JSON report.
pair() { # label, workload, client arguments...
  local label=$1 workload=$2
  shift 2
  local command
  case $label in
    node-uv_poll) command=(env -u WINSOCK_POLLER node "$side") ;;
    node-thread) command=(env WINSOCK_POLLER=thread node "$side") ;;
    bun) command=("$bun" "$side") ;;
    deno) command=("$deno" run -A "$side") ;;
  esac
  local fifo
  fifo=$(mktemp -u) && mkfifo "$fifo"
  "${command[@]}" server "$workload" >"$fifo" &
  local server=$! port
  exec 3<"$fifo"
  read -r line <&3
  port=${line#port }
  "${command[@]}" client "$workload" "$port" "$@" | tail -1
  wait "$server" || true
  exec 3<&-
  rm -f "$fifo"
}

for label in node-uv_poll node-thread bun deno; do
  for ((run = 1; run <= runs; run++)); do
    ping=$(pair "$label" pingpong "$rounds" 2000)
    bulk=$(pair "$label" bulk "$bytes" 65536)
    node -e '
      const [label, ping, bulk, bytes] = process.argv.slice(1);
      const p = JSON.parse(ping), b = JSON.parse(bulk);
      console.log(`${label.padEnd(13)} ping-pong ${(p.rounds / p.seconds).toFixed(0)} round trips/s, p50 ${(p.p50 * 1e6).toFixed(1)} µs, p99 ${(p.p99 * 1e6).toFixed(1)} µs; bulk ${(Number(bytes) / b.seconds / 2 ** 30).toFixed(2)} GiB/s`);
    ' "$label" "$ping" "$bulk" "$bytes"
  done
done

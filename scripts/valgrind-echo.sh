#!/usr/bin/env bash
# `npm run valgrind:echo`: the tutorial's echo demo (`winsock-echo demo`: the demo process, the server and the
# client, each a node process with the addon) under valgrind's memcheck. Passes when no process has an invalid
# access (any memcheck error but a leak) and no definitely-lost block was allocated under winsock.node.
#
# node runs with --jitless: V8's JIT writes machine code at run time, which valgrind must keep re-translating (slow,
# and a source of false reports); the addon's code and every call it makes are the same either way. Leaks: only
# "definitely lost" counts. "Possibly lost" and "still reachable" are node's and V8's process-lifetime memory,
# which node does not free at exit by design.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if ! command -v valgrind >/dev/null; then
  echo "valgrind-echo: valgrind is not installed (Debian: apt-get install valgrind)" >&2
  exit 127
fi
[[ -f dist/bin/winsock-echo.js ]] || npx tsc -p tsconfig.json

logs=.cache/valgrind
rm -rf "$logs"
mkdir -p "$logs"
NODE_OPTIONS=--jitless valgrind --trace-children=yes --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=40 --log-file="$logs/memcheck.%p.log" \
  node dist/bin/winsock-echo.js demo
demo_status=$?

processes=0 errors=0 lost_bytes=0 ours=0
for log in "$logs"/memcheck.*.log; do
  processes=$((processes + 1))
  command=$(grep -m1 -oP '== Command: \K.*' "$log")
  summary=$(grep -m1 -oP 'ERROR SUMMARY: \K\d+' "$log" || echo '?')
  lost=$(grep -m1 -oP 'definitely lost: \K[\d,]+' "$log" | tr -d , || echo 0)
  leak_records=$(grep -c 'are definitely lost' "$log")
  # Every error record is a block of lines; count the leak records whose stack runs through our addon.
  from_addon=$(awk '/are definitely lost/ { inrec = 1; hit = 0 } inrec && /winsock\.node/ { hit = 1 }
                    inrec && /^==[0-9]+== $/ { if (hit) n++; inrec = 0 } END { print n + 0 }' "$log")
  invalid=$((summary - leak_records))
  errors=$((errors + invalid))
  lost_bytes=$((lost_bytes + ${lost:-0}))
  ours=$((ours + from_addon))
  echo "valgrind: ${command}: ${invalid} invalid accesses, definitely lost ${lost:-0} bytes" \
    "(${from_addon} records from winsock.node) [$log]"
done

echo "valgrind-echo: ${processes} processes, ${errors} invalid accesses, definitely lost ${lost_bytes} bytes" \
  "(${ours} records from winsock.node); demo exit ${demo_status}"
((demo_status == 0 && processes >= 3 && errors == 0 && ours == 0))

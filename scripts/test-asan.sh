#!/usr/bin/env bash
# `npm run test:asan`, under scripts/with-asan.sh (ASan + UBSan build of the addon, LeakSanitizer on):
#   1. the whole vitest suite: ASan and UBSan see every test, and LSan checks the child processes tests start;
#   2. a 10,000-call fuzz run, 2,000 leak cycles of each kind, and 20 workers terminated with calls in flight, each
#      in a node process of its own that ends by itself. LSan checks for leaks when a process exits normally, and
#      vitest ends its worker processes with a signal, so without this step no leak in the tests' own processes
#      could ever be reported. (Checked: a SocketPoll that is never deleted is reported here, not by step 1.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
npx tsc -p tsconfig.json
npx tsc -p tsconfig.test.json
# The suite's own fuzz test makes 1,000 calls here, not 10,000: step 2 makes the 10,000 in a process of its own,
# and under ASan they take about 5 minutes (a 2 GiB buffer costs seconds to poison), past any per-test limit.
# pipefail: the fuzz child's exit code (1 on any finding) must survive the grep that keeps only its summary.
exec scripts/with-asan.sh bash -c 'set -o pipefail
  FUZZ_CALLS=1000 npx vitest run &&
  node dist-test/test/fuzz/child.js --seed 1 --calls 10000 | grep "^summary" &&
  node dist-test/test/reliability/leaks-main.js --cycles 2000 &&
  node dist-test/test/reliability/teardown-main.js'

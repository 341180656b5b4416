#!/usr/bin/env bash
# `npm run test:runtimes`: the conformance suite under Bun and under Deno, each installed from its npm package at a
# pinned version (scripts/install-runtimes.sh). Both runtimes run node:test files with their own test runners
# (`bun test`, `deno test`), so the suite runs unchanged; test/harness.ts skips by name, in knownGaps, what cannot
# pass in a runtime. One process per file, as vitest's forks pool does: the files share no Winsock state.
# Ends with one summary line per runtime; exits non-zero on any failure.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mapfile -t executables < <(scripts/install-runtimes.sh) || exit 1
bun=${executables[0]} deno=${executables[1]}
npx tsc -p tsconfig.json || exit 1
npx tsc -p tsconfig.test.json || exit 1

shopt -s nullglob
files=(dist-test/test/conformance/*.test.js)
if [[ -n "${WINSOCK_RUNTIME_TESTS:-}" ]]; then  # a subset, for development: WINSOCK_RUNTIME_TESTS='tcp promises'
  files=()
  for name in $WINSOCK_RUNTIME_TESTS; do files+=("dist-test/test/conformance/$name.test.js"); done
fi
mkdir -p .cache
log=.cache/test-runtimes.log
: >"$log"
status=0
summaries=()

# A file that hangs fails instead of stalling CI: each runner gets 5 minutes per file.
for runtime in bun deno; do
  pass=0 fail=0 skip=0 crashed=()
  for file in "${files[@]}"; do
    out=.cache/test-runtimes.out
    if [[ $runtime == bun ]]; then
      version=$("$bun" --version)
      timeout 300 "$bun" test --timeout 60000 "./$file" >"$out" 2>&1
      rc=$?
      # bun test's closing counts: " 12 pass", " 1 skip", " 0 fail"
      p=$(grep -m1 -oP '^ *\K\d+(?= pass$)' "$out" || echo 0)
      s=$(grep -m1 -oP '^ *\K\d+(?= skip$)' "$out" || echo 0)
      f=$(grep -m1 -oP '^ *\K\d+(?= fail$)' "$out" || echo 0)
    else
      version=$("$deno" --version | head -1 | cut -d' ' -f2)
      # --v8-flags=--expose-gc: the garbage-collection tests (test/support.ts collectGarbage).
      NO_COLOR=1 timeout 300 "$deno" test -A --no-check --v8-flags=--expose-gc "./$file" >"$out" 2>&1
      rc=$?
      # node:test's describe() becomes one Deno test and each test() a step: count the steps.
      line=$(grep -m1 -E '^(ok|FAILED) \|' "$out" || true)
      p=$(grep -oP '\d+ passed \(\K\d+(?= steps?\))' <<<"$line" || echo 0)
      f=$(grep -oP '\d+ failed \(\K\d+(?= steps?\))' <<<"$line" || echo 0)
      s=$(grep -oP '\d+ ignored \(\K\d+(?= steps?\))' <<<"$line" || echo 0)
    fi
    {
      printf '\n=== %s %s: %s (exit %s) ===\n' "$runtime" "$version" "$file" "$rc"
      cat "$out"
    } >>"$log"
    printf '%s %s: %s: %s passed, %s failed, %s skipped (exit %s)\n' "$runtime" "$version" "${file##*/}" "$p" "$f" "$s" "$rc"
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
    if ((rc != 0)); then
      status=1
      ((f == 0)) && crashed+=("${file##*/} (exit $rc)")
    fi
  done
  summaries+=("$runtime $version: $pass passed, $fail failed, $skip skipped${crashed:+; crashed: ${crashed[*]}}")
done
rm -f .cache/test-runtimes.out

echo "full output: $log"
for summary in "${summaries[@]}"; do echo "test:runtimes: $summary"; done
exit $status

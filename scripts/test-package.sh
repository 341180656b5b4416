#!/usr/bin/env bash
# `npm run test:package`: packs the package as `npm publish` would (prepack builds both prebuilds), then tests the
# tarball from outside the working tree (test/package/): its file list, an offline install into an empty folder on
# Linux and under Wine, which binary loads in each case, require() and the types. Ends with one summary line.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

out=.cache/package
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS
npm pack --pack-destination "$out" || exit 1
tarball=$(ls "$out"/winsock-*.tgz)
echo "test:package: packed $tarball in $((SECONDS - start)) s"

npx tsc -p tsconfig.test.json || exit 1

shopt -s nullglob
tests=(dist-test/test/package/*.test.js)
tap=$out/test-package.tap
WINSOCK_TARBALL="$root/$tarball" node --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${tests[@]}"
rc=$?

count() { grep -m1 -oP "^# $1 \K\d+" "$tap" || echo "?"; }
echo "test:package: $(count pass) passed, $(count fail) failed, $(count skipped) skipped"
exit "$rc"

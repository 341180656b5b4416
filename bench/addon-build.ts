// The addon build the bench measures, made only as far as it is out of date. `npm run build` runs
// `node-gyp rebuild`, which configures and compiles every file again (about 55 s on this machine); `node-gyp build`
// runs make in build/, whose rules (gyp's generated .d files) recompile exactly the sources whose file or included
// headers changed. What make cannot see is the configuration: binding.gyp, the Node headers, node-addon-api and the
// variables binding.gyp reads from the environment at configure time (WINSOCK_WERROR, WINSOCK_SANITIZE). Those are
// recorded in a stamp next to the build; when any of them differs, or the build was configured by someone else since
// (build/config.gypi or the target's makefile changed), the bench runs `node-gyp rebuild` as before.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What `node-gyp configure` depends on, and the files it wrote: the build is reused only if all of it is unchanged. */
export interface ConfigureStamp {
  bindingGyp: string;
  node: string;
  nodeAddonApi: string;
  environment: Record<string, string | null>;
  /** Digests of what configure wrote, so a configure by anyone else (npm ci, npm run build) is noticed. */
  written: Record<string, string | null>;
}

/** The environment variables binding.gyp reads when it is configured. */
const CONFIGURE_ENVIRONMENT = ['WINSOCK_WERROR', 'npm_config_winsock_werror', 'WINSOCK_SANITIZE'] as const;

/** The files configure writes under build/ whose content carries the configuration (flags, defines, paths). */
const CONFIGURE_OUTPUTS = ['config.gypi', 'Makefile', 'winsock.target.mk'] as const;

const digest = (path: string): string | null =>
  existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;

/** The stamp the build at `root` would have now (its configure inputs and outputs as they are). */
export function currentStamp(root: string, environment: NodeJS.ProcessEnv = process.env): ConfigureStamp {
  const require = createRequire(join(root, 'package.json'));
  const addonApiManifest = readFileSync(require.resolve('node-addon-api/package.json'), 'utf8');
  const addonApi = JSON.parse(addonApiManifest) as { version: string };
  return {
    bindingGyp: digest(join(root, 'binding.gyp')) ?? '',
    node: `${process.version} ${process.execPath} ${nodeDirectory() ?? 'headers downloaded'}`,
    nodeAddonApi: addonApi.version,
    environment: Object.fromEntries(CONFIGURE_ENVIRONMENT.map((name) => [name, environment[name] ?? null])),
    written: Object.fromEntries(CONFIGURE_OUTPUTS.map((file) => [file, digest(join(root, 'build', file))])),
  };
}

/** Why the configuration must be made again, or null when make alone can bring the build up to date. */
export function reconfigureReason(recorded: ConfigureStamp | null, now: ConfigureStamp): string | null {
  if (Object.values(now.written).some((hash) => hash === null)) return 'build/ is not configured';
  if (recorded === null) return 'no stamp of the last configure by the bench';
  if (recorded.bindingGyp !== now.bindingGyp) return 'binding.gyp changed';
  if (recorded.node !== now.node) return `Node changed (${recorded.node} -> ${now.node})`;
  if (recorded.nodeAddonApi !== now.nodeAddonApi) return 'node-addon-api changed';
  for (const [name, value] of Object.entries(now.environment)) {
    if (recorded.environment[name] !== value) return `${name} changed`;
  }
  for (const [file, hash] of Object.entries(now.written)) {
    if (recorded.written[file] !== hash) return `build/${file} was written by another configure`;
  }
  return null;
}

/**
 * Brings build/Release/winsock.node up to date: `node-gyp build` (make, incremental) when the last configure was
 * the bench's own with the same inputs, else `node-gyp rebuild`. Returns what it did, for the bench's log.
 */
export function buildAddon(root: string): string {
  const stampFile = join(root, 'build', 'bench-configure.json');
  const recorded = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) as ConfigureStamp : null;
  const reason = reconfigureReason(recorded, currentStamp(root));
  const nodeGyp = nodeGypScript(root);
  const run = (command: string): void => {
    // The headers of this Node, where npm's nodedir (the project's .npmrc / npm config) or the install has them:
    // run outside npm, node-gyp would otherwise try to download them.
    const nodedir = nodeDirectory();
    const gypArgs = [command, '--loglevel=warn', ...(nodedir === null ? [] : [`--nodedir=${nodedir}`])];
    const [file, args] = nodeGyp === null ? ['node-gyp', gypArgs] : [process.execPath, [nodeGyp, ...gypArgs]];
    execFileSync(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  const began = performance.now();
  if (reason === null) {
    run('build');
  } else {
    run('rebuild');
    writeFileSync(stampFile, `${JSON.stringify(currentStamp(root), null, 2)}\n`);
  }
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  return reason === null ? `addon: node-gyp build (make, incremental) in ${seconds} s`
    : `addon: node-gyp rebuild in ${seconds} s (${reason})`;
}

/**
 * npm's own node-gyp (what `npm run build:native` runs: npm names it in npm_config_node_gyp), the one npm bundles
 * next to this Node (for `node dist-bench/run.js` run by hand), else one installed in the project.
 */
function nodeGypScript(root: string): string | null {
  const bundled = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  for (const candidate of [process.env['npm_config_node_gyp'], bundled]) {
    if (candidate !== undefined && existsSync(candidate)) return candidate;
  }
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null; // `node-gyp` on the PATH, as npm's scripts have it
  }
}

/** npm's nodedir when set, else the folder above this Node's binary when it holds the Node-API headers. */
export function nodeDirectory(): string | null {
  const candidates = [process.env['npm_config_nodedir'], join(dirname(process.execPath), '..')];
  return candidates.find((dir): dir is string => dir !== undefined && dir !== '' &&
    existsSync(join(dir, 'include/node/node_api.h'))) ?? null;
}

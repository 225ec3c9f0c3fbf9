import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalise, prune, treeDigest } from './files.js';
import { copyDeviceProfiles } from '../../src/drivers/copy-profiles.js';
import { copyPrompts } from '../../src/escalation/copy-prompts.js';

/**
 * One release tree (what becomes /usr/lib/anju/releases/<version>/ on a hub, packaging/README.md):
 *   bin/anjud, bin/anjuctl   sh wrappers: this release's node and entry points
 *   bin/node                 -> ../node_modules/node-linux-<arch>/bin/node (stripped)
 *   dist/src/                the daemon and CLI, compiled from this checkout (a clean compile: no stale files)
 *   dist/devices/            each devices/<model>/profile.json: the device catalogue the daemon reads at start
 *   node_modules/            production dependencies for <arch>, as package-lock.json pins them
 *   config/                  the example config and its JSON Schema
 *   package.json, release.env
 *
 * Node 24 comes from the registry's node-linux-<arch> package (docs/operations.md, "Runtime: Node.js
 * 24"): `npm ci --omit=dev --ignore-scripts --os=linux --cpu=<arch>` in a staging directory holding
 * package.json and package-lock.json. Native modules: better-sqlite3 13 and @serialport/bindings-cpp
 * ship prebuilt Node-API binaries for linux x64 and arm64 (glibc) in their npm packages, so nothing is
 * compiled or cross-compiled (the issue asked for a cross-compile of better-sqlite3; not needed since
 * better-sqlite3 12: packaging/README.md says how to build it from source if SQLite options must change).
 */
export type DebArch = 'amd64' | 'arm64';
export const NPM_CPU: Record<DebArch, 'x64' | 'arm64'> = { amd64: 'x64', arm64: 'arm64' };
/** The strip that understands the target's ELF files (binutils, binutils-aarch64-linux-gnu). */
const STRIP: Record<DebArch, string> = { amd64: 'strip', arm64: 'aarch64-linux-gnu-strip' };
/** Bump when the pruning below changes: the cached node_modules are keyed by it. */
const PRUNE_VERSION = 3;

export interface StageOptions {
  /** The checkout (package.json, package-lock.json, src/, config/). */
  repo: string;
  arch: DebArch;
  version: string;
  /** Where the tree goes (emptied first). */
  out: string;
  /** Cache of pruned node_modules per arch and lockfile: .state/package-cache/ */
  cacheDir: string;
  epochS: number;
  log: (line: string) => void;
}

export interface StagedRelease { dir: string; node: string; schema: number; tree: string }

export function stageRelease(o: StageOptions): StagedRelease {
  rmSync(o.out, { recursive: true, force: true });
  mkdirSync(o.out, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(o.repo, 'package.json'), 'utf8')) as Record<string, unknown>;

  cpSync(compiled(o), join(o.out, 'dist'), { recursive: true });
  // The device catalogue reads the shipped models from dist/devices at run time (src/drivers/catalogue.ts).
  copyDeviceProfiles(join(o.repo, 'devices'), join(o.out, 'dist', 'devices'));
  copyPrompts(join(o.repo, 'prompts'), join(o.out, 'dist', 'prompts')); // the escalation ladder's spoken prompts

  cpSync(productionModules(o, pkg), join(o.out, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  const cpu = NPM_CPU[o.arch];
  const nodeVersion = (JSON.parse(readFileSync(join(o.out, 'node_modules', `node-linux-${cpu}`, 'package.json'), 'utf8')) as { version: string }).version;

  mkdirSync(join(o.out, 'config'));
  for (const f of ['anju.example.yaml', 'anju.schema.json']) cpSync(join(o.repo, 'config', f), join(o.out, 'config', f));
  // The release's package.json: what anjud --version reads, and "type": "module" for the ESM in dist/.
  const release = {
    name: pkg.name, version: o.version, description: pkg.description, type: pkg.type, license: pkg.license, private: true,
    engines: pkg.engines, bin: pkg.bin, dependencies: pkg.dependencies,
  };
  writeFileSync(join(o.out, 'package.json'), `${JSON.stringify(release, null, 2)}\n`);

  mkdirSync(join(o.out, 'bin'));
  symlinkSync(`../node_modules/node-linux-${cpu}/bin/node`, join(o.out, 'bin/node'));
  for (const [name, entry] of [['anjud', 'dist/src/daemon/anjud.js'], ['anjuctl', 'dist/src/cli/anjuctl.js']] as const) {
    writeFileSync(join(o.out, 'bin', name), wrapper(name, entry));
    chmodSync(join(o.out, 'bin', name), 0o755);
  }
  for (const entry of ['dist/src/daemon/anjud.js', 'dist/src/cli/anjuctl.js']) chmodSync(join(o.out, entry), 0o755);

  return sealRelease(o.out, { arch: o.arch, version: o.version, node: nodeVersion, epochS: o.epochS });
}

/**
 * Finishes a release tree: modes and mtimes normalised, its schema version and digest in release.env
 * (for the release manager, a POSIX sh reader: parsed line by line, never sourced). The digest lets
 * the manager tell a reinstall of the same release from other content under the same version.
 */
export function sealRelease(dir: string, o: { arch: DebArch; version: string; node: string; epochS: number }): StagedRelease {
  rmSync(join(dir, 'release.env'), { force: true });
  const schema = schemaVersion(dir);
  normalise(dir, o.epochS);
  const tree = treeDigest(dir);
  writeFileSync(join(dir, 'release.env'), `VERSION=${o.version}\nARCH=${o.arch}\nNODE=${o.node}\nSCHEMA=${schema}\nTREE=${tree}\n`);
  normalise(dir, o.epochS);
  return { dir, node: o.node, schema, tree };
}

/**
 * The schema version this release writes, asked of its own compiled code with the build's node (the
 * module is plain JS; better-sqlite3 loads its native binary only when a database is opened, so an
 * arm64 tree answers on an x64 build machine too).
 */
function schemaVersion(tree: string): number {
  const url = pathToFileURL(join(tree, 'dist/src/store/database.js')).href;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); process.stdout.write(String(m.SCHEMA_VERSION));`], { encoding: 'utf8' });
  if (!/^\d+$/.test(out)) throw new Error(`packaging: SCHEMA_VERSION of ${tree} is ${JSON.stringify(out)}`);
  return Number(out);
}

function wrapper(name: string, entry: string): string {
  return `#!/bin/sh
# ${name} of this release, on this release's own Node.js (packaging/README.md). Resolves the
# real release directory first, so a switch of /usr/lib/anju/current never mixes two releases.
here=$(dirname "$(readlink -f "$0")")
exec "$here/node" "$here/../${entry}" "$@"
`;
}

/**
 * A clean compile of src/ only (dist/ in the checkout may hold files of deleted sources, tests,
 * benches), from the cache when src/, the tsconfigs and TypeScript are unchanged: the output does not
 * depend on the arch, so both packages (and the tests' builds) share one compile.
 */
function compiled(o: StageOptions): string {
  const h = createHash('sha256');
  for (const f of ['package-lock.json', 'tsconfig.json', 'packaging/tsconfig.release.json']) h.update(readFileSync(join(o.repo, f)));
  h.update(treeDigest(join(o.repo, 'src')));
  const cached = join(o.cacheDir, `dist-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(join(cached, '.complete'))) return join(cached, 'dist');
  mkdirSync(o.cacheDir, { recursive: true });
  o.log(`${o.arch}: compiling src/`);
  const tmp = `${cached}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(process.execPath, [join(o.repo, 'node_modules/typescript/bin/tsc'), '-p', join(o.repo, 'packaging/tsconfig.release.json'), '--outDir', join(tmp, 'dist')], { stdio: 'inherit' });
  writeFileSync(join(tmp, '.complete'), '');
  publish(o, tmp, cached, 'dist-');
  return join(cached, 'dist');
}

/** Moves a finished cache entry into place and drops the older entries of its kind. */
function publish(o: StageOptions, tmp: string, cached: string, kind: string): void {
  try {
    renameSync(tmp, cached);
  } catch (err) {
    // Another build (a parallel test) made the same cache entry meanwhile: use that one.
    if (!existsSync(join(cached, '.complete'))) throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  // Entries of other inputs are never read again.
  for (const old of readdirSync(o.cacheDir)) {
    if (old.startsWith(kind) && join(o.cacheDir, old) !== cached && !old.includes('.tmp-')) rmSync(join(o.cacheDir, old), { recursive: true, force: true });
  }
}

/**
 * The production node_modules for the arch, pruned, from the cache or made now. Cached by the lockfile,
 * package.json and PRUNE_VERSION: `npm ci` is the slow part, and tests build several packages.
 */
function productionModules(o: StageOptions, pkg: Record<string, unknown>): string {
  const lock = readFileSync(join(o.repo, 'package-lock.json'));
  const key = createHash('sha256').update(lock).update(JSON.stringify([pkg.dependencies, pkg.optionalDependencies, pkg.overrides, PRUNE_VERSION, o.arch])).digest('hex').slice(0, 16);
  const cached = join(o.cacheDir, `node_modules-${o.arch}-${key}`);
  if (existsSync(join(cached, '.complete'))) return join(cached, 'node_modules');
  rmSync(cached, { recursive: true, force: true });
  const staging = `${cached}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(o.repo, f), join(staging, f));
  const cpu = NPM_CPU[o.arch];
  o.log(`${o.arch}: npm ci --omit=dev --ignore-scripts --os=linux --cpu=${cpu}`);
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  execFileSync(npm[0]!, [...npm.slice(1), 'ci', '--omit=dev', '--ignore-scripts', '--os=linux', `--cpu=${cpu}`, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: staging, stdio: 'inherit' });
  pruneModules(join(staging, 'node_modules'), JSON.parse(lock.toString('utf8')) as Lockfile, cpu);
  execFileSync(STRIP[o.arch], ['--strip-all', join(staging, 'node_modules', `node-linux-${cpu}`, 'bin/node')]);
  writeFileSync(join(staging, '.complete'), '');
  publish(o, staging, cached, `node_modules-${o.arch}-`);
  return join(cached, 'node_modules');
}

interface LockEntry {
  optional?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface Lockfile { packages: Record<string, LockEntry> }

/**
 * Production dependencies that only the cloud side uses (ingest/: anju-ingest, which never ships to a
 * hub): they and whatever only they bring are left out of the hub's tree.
 */
const CLOUD_ONLY = new Set(['pg']);

/**
 * The lockfile paths (`node_modules/a/node_modules/b`) a hub can load: the closure of the root's
 * production dependencies without CLOUD_ONLY, each name resolved as Node does (nearest node_modules
 * up from the dependent).
 */
function hubReachable(lock: Lockfile): Set<string> {
  const root = lock.packages[''] ?? {};
  const seen = new Set<string>();
  // What a package loads: its dependencies, optional ones, and the peers npm installs for it (a
  // required peer is a real dependency that npm 7+ installs; an optional one only when present).
  const needs = (p: LockEntry): Record<string, string> => {
    const peers = Object.fromEntries(Object.entries(p.peerDependencies ?? {}).filter(([name]) => p.peerDependenciesMeta?.[name]?.optional !== true));
    return { ...p.dependencies, ...p.optionalDependencies, ...peers };
  };
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
      const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (dir === '') return undefined;
    }
  };
  const visit = (from: string, deps: Record<string, string> | undefined): void => {
    for (const name of Object.keys(deps ?? {})) {
      if (from === '' && CLOUD_ONLY.has(name)) continue;
      const path = resolve(from, name);
      if (path === undefined || seen.has(path)) continue;
      seen.add(path);
      visit(path, needs(lock.packages[path]!));
    }
  };
  visit('', needs(root));
  return seen;
}

/**
 * What a hub never reads at run time:
 * - the cloud side's packages (CLOUD_ONLY, e.g. pg) and what only they bring;
 * - optional production packages other than the Node runtime: today usocket (an optional native
 *   module of dbus-next, never built nor used: src/transports/ble/README.md) and its build tools
 *   (node-gyp, tar, ...);
 * - the runtime's C headers (67 MB) and docs; its binary is stripped of symbols (20 MB; the same
 *   version's unstripped binary is the registry's node-linux-<arch> package, for a debugger);
 * - native modules' sources and other platforms' prebuilt binaries;
 * - TypeScript declarations and source maps of dependencies.
 * package.json files, LICENSE files and code stay.
 */
function pruneModules(nm: string, lock: Lockfile, cpu: 'x64' | 'arm64'): void {
  const optional = Object.entries(lock.packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && p.optional && !p.dev && path !== `node_modules/node-linux-${cpu}`)
    .map(([path]) => path.slice('node_modules/'.length));
  for (const rel of optional) rmSync(join(nm, rel), { recursive: true, force: true });
  const reachable = hubReachable(lock);
  const cloudOnly = Object.entries(lock.packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !reachable.has(path))
    .map(([path]) => path.slice('node_modules/'.length));
  for (const rel of cloudOnly) rmSync(join(nm, rel), { recursive: true, force: true });
  prune(nm, (rel, isDir) => {
    if (rel.startsWith(`node-linux-${cpu}/`)) return !/^node-linux-[a-z0-9]+\/(bin(\/node)?|package\.json|LICENSE)$/.test(rel);
    // At any depth: zigbee-herdsman brings its own @serialport/bindings-cpp (another version).
    const native = /(?:^|\/node_modules\/)(better-sqlite3|@serialport\/bindings-cpp)\/(.+)$/.exec(rel);
    if (native?.[1] === 'better-sqlite3') {
      const inside = native[2]!;
      if (/^(deps|src)(\/|$)|^binding\.gyp$/.test(inside)) return true;
      if (inside.startsWith('prebuilds/')) return inside !== `prebuilds/linux-${cpu}.node`;
    } else if (native) {
      const inside = native[2]!;
      if (/^(src(\/|$)|binding\.gyp$)/.test(inside)) return true;
      const m = /^prebuilds\/([^/]+)(\/(.+))?$/.exec(inside);
      if (m) return m[1] !== `linux-${cpu}` || (m[3] !== undefined && !m[3].endsWith('.glibc.node'));
    }
    return !isDir && /\.(d\.ts|d\.mts|d\.cts|map)$/.test(rel);
  });
}

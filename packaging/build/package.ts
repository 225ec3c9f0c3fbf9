#!/usr/bin/env node
/**
 * `npm run package`: builds anju_<version>_arm64.deb and anju_<version>_amd64.deb (packaging/README.md).
 *
 *   node dist/packaging/build/package.js [--arch amd64,arm64] [--version V] [--out DIR]
 *                                        [--compression xz|zstd|gzip] [--no-smoke]
 *
 * Reproducible: SOURCE_DATE_EPOCH (default: the last commit's time) is every file's mtime; the same
 * checkout, lockfile and options give the same bytes. Prints each package's size and what is in it.
 * After building, each release tree is run once (--version, --check-config of the example config's
 * minimal cousin, a database open and write): natively for amd64 on x86_64, under qemu-user for arm64
 * (qemu-aarch64-static with the aarch64 glibc of libc6-arm64-cross) when it is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildDeb, type Compression } from './deb.js';
import { treeBytes, sizeOf } from './files.js';
import { smokeTest } from './smoke.js';
import { stageRelease, NPM_CPU, type DebArch } from './stage.js';

const REPO = resolve(import.meta.dirname, '../../..');

function args(argv: string[]): { arches: DebArch[]; version: string | null; out: string; compression: Compression; smoke: boolean } {
  const o = { arches: ['amd64', 'arm64'] as DebArch[], version: null as string | null, out: join(REPO, 'dist/packages'), compression: 'xz' as Compression, smoke: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => { const v = argv[++i]; if (v === undefined) usage(`${a} needs a value`); return v!; };
    if (a === '--arch') o.arches = value().split(',').map((x) => { if (x !== 'amd64' && x !== 'arm64') usage(`unknown arch ${x}`); return x as DebArch; });
    else if (a === '--version') o.version = value();
    else if (a === '--out') o.out = resolve(value());
    else if (a === '--compression') { const c = value(); if (c !== 'xz' && c !== 'zstd' && c !== 'gzip') usage(`unknown compression ${c}`); o.compression = c as Compression; }
    else if (a === '--no-smoke') o.smoke = false;
    else usage(`unknown argument ${a}`);
  }
  return o;
}
function usage(problem: string): never {
  process.stderr.write(`package: ${problem}\nusage: package [--arch amd64,arm64] [--version V] [--out DIR] [--compression xz|zstd|gzip] [--no-smoke]\n`);
  process.exit(2);
}

const o = args(process.argv.slice(2));
const version = o.version ?? (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
if (!/^[0-9][0-9A-Za-z.+~]{0,63}$/.test(version)) usage(`not a Debian version for a release directory: ${version}`);
const epochS = Number(process.env.SOURCE_DATE_EPOCH ?? execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8' }).trim());
if (!Number.isInteger(epochS) || epochS <= 0) usage(`SOURCE_DATE_EPOCH is not a time: ${process.env.SOURCE_DATE_EPOCH}`);
const work = join(REPO, '.state/package-build');
const cacheDir = join(REPO, '.state/package-cache');
mkdirSync(o.out, { recursive: true });

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
const rows: string[][] = [];
for (const arch of o.arches) {
  const release = stageRelease({ repo: REPO, arch, version, out: join(work, `release-${arch}`), cacheDir, epochS, log: (l) => process.stderr.write(`package: ${l}\n`) });
  if (o.smoke) smokeTest(release.dir, arch, (l) => process.stderr.write(`package: ${l}\n`));
  const deb = buildDeb({ repo: REPO, release, arch, version, work: join(work, `root-${arch}`), outDir: o.out, epochS, compression: o.compression });
  const nodeBytes = sizeOf(join(release.dir, 'node_modules', `node-linux-${NPM_CPU[arch]}`, 'bin/node'));
  const modules = treeBytes(join(release.dir, 'node_modules')) - nodeBytes;
  rows.push([arch, deb.file, mb(sizeOf(deb.file)), mb(deb.installedKiB * 1024), mb(nodeBytes), mb(modules), mb(treeBytes(join(release.dir, 'dist'))), `node ${release.node}, schema ${release.schema}`]);
}
const header = ['arch', 'package', '.deb', 'installed', 'node', 'node_modules', 'dist', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [header, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
process.stdout.write(`SOURCE_DATE_EPOCH=${epochS}, compression ${o.compression}\n`);

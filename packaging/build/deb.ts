import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { installedSizeKiB, normalise, walk } from './files.js';
import type { DebArch, StagedRelease } from './stage.js';

/**
 * The .deb of one release (packaging/README.md, "What is where on a hub"):
 *   /usr/lib/anju/payload/<version>/     the release tree (dpkg's; the release manager links it into releases/)
 *   /usr/lib/anju/anju-release           the release manager
 *   /usr/bin/anjud, /usr/bin/anjuctl     wrappers through /usr/lib/anju/current
 *   /usr/lib/systemd/system/             every unit in systemd/ (anjud.service, anju-release-resume.service, ...)
 *   /usr/lib/udev/rules.d/99-anju-serial.rules
 *   /etc/anju/release.conf               conffile
 *   /usr/share/doc/anju/                 copyright, the docs, the example config
 * built with dpkg-deb --root-owner-group from a tree whose mtimes are SOURCE_DATE_EPOCH.
 */
export type Compression = 'xz' | 'zstd' | 'gzip';

export interface DebOptions {
  repo: string;
  release: StagedRelease;
  arch: DebArch;
  version: string;
  /** Scratch directory for the package root (emptied first). */
  work: string;
  outDir: string;
  epochS: number;
  compression: Compression;
}

/** What a hub needs besides the package: the prebuilt native modules want glibc 2.34 (Debian 12); Node 24 libstdc++ 3.4.21. */
const DEPENDS = 'libc6 (>= 2.34), libstdc++6 (>= 5.2), libgcc-s1, passwd, util-linux';

export function buildDeb(o: DebOptions): { file: string; installedKiB: number } {
  const root = o.work;
  rmSync(root, { recursive: true, force: true });
  const put = (path: string, text: string, mode = 0o644): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  };
  const copy = (from: string, to: string, mode = 0o644): void => put(to, readFileSync(join(o.repo, from), 'utf8'), mode);

  cpSync(o.release.dir, join(root, 'usr/lib/anju/payload', o.version), { recursive: true, verbatimSymlinks: true });
  copy('packaging/anju-release', 'usr/lib/anju/anju-release', 0o755);
  const wrapper = readFileSync(join(o.repo, 'packaging/debian/usr-bin-wrapper'), 'utf8');
  for (const name of ['anjud', 'anjuctl']) put(`usr/bin/${name}`, wrapper.replaceAll('@NAME@', name), 0o755);
  // Every unit in systemd/ ships; those with an [Install] section are enabled by postinst.
  const units = readdirSync(join(o.repo, 'systemd')).filter((f) => /\.(service|path|timer|socket)$/.test(f)).sort();
  for (const u of units) copy(`systemd/${u}`, `usr/lib/systemd/system/${u}`);
  const unitText = (u: string) => readFileSync(join(o.repo, 'systemd', u), 'utf8');
  const enabledUnits = units.filter((u) => /^\[Install\]/m.test(unitText(u)));
  const enabled = enabledUnits.join(' ');
  // Started by postinst beside anjud (which the release manager restarts): not one-shot jobs (the resume).
  const aux = enabledUnits.filter((u) => u !== 'anjud.service' && !/^Type=oneshot$/m.test(unitText(u))).join(' ');
  for (const r of readdirSync(join(o.repo, 'systemd')).filter((f) => f.endsWith('.rules'))) copy(`systemd/${r}`, `usr/lib/udev/rules.d/${r}`);
  copy('packaging/debian/release.conf', 'etc/anju/release.conf');
  copy('packaging/debian/copyright', 'usr/share/doc/anju/copyright');
  copy('packaging/README.md', 'usr/share/doc/anju/README.md');
  for (const doc of ['operations.md', 'configuration.md', 'uplink.md']) copy(`docs/${doc}`, `usr/share/doc/anju/${doc}`);
  copy('config/anju.example.yaml', 'usr/share/doc/anju/examples/anju.example.yaml');

  for (const script of ['postinst', 'prerm', 'postrm']) {
    put(`DEBIAN/${script}`, readFileSync(join(o.repo, 'packaging/debian', script), 'utf8').replaceAll('@VERSION@', o.version).replaceAll('@UNITS@', enabled).replaceAll('@AUX_UNITS@', aux), 0o755);
  }
  put('DEBIAN/conffiles', '/etc/anju/release.conf\n');
  put('DEBIAN/md5sums', md5sums(root));
  const pkg = JSON.parse(readFileSync(join(o.repo, 'package.json'), 'utf8')) as { description: string };
  put('DEBIAN/control', [
    'Package: anju',
    `Version: ${o.version}`,
    `Architecture: ${o.arch}`,
    'Maintainer: Anju project <anju@example.invalid>',
    `Installed-Size: ${installedSizeKiB(root) - installedSizeKiB(join(root, 'DEBIAN'))}`,
    `Depends: ${DEPENDS}`,
    'Section: misc',
    'Priority: optional',
    `Description: Anju edge gateway daemon (anjud, anjuctl) with its own Node.js ${o.release.node}`,
    ` ${pkg.description}`,
    ' Releases are installed side by side under /usr/lib/anju/releases and switched by',
    ' /usr/lib/anju/anju-release, which rolls an upgrade back by itself when the new',
    ' release fails its health gate (/usr/share/doc/anju/README.md).',
    '',
  ].join('\n'));
  normalise(root, o.epochS);
  chmodSync(join(root, 'DEBIAN'), 0o755);

  mkdirSync(o.outDir, { recursive: true });
  const file = join(o.outDir, `anju_${o.version}_${o.arch}.deb`);
  const level = { xz: '6', zstd: '3', gzip: '6' }[o.compression];
  // dpkg-deb's xz output does not depend on the number of threads (checked: the same bytes with
  // --threads-max 1, 2, 4 and 8 on dpkg 1.21.22), so it may use every core.
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${o.compression}`, `-z${level}`, '--build', root, file], {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(o.epochS) }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { file, installedKiB: Number(/Installed-Size: (\d+)/.exec(readFileSync(join(root, 'DEBIAN/control'), 'utf8'))![1]) };
}

/** DEBIAN/md5sums as dh_md5sums writes it (conffiles left out): what dpkg --verify and debsums check. */
function md5sums(root: string): string {
  const lines: string[] = [];
  for (const p of walk(root)) {
    const rel = relative(root, p);
    if (rel.startsWith('DEBIAN') || rel.startsWith('etc/')) continue;
    if (!lstatSync(p).isFile()) continue;
    lines.push(`${createHash('md5').update(readFileSync(p)).digest('hex')}  ${rel}`);
  }
  return `${lines.join('\n')}\n`;
}

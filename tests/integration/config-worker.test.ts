/**
 * anjud validates its config in a worker thread (src/config/validate-off-thread.ts) so that zod and
 * the schema never load in the daemon's own isolate (memory: see bench/README.md, "memory").
 *  - the worker's verdict is the in-thread one, word for word: the parsed config with its defaults,
 *    or every problem with line, column, key path, expected and found; and the config is frozen;
 *  - nothing the daemon imports statically (anjud, the supervisor it runs, and the memory bench's
 *    daemon child, which must measure the same thing) reaches zod or yaml: only the worker and
 *    --check-config load them.
 * The worker runs from the build (dist/), like the daemon in the other integration tests.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../src/config/load.js';
import { ROOT } from '../helpers/daemon-process.js';

const offThread = (await import(join(ROOT, 'dist/src/config/validate-off-thread.js'))) as typeof import('../../src/config/validate-off-thread.js');

const texts: Record<string, string> = {
  demo: readFileSync(join(ROOT, 'config/demo.yaml'), 'utf8'),
  // names TLS and password files that do not exist here: the file checks run in the worker too
  example: readFileSync(join(ROOT, 'config/anju.example.yaml'), 'utf8'),
  problems: 'hub:\n  id: h1\n  colour: red\nuplink:\n  url: 42\ndevices:\n  - id: r1\n    model: seeed-mr60bha1\n    serial: {}\n',
  syntax: 'hub: [\n',
  empty: '',
};

describe('config validation in a worker thread', () => {
  for (const [name, text] of Object.entries(texts)) {
    it(`gives the in-thread verdict for the ${name} config`, async () => {
      const inThread = validateConfigText(text);
      const worker = await offThread.validateConfigTextOffThread(text);
      expect(worker).toEqual(inThread);
      if (name === 'demo') expect(worker.ok).toBe(true);
      if (name === 'problems') expect(worker.ok ? [] : worker.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['hub.colour', 'uplink.url', 'devices[0].serial.path']));
    });
  }

  it('returns a deeply frozen config, as loadConfigFile does', async () => {
    const r = await offThread.loadConfigFileOffThread(join(ROOT, 'config/demo.yaml'));
    if (!r.ok) throw new Error('demo config invalid');
    expect(Object.isFrozen(r.config)).toBe(true);
    expect(Object.isFrozen(r.config.detectors.breathing_rate)).toBe(true);
    expect(Object.isFrozen(r.config.devices)).toBe(true);
  });

  it('refuses a set-config text it cannot validate in time, as a problem, and stops the worker', async () => {
    // 500k nested block sequences take yaml seconds (a stack overflow per level): far more than 50 ms.
    const r = await offThread.validateConfigTextOffThread('- '.repeat(500_000), 50);
    expect(r).toEqual({ ok: false, problems: [{ path: '', message: 'not validated within 0.05 s: too large or too deeply nested for a config', code: 'ANJU_CFG_TOO_SLOW', params: { s: '0.05' } }] });
  });

  it('reports an unreadable file as a problem, not a crash', async () => {
    const r = await offThread.loadConfigFileOffThread(join(ROOT, 'no-such-config.yaml'));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems[0]!.message).toMatch(/^cannot read the file: ENOENT/);
  });
});

/** Modules reachable through static imports (not `import type`, not `await import()`), from TS sources. */
function staticClosure(entry: string): Map<string, string> {
  const seen = new Map<string, string>(); // module -> who imported it
  const walk = (file: string, from: string): void => {
    if (seen.has(file)) return;
    seen.set(file, from);
    if (!file.endsWith('.ts')) return; // a package
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), file);
      else if (!spec.startsWith('node:')) walk(spec.split('/')[0]!.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!, file);
    }
  };
  walk(entry, '(entry)');
  return seen;
}

describe("the daemon's main isolate", () => {
  // anjud imports the rest (supervisor.ts, ...) with import() while the worker validates.
  for (const [entry, reaches] of [['src/daemon/anjud.ts', 'commander'], ['src/daemon/supervisor.ts', 'mqtt'], ['bench/memory-daemon-child.ts', 'mqtt']] as const) {
    it(`${entry} does not import zod or yaml statically`, () => {
      const closure = staticClosure(join(ROOT, entry));
      expect(closure.has(reaches)).toBe(true); // the walk did follow the imports
      for (const pkg of ['zod', 'yaml']) {
        const via = closure.get(pkg);
        expect(via === undefined ? undefined : `${pkg} imported by ${relative(ROOT, via)}`).toBeUndefined();
      }
    });
  }
});

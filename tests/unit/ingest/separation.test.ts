/**
 * The cloud side lives in ingest/ and must stay out of the hub: nothing in src/ may import it (the
 * hub's package is built from dist/src and leaves dist/ingest out; a hub must not need pg).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('ingest/ is separate from the hub', () => {
  it('no hub source imports ingest/ or pg', () => {
    const files = sources(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((f) => /(from\s+|import\s*\(\s*)['"](\.\.\/)+ingest\/|['"]pg['"]/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('ingest/ does use pg (the scan above is not blind)', () => {
    expect(readFileSync(join(ROOT, 'ingest/db.ts'), 'utf8')).toMatch(/from 'pg'/);
  });
});

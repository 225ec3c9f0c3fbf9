/** Short ids as git does them (src/cli/short-id.ts, issue 16 point 3). */
import { describe, expect, it } from 'vitest';
import { resolveId, shortIds } from '../../../src/cli/short-id.js';

const A = '3f2a9c1e-0000-4000-8000-000000000001';
const B = '3f2a9c1e-0000-4000-8000-000000000002';
const C = '7b11d0aa-1111-4000-8000-000000000003';

describe('short ids', () => {
  it('a unique prefix of at least 4 characters names its id; the full id always does', () => {
    expect(resolveId('7b11', [A, B, C])).toEqual({ ok: true, id: C });
    expect(resolveId('7B11D0', [A, B, C])).toEqual({ ok: true, id: C });
    expect(resolveId(A, [A, B, C])).toEqual({ ok: true, id: A });
    expect(resolveId('bed-radar', ['bed-radar', 'bed-radar-2'])).toEqual({ ok: true, id: 'bed-radar' });
  });

  it('too short, none, or several: refused, with the candidates', () => {
    expect(resolveId('7b1', [A, B, C])).toMatchObject({ ok: false, reason: 'too-short' });
    expect(resolveId('ffff', [A, B, C])).toMatchObject({ ok: false, reason: 'none' });
    expect(resolveId('3f2a9c', [A, B, C])).toEqual({ ok: false, reason: 'ambiguous', candidates: [A, B] });
  });

  it('shown ids are 8 characters, longer only where two would share them', () => {
    const s = shortIds([A, B, C]);
    expect(s.get(C)).toBe('7b11d0aa');
    expect(s.get(A)).toBe(A); // A and B differ only in the last character
    expect(shortIds(['ab', 'abcdefghij']).get('ab')).toBe('ab');
  });
});

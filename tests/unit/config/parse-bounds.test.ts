/**
 * Parsing bounds of the config (issue 12, findings 6 and 8): YAML alias trouble is a problem with a
 * line and column, never an exception; broker URLs are judged on the parsed URL, the one the MQTT
 * client is then given.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { MAX_ALIASES } from '../../../src/config/parse-yaml.js';

const MINIMAL = 'hub: { id: h1 }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n';

function problems(text: string) {
  const r = parseConfig(text);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.problems;
}

describe('YAML aliases', () => {
  it('an alias without an anchor before it is a problem at the alias', () => {
    expect(problems('hub: { id: *a }\nuplink: { url: "mqtt://127.0.0.1:1" }\n')).toEqual([
      { path: '', message: 'YAML alias *a has no anchor &a before it', expected: 'an anchor defined earlier in the file', found: 'none', line: 1, col: 12 },
    ]);
    // The anchor after the alias does not count (YAML resolves aliases backwards only).
    expect(problems('hub: { id: *a }\nx: &a h1\n')[0]).toMatchObject({ message: 'YAML alias *a has no anchor &a before it', line: 1 });
  });

  it('a billion laughs is refused at its first alias, not expanded', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const [p, ...rest] = problems(`${MINIMAL}${laughs}\n`);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ message: 'YAML aliases: Excessive alias count indicates a resource exhaustion attack', line: 4, col: 8 });
  });

  it(`more than ${MAX_ALIASES} aliases are refused before they are resolved`, () => {
    const many = Array.from({ length: MAX_ALIASES + 1 }, (_, i) => `  - &s${i} x\n  - *s${i}`).join('\n');
    const ps = problems(`${MINIMAL}list:\n${many}\n`);
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ message: `YAML aliases: more than ${MAX_ALIASES} in one config`, line: 3 + 2 * MAX_ALIASES + 2 });
  });

  it('anchors and aliases used sensibly still work', () => {
    const r = parseConfig(`${MINIMAL}detectors:\n  breathing_rate: &br { sustain_s: 30 }\n  apnea: { enabled: true }\n`);
    expect(r.ok).toBe(true);
    const shared = parseConfig('hub: { id: &id h1 }\nuplink: { url: "mqtt://127.0.0.1:1", client_id: *id }\n');
    expect(shared.ok && shared.config.uplink.client_id).toBe('h1');
  });

  it('a self-referencing anchor and thousands of syntax errors are bounded problems, not a crash', () => {
    expect(problems('hub: &h { id: h1, self: *h }\nuplink: { url: "mqtt://127.0.0.1:1" }\n')[0]).toMatchObject({ path: 'hub.self', message: 'unknown key' });
    const deep = problems('['.repeat(100_000));
    expect(deep.length).toBeLessThanOrEqual(21);
    expect(deep.at(-1)!.message).toMatch(/more YAML problem\(s\) not listed$/);
    expect(deep[0]).toMatchObject({ line: 1 });
  });
});

/**
 * The plausibility table (src/core/plausibility.ts): what it drops, that src/detectors/METRICS.md
 * documents exactly it, and that no real or spec-computed device reading (every fixture) falls outside it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINITE, implausible, PLAUSIBLE_RANGES } from '../../../src/core/plausibility.js';
import { loadCatalogue } from '../../../src/drivers/catalogue.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('plausibility bounds', () => {
  it('drops non-finite numbers and numbers outside the range; passes the rest', () => {
    expect(implausible('breathRatePerMin', 3e38)).toMatchObject({ min: 0, max: 100 });
    expect(implausible('breathRatePerMin', -1)).not.toBeNull();
    for (const v of [Number.NaN, Infinity, -Infinity]) {
      expect(implausible('breathRatePerMin', v)).not.toBeNull();
      expect(implausible('nightApneaCount', v)).not.toBeNull(); // no upper bound, but finite
      expect(implausible('someNewMetric', v)).toBe(FINITE);
    }
    expect(implausible('breathRatePerMin', 30)).toBeNull();
    expect(implausible('breathRatePerMin', 100)).toBeNull();
    expect(implausible('heartRateBpm', 301)).not.toBeNull();
    expect(implausible('coPpm', 5000)).toBeNull(); // over a domestic sensor's range, not over physics: still alarms
    expect(implausible('gasLelPercent', 120)).toBeNull();
    expect(implausible('someNewMetric', -1e300)).toBeNull();
    expect(implausible('presence', true)).toBeNull();
    expect(implausible('motion', 'active')).toBeNull();
  });

  it('src/detectors/METRICS.md lists exactly the table, with the same ranges', () => {
    const md = readFileSync(join(ROOT, 'src/detectors/METRICS.md'), 'utf8');
    const section = md.split('## Plausibility bounds')[1]!.split('\n## ')[0]!;
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const fmt = (n: number) => (n === Infinity ? '∞' : n.toLocaleString('en-US'));
    const documented = new Map<string, string>();
    for (const row of rows) {
      const [, metrics, plausible] = row.split('|').map((c) => c.trim());
      for (const m of metrics!.matchAll(/`([A-Za-z0-9]+)`/g)) documented.set(m[1]!, plausible!);
    }
    expect([...documented.keys()].sort()).toEqual([...PLAUSIBLE_RANGES.keys()].sort());
    for (const [metric, r] of PLAUSIBLE_RANGES) expect(documented.get(metric), metric).toBe(`${fmt(r.min)} to ${fmt(r.max)} ${r.unit}`);
  });

  it('every expected reading of every device fixture is plausible', () => {
    let numbers = 0;
    for (const model of readdirSync(join(ROOT, 'devices'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      const dir = join(ROOT, 'devices', model, 'fixtures');
      // A modem's fixtures are SMS PDUs, not readings: it measures nothing (devices/quectel-ec2x).
      if (!existsSync(dir) || loadCatalogue().get(model)?.transport === 'modem') continue;
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cases: Array<{ name: string; expect: Array<{ metric: string; value: number | boolean | string }> }> };
        for (const c of fx.cases) {
          for (const m of c.expect) {
            if (typeof m.value === 'number') numbers++;
            expect(implausible(m.metric, m.value), `${model}/${f} "${c.name}": ${m.metric} = ${m.value}`).toBeNull();
          }
        }
      }
    }
    expect(numbers).toBeGreaterThan(100); // the fixtures were found and read
  });
});

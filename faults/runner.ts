import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeError, seeded, type Scenario, type ScenarioRow } from './scenario.js';
import { ble, clockSteps, modbus, serialUnplug } from './scenarios/clock-and-devices.js';
import { brokerRestart, kill9, proxy } from './scenarios/process-and-network.js';
import { corruptDb, diskFull } from './scenarios/storage.js';

/** In the order of the issue's list (issue 17, point 3). */
export const SCENARIOS: readonly Scenario[] = [kill9, brokerRestart, proxy, diskFull, corruptDb, clockSteps, serialUnplug, ble, modbus];

export interface FaultsResult {
  rows: ScenarioRow[];
  ok: boolean;
  rounds: number;
  seed: number;
  delivery: 'cloud_ack' | 'puback';
  startedAt: string;
  markdown: string;
}

/**
 * A row passes when nothing committed is missing in the cloud (lost 0), the cloud saw no seq gap,
 * every injected fault was survived, at least one fault was injected and one alarm raised (a row
 * that did nothing must not pass), and the harness reported no error.
 */
export function judge(row: Omit<ScenarioRow, 'ok'>): boolean {
  return row.error === null && row.lost === 0 && row.gaps === 0 && row.injected > 0 && row.survived === row.injected && row.alarmsRaised > 0;
}

export async function runFaults(o: { only?: readonly string[]; rounds: number; seed: number; delivery?: 'cloud_ack' | 'puback'; log: (line: string) => void }): Promise<FaultsResult> {
  const startedAt = new Date().toISOString();
  const rows: ScenarioRow[] = [];
  for (const [i, s] of SCENARIOS.entries()) {
    if (o.only && !o.only.includes(s.name)) continue;
    o.log(`== ${s.name}: ${s.proves}`);
    const t0 = performance.now();
    const base = { scenario: s.name, injected: 0, survived: 0, notes: [] as string[], committed: 0, alarmsRaised: 0, delivered: 0, lost: 0, lostIds: [] as string[], gaps: 0, duplicates: 0 };
    let row: Omit<ScenarioRow, 'ok'>;
    try {
      const out = await s.run({ rounds: o.rounds, rand: seeded(o.seed + i), log: o.log, delivery: o.delivery });
      const failed = out.notes.find((n) => n.startsWith('injection failed'));
      row = { ...base, ...out, wallS: 0, error: failed ?? null };
    } catch (err) {
      row = { ...base, wallS: 0, error: describeError(err) };
    }
    row.wallS = Math.round((performance.now() - t0) / 100) / 10;
    const full: ScenarioRow = { ...row, ok: judge(row) };
    rows.push(full);
    o.log(`   ${full.ok ? 'ok' : 'FAILED'}: injected ${full.injected}, survived ${full.survived}, committed ${full.committed} (${full.alarmsRaised} alarms), lost ${full.lost}, gaps ${full.gaps}, duplicates absorbed ${full.duplicates}, ${full.wallS} s${full.error ? `\n   error: ${full.error}` : ''}${full.notes.length ? `\n   ${full.notes.join('\n   ')}` : ''}`);
  }
  const ok = rows.length > 0 && rows.every((r) => r.ok);
  return { rows, ok, rounds: o.rounds, seed: o.seed, delivery: o.delivery ?? 'cloud_ack', startedAt, markdown: markdownTable(rows) };
}

export function markdownTable(rows: readonly ScenarioRow[]): string {
  const head = '| scenario | injected | survived | alarms raised | events committed | lost | seq gaps | duplicates absorbed | wall s | verdict |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map((r) => `| ${r.scenario} | ${r.injected} | ${r.survived} | ${r.alarmsRaised} | ${r.committed} | ${r.lost} | ${r.gaps} | ${r.duplicates} | ${r.wallS} | ${r.ok ? 'ok' : `FAILED${r.error ? `: ${r.error.replace(/\|/g, '/')}` : ''}`} |`);
  return [head, ...body].join('\n');
}

/** Writes faults.json and faults.md into `dir`; returns their paths. */
export function writeResults(r: FaultsResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'faults.json');
  const md = join(dir, 'faults.md');
  writeFileSync(json, `${JSON.stringify({ startedAt: r.startedAt, rounds: r.rounds, seed: r.seed, delivery: r.delivery, ok: r.ok, rows: r.rows }, null, 2)}\n`);
  writeFileSync(md, `# npm run faults, ${r.startedAt} (rounds ${r.rounds}, seed ${r.seed}, delivery ${r.delivery})\n\n${r.markdown}\n`);
  return [json, md];
}

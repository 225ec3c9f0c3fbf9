/**
 * `npm run soak -- --hours N [--speed 20] [--sample-s S] [--out DIR]`: the daemon at `speed` times a
 * typical home's field rates for N hours (fractions welcome: 0.05 is 3 minutes), sampled from
 * outside; prints the trend and the SD-card projection, writes soak.json, exits 1 if RSS, heap,
 * file descriptors or handles grow beyond their tolerance (faults/soak/soak.ts), 2 on bad arguments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MB, round } from '../../bench/stats.js';
import { ROOT } from '../../tests/helpers/daemon-process.js';
import { exitOnInterrupt } from '../scenario.js';
import { CONCLUSIVE_WINDOW_S, runSoak } from './soak.js';

const { values } = parseArgs({
  options: {
    hours: { type: 'string', default: '0.25' },
    speed: { type: 'string', default: '20' },
    'sample-s': { type: 'string' },
    out: { type: 'string', default: join(ROOT, '.state/soak') },
  },
  strict: true,
});
const positive = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) { process.stderr.write(`--${name}: expected a positive number, found ${JSON.stringify(raw)}\n`); process.exit(2); }
  return n;
};
const durationS = Math.round(positive('hours', values.hours) * 3600);
const speed = positive('speed', values.speed);
const sampleS = values['sample-s'] === undefined ? undefined : positive('sample-s', values['sample-s']);
const log = (line: string): void => { process.stdout.write(`${line}\n`); };

exitOnInterrupt();
log(`soak: ${durationS} s, a typical home (2 radars) at ${speed}x field rates`);
const r = await runSoak({ durationS, speed, sampleS, log });
const last = r.samples.at(-1);
log(`\ntrend after ${r.warmupS} s of warm-up${r.conclusive ? '' : ` (memory slopes indicative only: window under ${CONCLUSIVE_WINDOW_S} s)`}:`);
log(`  RSS ${r.trend.rssMbPerH} MB/h (now ${round(last?.rssMb ?? Number.NaN, 1)} MB; anonymous ${r.trend.rssAnonMbPerH}, file ${r.trend.rssFileMbPerH}, shmem ${r.trend.rssShmemMbPerH} MB/h), heap ${r.trend.heapMbPerH} MB/h, fds ${r.trend.fdsPerH}/h (growth ${r.growth.fds}), handles ${r.trend.resourcesPerH}/h (growth ${r.growth.resources}), db ${r.trend.dbMbPerH} MB/h`);
log(`  written to storage: ${round(r.sd.bytesPerHourAtSpeed / MB, 2)} MB/h at ${speed}x; projected for a typical home at field rates: ${round(r.sd.projectedFieldBytesPerDay / MB, 1)} MB/day`);
mkdirSync(values.out, { recursive: true });
const file = join(values.out, 'soak.json');
writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
log(`${r.ok ? 'ok' : `FAILED: ${r.failures.join('; ')}`}\nwritten: ${file}`);
process.exit(r.ok ? 0 : 1);

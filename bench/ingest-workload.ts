import { createMr60bha1Driver } from '../src/drivers/seeed-mr60bha1/index.js';
import { prng } from './stats.js';
import { uartChunks } from './radar-mix.js';

/**
 * One home's night as the ingest path sees it: UART chunks from each radar, interleaved in time,
 * and the exact rows those chunks must become in `readings` (for the bare-SQLite baseline and to
 * check that the pipeline really stored them).
 */
export const HOME_RADARS = ['bedroom-radar', 'living-room-radar'] as const;

/** 22:00 UTC: a night; any fixed time works, it only has to be the same for both sides. */
export const T0_MS = Date.UTC(2025, 0, 6, 22, 0, 0);

export type Row = [ts: number, device: string, metric: string, value: number | string];

export interface Workload {
  seconds: number;
  chunks: Array<{ device: number; second: number; bytes: Buffer }>;
  rows: Row[];
  bytes: number;
  /** Sum of the numeric values of `rows` (booleans as 0/1), to check the stored rows, not only their count. */
  valueSum: number;
}

export function buildWorkload(seconds: number, seed = 42): Workload {
  const perDevice = HOME_RADARS.map((_, i) => uartChunks(seconds, prng(seed + i)));
  // Interleave the radars second by second, alternating chunks, as two UARTs read concurrently.
  const chunks: Workload['chunks'] = [];
  const next = perDevice.map(() => 0);
  for (let s = 0; s < seconds; s++) {
    let more = true;
    while (more) {
      more = false;
      perDevice.forEach((list, d) => {
        const c = list[next[d]!];
        if (c && c.second === s) {
          chunks.push({ device: d, second: s, bytes: c.bytes });
          next[d]!++;
          more = true;
        }
      });
    }
  }

  // Decode once, outside any timing, with drivers of our own: the rows the pipeline must produce.
  const drivers = HOME_RADARS.map(() => createMr60bha1Driver());
  const rows: Row[] = [];
  let bytes = 0;
  let valueSum = 0;
  for (const c of chunks) {
    bytes += c.bytes.length;
    for (const m of drivers[c.device]!.push(c.bytes)) {
      const value = typeof m.value === 'boolean' ? Number(m.value) : m.value;
      if (typeof value === 'number') valueSum += value;
      rows.push([T0_MS + c.second * 1000, HOME_RADARS[c.device]!, m.metric, value]);
    }
  }
  return { seconds, chunks, rows, bytes, valueSum };
}

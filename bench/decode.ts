import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from './repo-root.js';
import { serialModels, type SerialModel } from '../src/drivers/registry.js';
import type { BenchContext, BenchResult } from './result.js';
import { MB, median, prng, round } from './stats.js';

/**
 * Decode (issue 4): MB/s through each serial driver of the registry, fed the model's fixture frames
 * repeated to a few MB and cut into 32-64-byte chunks (a UART read), against a bare JavaScript scan
 * of the same chunks (a loop that reads every byte and sums it: the least any decoder must do).
 * Ratio = driver MB/s ÷ bare-scan MB/s. A memchr-style `indexOf` of the header byte over the same
 * chunks is timed too and printed (it is native code, the floor of "looking at" the bytes).
 * No goal is set by issue 4: the verdict is a report, with the headroom over the UART line rate.
 */
const STREAM_BYTES = 4 * MB;
const SLICES = 20;

interface Fixture { cases: Array<{ hex: string; expect?: unknown[] }> }

/** Every fixture frame of a model, concatenated in file order: one period of the stream. */
function fixtureBytes(model: string): Buffer {
  const dir = join(repoRoot(), 'devices', model, 'fixtures');
  const parts: Buffer[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture;
    for (const c of fx.cases) parts.push(Buffer.from(c.hex.replace(/\s+/g, ''), 'hex'));
  }
  if (parts.length === 0) throw new Error(`decode bench: no fixture cases under ${dir}`);
  return Buffer.concat(parts);
}

interface Stream { chunks: Buffer[]; bytes: number; header: number }

function buildStream(period: Buffer, seed: number): Stream {
  const reps = Math.ceil(STREAM_BYTES / period.length);
  const stream = Buffer.concat(Array.from({ length: reps }, () => period));
  const rnd = prng(seed);
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length;) {
    const end = Math.min(stream.length, at + 32 + Math.floor(rnd() * 33));
    // Copies, as a serial port hands out fresh buffers; subarrays would share one backing store.
    chunks.push(Buffer.from(stream.subarray(at, end)));
    at = end;
  }
  return { chunks, bytes: stream.length, header: period[0]! };
}

/** Decodes the chunks [from, to) with `push`; returns the readings. */
function decodeRange(push: (c: Uint8Array) => unknown[], chunks: readonly Buffer[], from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) n += push(chunks[k]!).length;
  return n;
}

let sink = 0; // keeps the bare scans from being optimised away

function sumRange(chunks: readonly Buffer[], from: number, to: number): void {
  let s = 0;
  for (let k = from; k < to; k++) {
    const c = chunks[k]!;
    for (let i = 0; i < c.length; i++) s = (s + c[i]!) | 0;
  }
  sink ^= s;
}

function indexOfRange(chunks: readonly Buffer[], from: number, to: number, header: number): void {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = chunks[k]!;
    for (let i = c.indexOf(header); i !== -1; i = c.indexOf(header, i + 1)) n++;
  }
  sink ^= n;
}

const part = (length: number, i: number, n: number): [number, number] => [Math.floor((length * i) / n), Math.floor((length * (i + 1)) / n)];

/** UART line rate of the model's default baud (8N1: 10 bits a byte), bytes/s. */
const lineBytesPerS = (model: SerialModel): number => serialModels[model]!.defaultBaudRate / 10;

function benchModel(ctx: BenchContext, model: SerialModel, seed: number): BenchResult {
  const s = buildStream(fixtureBytes(model), seed);
  // The readings the stream must decode to, from an untimed pass with its own driver.
  const reference = serialModels[model]!.createDriver();
  const expected = decodeRange((c) => reference.push(c), s.chunks, 0, s.chunks.length);
  if (expected === 0) throw new Error(`${model}: the fixture stream decodes to no reading`);
  // Warm the JIT on all three loops.
  const warm = serialModels[model]!.createDriver();
  decodeRange((c) => warm.push(c), s.chunks, 0, Math.min(s.chunks.length, 5000));
  sumRange(s.chunks, 0, Math.min(s.chunks.length, 5000));
  indexOfRange(s.chunks, 0, Math.min(s.chunks.length, 5000), s.header);

  const ratios: number[] = [];
  const driverRates: number[] = [];
  const sumRates: number[] = [];
  const indexOfRates: number[] = [];
  for (let r = 0; r < ctx.rounds; r++) {
    const driver = serialModels[model]!.createDriver();
    const push = (c: Uint8Array): unknown[] => driver.push(c);
    let decodeMs = 0;
    let sumMs = 0;
    let idxMs = 0;
    let readings = 0;
    for (let i = 0; i < SLICES; i++) {
      const [from, to] = part(s.chunks.length, i, SLICES);
      const sides = [
        () => { const t0 = performance.now(); readings += decodeRange(push, s.chunks, from, to); decodeMs += performance.now() - t0; },
        () => { const t0 = performance.now(); sumRange(s.chunks, from, to); sumMs += performance.now() - t0; },
        () => { const t0 = performance.now(); indexOfRange(s.chunks, from, to, s.header); idxMs += performance.now() - t0; },
      ];
      if (i % 2 === 1) sides.reverse();
      for (const side of sides) side();
    }
    const st = driver.stats();
    if (readings !== expected || st.bytes !== s.bytes) {
      throw new Error(`${model}: decoded ${readings} readings from ${st.bytes} bytes, expected ${expected} from ${s.bytes}`);
    }
    const mbps = (ms: number): number => s.bytes / MB / (ms / 1000);
    driverRates.push(mbps(decodeMs));
    sumRates.push(mbps(sumMs));
    indexOfRates.push(mbps(idxMs));
    ratios.push(sumMs / decodeMs);
    ctx.log(`  decode-${model} round ${r + 1}/${ctx.rounds}: driver ${round(mbps(decodeMs), 1)} MB/s, bare sum ${round(mbps(sumMs), 1)} MB/s, indexOf ${round(mbps(idxMs), 1)} MB/s, ratio ${round(sumMs / decodeMs, 3)}`);
  }
  const ratio = median(ratios);
  const driverMBps = median(driverRates);
  const probe = serialModels[model]!.createDriver();
  decodeRange((c) => probe.push(c), s.chunks, 0, s.chunks.length);
  const st = probe.stats();
  return {
    bench: `decode-${model}`,
    ratio: round(ratio, 3),
    goal: 'none set (report)',
    pass: true,
    details: {
      streamMB: round(s.bytes / MB, 2),
      chunks: s.chunks.length,
      readingsPerRun: expected,
      framesPerRun: st.frames,
      garbageBytesPerRun: st.garbageBytes,
      driverMBps: round(driverMBps, 2),
      driverReadingsPerS: Math.round((expected / s.bytes) * driverMBps * MB),
      bareSumMBps: round(median(sumRates), 1),
      bareIndexOfMBps: round(median(indexOfRates), 1),
      ratioVsIndexOf: round(driverMBps / median(indexOfRates), 4),
      ratioMin: round(Math.min(...ratios), 3),
      ratioMax: round(Math.max(...ratios), 3),
      uartHeadroom: `${Math.round((driverMBps * MB) / lineBytesPerS(model))}x the ${serialModels[model]!.defaultBaudRate}-baud line rate`,
      rounds: ctx.rounds,
    },
  };
}

export function benchDecode(ctx: BenchContext): BenchResult[] {
  return (Object.keys(serialModels) as SerialModel[]).map((m, i) => benchModel(ctx, m, 1000 + i));
}

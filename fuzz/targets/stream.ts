import fc from 'fast-check';
import type { Measurement } from '../../src/core/reading.js';
import type { FrameProtocol, FrameScanner } from '../../src/drivers/frame-scanner.js';
import { check, type FuzzTarget } from '../target.js';

/**
 * The properties every serial framer (src/drivers/frame-scanner.ts) and its decoder must hold, for
 * any protocol: given a model's framer, decoder and a generator of valid frames built with the
 * model's own spec-level encoder.
 */
export interface StreamSpec<F> {
  name: string;
  covers: string[];
  framer(): FrameScanner<F>;
  decode(frame: F): Measurement[] | null;
  /** Valid frames as the device sends them, from the encoder of the model's framer. */
  validFrame: fc.Arbitrary<Buffer>;
  /** The bytes headers are made of: garbage made of these opens many false candidates. */
  headerBytes: readonly number[];
  /** The longest frame the framer accepts: the carried-over buffer must stay below twice that. */
  maxFrameLen: number;
  /**
   * Header length, for a protocol without trailer whose frame can end on any byte (MR60BHA2): a cut
   * frame whose length ends inside the next frame's header, with its checksum matching by chance
   * (1 in 256), is accepted while that header is split by a read, and the next frame is lost
   * (src/drivers/frame-scanner.ts `inner`: waiting there would delay every frame whose last bytes
   * hold a start byte). Absent: no loss is excused.
   */
  splitHeaderLoss?: number;
}

/** The first expected frame (by key) missing from `got` in order, or null. */
function firstLost(got: readonly unknown[], expected: readonly string[]): string | null {
  const keys = got.map(key);
  let k = 0;
  for (const e of expected) {
    while (k < keys.length && keys[k] !== e) k++;
    if (k >= keys.length) return e;
    k++;
  }
  return null;
}

type Part = { kind: 'valid' | 'garbage'; bytes: Buffer };

/** Garbage of every kind a UART line produces: noise, header-like bytes, cut and damaged frames. */
function garbage(spec: StreamSpec<unknown>): fc.Arbitrary<Buffer> {
  const b = (a: fc.Arbitrary<Uint8Array | number[]>) => a.map((x) => Buffer.from(x));
  return fc.oneof(
    b(fc.uint8Array({ maxLength: 64 })),
    b(fc.uint8Array({ minLength: 200, maxLength: 700 })),
    b(fc.array(fc.oneof(fc.constantFrom(...spec.headerBytes), fc.integer({ min: 0, max: 255 })), { maxLength: 48 })),
    // A frame cut short (bytes lost, adapter unplugged mid-frame).
    fc.tuple(spec.validFrame, fc.nat()).map(([f, n]) => f.subarray(0, n % f.length)),
    // A frame with one byte damaged.
    fc.tuple(spec.validFrame, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([f, at, x]) => {
      const d = Buffer.from(f);
      d[at % d.length]! ^= x;
      return d;
    }),
  );
}

const key = (frame: unknown): string => JSON.stringify(frame);

function isMeasurement(m: Measurement): boolean {
  const v = m.value;
  return typeof m.metric === 'string' && m.metric.length > 0
    && (typeof v === 'boolean' || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
}

/**
 * Counts the protocol's `inspect` calls of one framer: the work bound. A scan that re-inspects
 * the same bytes over and over (quadratic, or a loop that does not advance) fails with its input.
 */
function countInspections<F>(framer: FrameScanner<F>): { calls: number } {
  const counter = { calls: 0 };
  const holder = framer as unknown as { protocol: FrameProtocol<F> };
  const p = holder.protocol;
  holder.protocol = { findStart: (b, f) => p.findStart(b, f), inspect: (b, at) => { counter.calls++; return p.inspect(b, at); } };
  return counter;
}
const pendingOf = (framer: FrameScanner<unknown>): number => (framer as unknown as { pending: Buffer }).pending.length;

export function streamTarget<F>(spec: StreamSpec<F>): FuzzTarget {
  return {
    name: spec.name,
    covers: spec.covers,
    holds: 'never throws on bytes; carried-over buffer < twice the longest frame after every read; inspections bounded per byte; '
      + 'stats count every byte and frame; every valid frame, after any garbage and cut into any reads, comes out whole and in order; '
      + 'each valid frame alone decodes to exactly itself; decoded values are finite',
    property: () => fc.property(
      fc.array(fc.oneof(
        { weight: 3, arbitrary: spec.validFrame.map((bytes): Part => ({ kind: 'valid', bytes })) },
        { weight: 2, arbitrary: garbage(spec as StreamSpec<unknown>).map((bytes): Part => ({ kind: 'garbage', bytes })) },
      ), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 96 }), { minLength: 1, maxLength: 8 }),
      (parts, reads) => {
        // Round trip: each valid frame alone is one frame. Bytes that cannot start a header follow it:
        // a checked header inside a frame (a start byte whose next bytes pass the header checks by
        // chance, ~1 in 65,536 MR60BHA2 frames) makes it wait for them (src/drivers/frame-scanner.ts).
        const flush = Buffer.alloc(2 * spec.maxFrameLen);
        const expected: string[] = [];
        for (const p of parts) {
          if (p.kind !== 'valid') continue;
          const f = spec.framer();
          const alone = [...f.push(p.bytes), ...f.push(flush)];
          check(alone.length === 1, `a valid frame alone gives one frame, got ${alone.length}: ${p.bytes.toString('hex')}`);
          expected.push(key(alone[0]));
        }
        // Garbage that cannot start a header pushes out whatever candidate is still open.
        const stream = Buffer.concat([...parts.map((p) => p.bytes), flush]);
        const framer = spec.framer();
        const work = countInspections(framer);
        const got: F[] = [];
        let pushed = 0;
        for (let at = 0, r = 0; at < stream.length; r++) {
          const chunk = stream.subarray(at, at + reads[r % reads.length]!);
          const before = pendingOf(framer as FrameScanner<unknown>);
          const callsBefore = work.calls;
          const frames = framer.push(chunk);
          got.push(...frames);
          at += chunk.length;
          pushed += chunk.length;
          const scanned = before + chunk.length;
          check(work.calls - callsBefore <= 3 * scanned + 2, `inspections ${work.calls - callsBefore} for ${scanned} bytes scanned`);
          check(pendingOf(framer as FrameScanner<unknown>) < 2 * spec.maxFrameLen, `carried-over ${pendingOf(framer as FrameScanner<unknown>)} bytes >= 2 x ${spec.maxFrameLen}`);
        }
        const st = framer.stats();
        check(st.bytes === pushed, `stats.bytes ${st.bytes} != ${pushed}`);
        check(st.frames === got.length, `stats.frames ${st.frames} != ${got.length}`);
        for (const f of got) {
          const ms = spec.decode(f);
          check(ms === null || ms.every(isMeasurement), `decoded values: ${JSON.stringify(ms)}`);
        }
        // Resync: the valid frames come out in order (garbage may add frames of its own, e.g. a
        // damaged byte in a protocol without checksum is another valid frame). Strict when the whole
        // stream comes in one read, and in any reads for protocols with a trailer.
        const lost = firstLost(got, expected);
        const whole = spec.framer().push(stream);
        check(firstLost(whole, expected) === null, `valid frame ${firstLost(whole, expected)} lost after garbage (one read of ${stream.length} bytes)`);
        if (lost === null) return;
        // The one loss a protocol without trailer may have (spec.splitHeaderLoss): a cut frame whose
        // length ends inside the next frame's header while that header is split by a read. Excused
        // only if the same reads with no boundary inside a valid frame's header lose nothing.
        check(spec.splitHeaderLoss !== undefined, `valid frame ${lost} lost after garbage in reads of ${reads.join(', ')} bytes`);
        const starts: number[] = [];
        let off = 0;
        for (const p of parts) { if (p.kind === 'valid') starts.push(off); off += p.bytes.length; }
        const f2 = spec.framer();
        const got2: F[] = [];
        for (let at = 0, r = 0; at < stream.length; r++) {
          let end = Math.min(stream.length, at + reads[r % reads.length]!);
          const split = starts.find((st0) => st0 < end && end < st0 + spec.splitHeaderLoss!);
          if (split !== undefined) end = split + spec.splitHeaderLoss!;
          got2.push(...f2.push(stream.subarray(at, end)));
          at = end;
        }
        check(firstLost(got2, expected) === null, `valid frame ${lost} lost after garbage, also with no read splitting a header`);
      },
    ),
  };
}

import { emptyDriverStats, type DriverStats } from './types.js';

/**
 * The streaming part every serial framer shares: buffer the bytes of a frame split across reads,
 * skip noise up to the next possible header, and count what happened in `DriverStats`.
 * Each protocol only says where a frame may start (`findStart`) and what the bytes at that start
 * are (`inspect`); see seeed-mr60bha1/framer.ts for the smallest example.
 *
 * Guarantees, whatever the protocol:
 * - never throws on input bytes;
 * - after any rejected candidate the search resumes one byte after its start, so a valid frame
 *   hidden behind a false header is found;
 * - the carried-over buffer stays below twice the protocol's longest frame, because `inspect` may
 *   only answer `incomplete` while the candidate could still fit its length bound (twice: a
 *   candidate may wait for a frame that starts inside it, below);
 * - a candidate that verifies but has another whole, verified frame starting inside it is a false
 *   frame and is rejected (a framing error), so the frame inside comes out; while a frame starting
 *   inside it has a checked header but not all its bytes yet, the candidate waits (see `inner`).
 */
export type Inspection<F> =
  /** A whole, verified frame of `length` bytes starts here. */
  | { readonly kind: 'frame'; readonly length: number; readonly frame: F }
  /**
   * Cannot tell yet: the candidate is a prefix of a frame; wait for more bytes. `headerChecked`:
   * its header passed every check the protocol has for one; only the body is still to come.
   */
  | { readonly kind: 'incomplete'; readonly headerChecked?: boolean }
  /** Not a header at all (e.g. a lone sync byte in noise): skipped and counted as garbage only. */
  | { readonly kind: 'not-a-header' }
  /** Looked like a frame but failed a check: skipped, and counted in the named counter. */
  | { readonly kind: 'rejected'; readonly counter: 'checksumErrors' | 'framingErrors' };

export interface FrameProtocol<F> {
  /** Index of the first byte at or after `from` where a frame could start, or -1. */
  findStart(buf: Buffer, from: number): number;
  /** What the bytes at `at` are. `buf` may end anywhere after `at`. */
  inspect(buf: Buffer, at: number): Inspection<F>;
}

export const INCOMPLETE = { kind: 'incomplete' } as const;
/** The header checked out (and its length is possible); the rest of the frame is still to come. */
export const BODY_PENDING = { kind: 'incomplete', headerChecked: true } as const;
export const NOT_A_HEADER = { kind: 'not-a-header' } as const;
export const CHECKSUM_ERROR = { kind: 'rejected', counter: 'checksumErrors' } as const;
export const FRAMING_ERROR = { kind: 'rejected', counter: 'framingErrors' } as const;

export class FrameScanner<F> {
  /** Bytes of a frame (or candidate) that has not fully arrived yet. */
  private pending: Buffer = Buffer.alloc(0);
  private readonly counters: DriverStats = emptyDriverStats();

  constructor(private readonly protocol: FrameProtocol<F>) {}

  stats(): Readonly<DriverStats> {
    return this.counters;
  }

  /** Count a valid frame the framer passed up but the decoder could not use. */
  countUnknown(): void {
    this.counters.unknownFrames++;
  }

  push(chunk: Uint8Array): F[] {
    const c = this.counters;
    const { protocol } = this;
    c.bytes += chunk.length;
    const buf = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: F[] = [];
    let i = 0;
    let skipFrom = -1; // start of a run of skipped bytes, for resync counting

    const skip = (to: number): void => {
      if (skipFrom < 0) skipFrom = i;
      i = to;
    };
    const endSkip = (): void => {
      if (skipFrom >= 0 && i > skipFrom) {
        c.resyncs++;
        c.garbageBytes += i - skipFrom;
      }
      skipFrom = -1;
    };

    scan: while (i < buf.length) {
      const at = protocol.findStart(buf, i);
      if (at < 0) {
        skip(buf.length);
        break;
      }
      if (at > i) skip(at);
      const r = protocol.inspect(buf, i);
      switch (r.kind) {
        case 'incomplete':
          break scan; // the rest waits for the next chunk
        case 'not-a-header':
          skip(i + 1);
          break;
        case 'rejected':
          c[r.counter]++;
          skip(i + 1);
          break;
        case 'frame': {
          const inner = this.inner(buf, i, r.length);
          if (inner === 'frame') {
            c.framingErrors++;
            skip(i + 1);
            break;
          }
          if (inner === 'pending') break scan; // decided when that frame is whole
          endSkip();
          frames.push(r.frame);
          c.frames++;
          i += r.length;
          break;
        }
      }
    }
    // Bytes skipped so far count as one resync now; what is left waits for the next chunk.
    endSkip();
    this.pending = i >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(i));
    return frames;
  }

  /**
   * What starts inside the verified candidate [at, at + length): a whole, verified frame, a frame
   * whose header checked out but whose body has not all arrived ('pending'), or nothing.
   *
   * A frame inside means the candidate is not a frame but the start of one cut short (bytes lost on
   * the line, a module reset mid-frame) glued to the frames after it: its length field, read from
   * the cut frame, ends on a later frame's trailer or checksum, which verifies. The LD2410 has no
   * checksum, so a cut engineering report followed by a basic report always passed and the basic
   * report was lost (issue 17, found by `npm run fuzz`); with an 8-bit checksum (MR60BHA1/2) one such
   * cut in 256 did the same, decoding bytes of two frames as one. A real frame holding a whole
   * verified frame (or a checked header) in its payload is far rarer (the LD2410's payload cannot
   * hold its 4-byte header at all), so the inner frame wins; while it is 'pending' the candidate
   * waits for the next read (only then: a header split by the read is not waited for, so a frame
   * whose last bytes merely contain a start byte is never delayed). Cost: one more look at each
   * start byte inside a frame.
   */
  private inner(buf: Buffer, at: number, length: number): 'frame' | 'pending' | null {
    const { protocol } = this;
    let pending = false;
    for (let j = protocol.findStart(buf, at + 1); j >= 0 && j < at + length; j = protocol.findStart(buf, j + 1)) {
      const r = protocol.inspect(buf, j);
      if (r.kind === 'frame') return 'frame';
      if (r.kind === 'incomplete' && r.headerChecked === true) pending = true;
    }
    return pending ? 'pending' : null;
  }
}

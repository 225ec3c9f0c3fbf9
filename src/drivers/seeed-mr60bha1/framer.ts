import { BODY_PENDING, CHECKSUM_ERROR, FRAMING_ERROR, FrameScanner, INCOMPLETE, NOT_A_HEADER, type FrameProtocol } from '../frame-scanner.js';

/**
 * Streaming framer for the Seeed/MicRadar "53 59" UART protocol (MR60BHA1, R60ABD1 family):
 *
 *   53 59 | ctrl | cmd | len (u16 BE) | data[len] | sum | 54 43
 *
 * sum = low byte of the sum of every byte before it (header included).
 * Source: Seeed MR60BHA1 user manual, "UART protocol" (frame structure, check code).
 *
 * The framer never throws: noise between frames, frames split across chunks and corrupted
 * frames are skipped and counted. After any rejection it resumes the search one byte after the
 * rejected header, so a valid frame hidden behind a false header is never lost.
 */
export interface RadarFrame {
  readonly ctrl: number;
  readonly cmd: number;
  readonly data: Buffer;
}

const HEADER_0 = 0x53;
const HEADER_1 = 0x59;
const TRAILER_0 = 0x54;
const TRAILER_1 = 0x43;
/** header(2) + ctrl + cmd + len(2) */
const PREFIX_LEN = 6;
/** sum + trailer(2) */
const SUFFIX_LEN = 3;
/**
 * The longest payload in the manual is a few dozen bytes (night summary); anything much longer is
 * a corrupted length field and would make us wait for bytes that never come.
 */
export const MAX_DATA_LEN = 256;

export function checksum(bytes: Uint8Array, end: number, start = 0): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i]!;
  return sum & 0xff;
}

/** Builds a frame: used by fixtures, the demo's simulated home and (later) commands to the module. */
export function encodeFrame(ctrl: number, cmd: number, data: Uint8Array | readonly number[] = []): Buffer {
  const len = data.length;
  const out = Buffer.alloc(PREFIX_LEN + len + SUFFIX_LEN);
  out[0] = HEADER_0;
  out[1] = HEADER_1;
  out[2] = ctrl & 0xff;
  out[3] = cmd & 0xff;
  out.writeUInt16BE(len, 4);
  for (let i = 0; i < len; i++) out[PREFIX_LEN + i] = data[i]! & 0xff;
  out[PREFIX_LEN + len] = checksum(out, PREFIX_LEN + len);
  out[PREFIX_LEN + len + 1] = TRAILER_0;
  out[PREFIX_LEN + len + 2] = TRAILER_1;
  return out;
}

/** Where a "53 59" frame may start and whether the bytes there are one; the scanning is shared. */
const protocol: FrameProtocol<RadarFrame> = {
  findStart: (buf, from) => buf.indexOf(HEADER_0, from),
  inspect(buf, i) {
    if (buf.length - i < PREFIX_LEN) return INCOMPLETE; // header may be complete later
    if (buf[i + 1] !== HEADER_1) return NOT_A_HEADER;
    const len = buf.readUInt16BE(i + 4);
    if (len > MAX_DATA_LEN) return FRAMING_ERROR;
    const total = PREFIX_LEN + len + SUFFIX_LEN;
    if (buf.length - i < total) return BODY_PENDING; // header checked; wait for the rest of the frame
    const sumAt = i + PREFIX_LEN + len;
    if (buf[sumAt + 1] !== TRAILER_0 || buf[sumAt + 2] !== TRAILER_1) return FRAMING_ERROR;
    if (checksum(buf, sumAt, i) !== buf[sumAt]) return CHECKSUM_ERROR;
    const frame = { ctrl: buf[i + 2]!, cmd: buf[i + 3]!, data: Buffer.from(buf.subarray(i + PREFIX_LEN, sumAt)) };
    return { kind: 'frame', length: total, frame };
  },
};

export class Mr60Framer extends FrameScanner<RadarFrame> {
  constructor() {
    super(protocol);
  }
}

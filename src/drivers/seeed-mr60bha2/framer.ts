import { BODY_PENDING, CHECKSUM_ERROR, FRAMING_ERROR, FrameScanner, INCOMPLETE, NOT_A_HEADER, type FrameProtocol } from '../frame-scanner.js';

/**
 * Streaming framer for the Seeed MR60BHA2 "tiny frame" UART protocol:
 *
 *   SOF 01 | id (u16 BE) | len (u16 BE) | type (u16 BE) | head_cksum | data[len] | data_cksum
 *
 * head_cksum = ~(xor of the 7 bytes before it); data_cksum = ~(xor of the data bytes).
 * There is no trailer. Sources: Seeed's Arduino library (Seeed_Arduino_mmWave, SeeedmmWave.cpp:
 * frame layout, checksum, host frame ids from 0x8000) and ESPHome's seeed_mr60bha2 component;
 * see devices/seeed-mr60bha2/README.md.
 *
 * The start byte 01 is common in noise and in payloads, so the header checksum is what tells a
 * header from noise: a 01 whose header checksum fails is skipped as garbage, not counted as a
 * checksum error (otherwise `checksumErrors` would count noise, not line damage). A header that
 * passes but announces an impossible length is a framing error; a bad data checksum behind a good
 * header is a checksum error. After any rejection the search resumes at the next byte.
 */
export interface TinyFrame {
  /** Frame id, echoed by the module; not used for decoding. */
  readonly id: number;
  readonly type: number;
  readonly data: Buffer;
}

const SOF = 0x01;
/** sof + id(2) + len(2) + type(2): the bytes covered by the header checksum */
const HEAD_LEN = 7;
/** head(7) + head_cksum */
const PREFIX_LEN = HEAD_LEN + 1;
/** data_cksum */
const SUFFIX_LEN = 1;
/**
 * The longest payload seen is the 3-target point cloud (0x0A04: 4 + 3 × 16 = 52 bytes); a larger
 * length is a corrupted header that would make us wait for bytes that never come.
 */
export const MAX_DATA_LEN = 256;

/** ~(xor of bytes[start, end)) as a byte. */
export function xorChecksum(bytes: Uint8Array, end: number, start = 0): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return ~x & 0xff;
}

/**
 * Builds a frame: used by fixtures, tests, a simulated home and (later) commands to the module.
 * `id` defaults to 0, as in the vectors; the module's own frames carry a running id.
 */
export function encodeFrame(type: number, data: Uint8Array | readonly number[] = [], id = 0): Buffer {
  const len = data.length;
  const out = Buffer.alloc(PREFIX_LEN + len + SUFFIX_LEN);
  out[0] = SOF;
  out.writeUInt16BE(id & 0xffff, 1);
  out.writeUInt16BE(len, 3);
  out.writeUInt16BE(type & 0xffff, 5);
  out[HEAD_LEN] = xorChecksum(out, HEAD_LEN);
  for (let i = 0; i < len; i++) out[PREFIX_LEN + i] = data[i]! & 0xff;
  out[PREFIX_LEN + len] = xorChecksum(out, PREFIX_LEN + len, PREFIX_LEN);
  return out;
}

const protocol: FrameProtocol<TinyFrame> = {
  findStart: (buf, from) => buf.indexOf(SOF, from),
  inspect(buf, i) {
    if (buf.length - i < PREFIX_LEN) return INCOMPLETE; // header may be complete later
    if (xorChecksum(buf, i + HEAD_LEN, i) !== buf[i + HEAD_LEN]) return NOT_A_HEADER;
    const len = buf.readUInt16BE(i + 3);
    if (len > MAX_DATA_LEN) return FRAMING_ERROR;
    const total = PREFIX_LEN + len + SUFFIX_LEN;
    if (buf.length - i < total) return BODY_PENDING; // header checked; wait for the rest of the frame
    const dataAt = i + PREFIX_LEN;
    if (xorChecksum(buf, dataAt + len, dataAt) !== buf[dataAt + len]) return CHECKSUM_ERROR;
    const frame = {
      id: buf.readUInt16BE(i + 1),
      type: buf.readUInt16BE(i + 5),
      data: Buffer.from(buf.subarray(dataAt, dataAt + len)),
    };
    return { kind: 'frame', length: total, frame };
  },
};

export class Mr60bha2Framer extends FrameScanner<TinyFrame> {
  constructor() {
    super(protocol);
  }
}

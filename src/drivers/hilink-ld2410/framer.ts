import { BODY_PENDING, FRAMING_ERROR, FrameScanner, INCOMPLETE, NOT_A_HEADER, type FrameProtocol } from '../frame-scanner.js';

/**
 * Streaming framer for the Hi-Link HLK-LD2410 UART protocol. Two kinds of frame share the line:
 *
 *   report (radar → host):  F4 F3 F2 F1 | len (u16 LE) | type | AA | ... | 55 00 | F8 F7 F6 F5
 *   command / ACK:          FD FC FB FA | len (u16 LE) | word (u16 LE) | value ... | 04 03 02 01
 *
 * `len` counts the bytes between the length field and the trailer. Neither kind has a checksum
 * (Hi-Link "HLK-LD2410 Serial communication protocol" V1.02, §2.1), so the 4-byte header and
 * trailer, the length bound and, for reports, the inner head AA and tail 55 00 are the only
 * checks: a candidate failing one is a framing error. ACKs (answers to our commands) are valid
 * frames that carry no reading: the driver counts them in `unknownFrames`, never as errors.
 */
export type FrameKind = 'report' | 'command';

export type Ld2410Frame =
  /** Everything between the length field and the trailer: type, AA, target data, 55, 00. */
  | { readonly kind: 'report'; readonly payload: Buffer }
  /** A command (host → radar) or its ACK (word | 0x0100); `value` follows the word. */
  | { readonly kind: 'command'; readonly word: number; readonly value: Buffer };

const MARKERS: Record<FrameKind, { readonly header: readonly number[]; readonly trailer: readonly number[] }> = {
  report: { header: [0xf4, 0xf3, 0xf2, 0xf1], trailer: [0xf8, 0xf7, 0xf6, 0xf5] },
  command: { header: [0xfd, 0xfc, 0xfb, 0xfa], trailer: [0x04, 0x03, 0x02, 0x01] },
};
/** header(4) + len(2) */
const PREFIX_LEN = 6;
const TRAILER_LEN = 4;
export const REPORT_HEAD = 0xaa;
export const REPORT_TAIL = 0x55;
/** The byte after 55, called "check" or "calibration" in the protocol document: always 00. */
export const REPORT_CHECK = 0x00;
/** Shortest payloads: a report is type, AA, 55, 00; a command is its word. */
const MIN_LEN: Record<FrameKind, number> = { report: 4, command: 2 };
/**
 * The longest frames are the engineering report (35 bytes with the light level and OUT pin) and
 * the parameter-read ACK (28 bytes); anything much longer is a corrupted length field.
 */
export const MAX_DATA_LEN = 64;

/** Wraps a payload in the header, length and trailer of its kind. */
export function encodeFrame(kind: FrameKind, payload: Uint8Array | readonly number[]): Buffer {
  const { header, trailer } = MARKERS[kind];
  const out = Buffer.alloc(PREFIX_LEN + payload.length + TRAILER_LEN);
  out.set(header, 0);
  out.writeUInt16LE(payload.length, 4);
  for (let i = 0; i < payload.length; i++) out[PREFIX_LEN + i] = payload[i]! & 0xff;
  out.set(trailer, PREFIX_LEN + payload.length);
  return out;
}

function kindAt(byte: number | undefined): FrameKind | undefined {
  if (byte === MARKERS.report.header[0]) return 'report';
  if (byte === MARKERS.command.header[0]) return 'command';
  return undefined;
}

/** Whether `expected` stands at `at` (only the bytes already received are compared). */
function matches(buf: Buffer, at: number, expected: readonly number[]): boolean {
  const n = Math.min(expected.length, buf.length - at);
  for (let k = 0; k < n; k++) if (buf[at + k] !== expected[k]) return false;
  return true;
}

const protocol: FrameProtocol<Ld2410Frame> = {
  findStart(buf, from) {
    for (let i = from; i < buf.length; i++) if (kindAt(buf[i]) !== undefined) return i;
    return -1;
  },
  inspect(buf, i) {
    const kind = kindAt(buf[i])!;
    const { header, trailer } = MARKERS[kind];
    if (!matches(buf, i, header)) return NOT_A_HEADER;
    if (buf.length - i < PREFIX_LEN) return INCOMPLETE; // header may be complete later
    const len = buf.readUInt16LE(i + 4);
    if (len < MIN_LEN[kind] || len > MAX_DATA_LEN) return FRAMING_ERROR;
    const total = PREFIX_LEN + len + TRAILER_LEN;
    if (buf.length - i < total) return BODY_PENDING; // header checked; wait for the rest of the frame
    const payloadAt = i + PREFIX_LEN;
    const end = payloadAt + len;
    if (!matches(buf, end, trailer)) return FRAMING_ERROR;
    if (kind === 'command') {
      const frame = { kind, word: buf.readUInt16LE(payloadAt), value: Buffer.from(buf.subarray(payloadAt + 2, end)) };
      return { kind: 'frame', length: total, frame };
    }
    if (buf[payloadAt + 1] !== REPORT_HEAD || buf[end - 2] !== REPORT_TAIL || buf[end - 1] !== REPORT_CHECK) {
      return FRAMING_ERROR;
    }
    return { kind: 'frame', length: total, frame: { kind, payload: Buffer.from(buf.subarray(payloadAt, end)) } };
  },
};

export class Ld2410Framer extends FrameScanner<Ld2410Frame> {
  constructor() {
    super(protocol);
  }
}

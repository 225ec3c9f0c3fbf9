import { crc16Modbus } from './crc16.js';

/** The answer the master waits for: from this unit, to this function, of this length if normal. */
export interface RtuExpectation {
  unitId: number;
  functionCode: number;
  /** Bytes of a normal response, CRC included (read registers: 5 + 2 * count). */
  length: number;
}

export interface RtuLineCounters {
  /** Candidate responses (right unit, function and byte count) whose CRC-16 did not match. */
  crcErrors: number;
  /** Bytes that were not part of the awaited response: noise, late answers, other traffic. */
  garbageBytes: number;
}

/** Never hold more than this; a response is at most 256 bytes (Modbus over Serial Line, 2.5.1). */
const MAX_BUFFER = 512;

/**
 * Finds the awaited response in the bytes coming off an RS-485 line. Pure, no I/O, never throws.
 *
 * RTU frames have no start byte, so after noise or a late answer from a unit we gave up on, the
 * response can start anywhere. We try every offset where the unit id, function code (or its
 * exception form) and, for reads, the byte count match, and accept the first candidate whose CRC
 * holds. A candidate with a bad CRC is counted and skipped, not reported as the answer: a frame
 * with a bad CRC is discarded (Modbus over Serial Line v1.02, 2.5.1.2), and garbage that merely
 * looks like a header must not cost a request. A corrupted real answer therefore ends in the
 * request's timeout, which the link reports as a CRC fault because this framer saw one.
 *
 * Limit of RTU itself: an answer carries no register address, so a unit that answers after its
 * timeout, while we already wait for its answer to a different read with the same function and
 * length, cannot be told apart. Bytes before each request are dropped, other units are told apart
 * by their unit id, and a retry asks the same question again, so this needs a profile with two
 * equal-sized blocks of one function and a unit slower than its timeout: raise that unit's timeout.
 */
export class RtuResponseFramer {
  private buf = Buffer.alloc(0);
  private expected: RtuExpectation | null = null;
  /** Offsets in `buf` already found complete with a bad CRC, so each is counted once. */
  private rejected = new Set<number>();
  private crcErrorsThisRequest = 0;
  private readonly c: RtuLineCounters = { crcErrors: 0, garbageBytes: 0 };

  /** A request went out: whatever was buffered is not its answer. */
  expect(e: RtuExpectation): void {
    this.dropAll();
    this.expected = e;
    this.crcErrorsThisRequest = 0;
  }

  /** Stop waiting (timeout, close): later bytes are garbage. */
  cancel(): void {
    this.dropAll();
    this.expected = null;
  }

  /** True when a candidate for the current request failed its CRC. */
  sawCrcError(): boolean {
    return this.crcErrorsThisRequest > 0;
  }

  counters(): Readonly<RtuLineCounters> {
    return this.c;
  }

  /** Feeds received bytes; returns the awaited response (CRC checked) once it is complete. */
  push(chunk: Uint8Array): Buffer | null {
    if (!this.expected) {
      this.c.garbageBytes += chunk.length;
      return null;
    }
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_BUFFER) {
      const drop = this.buf.length - MAX_BUFFER;
      this.c.garbageBytes += drop;
      this.buf = this.buf.subarray(drop);
      this.rejected = new Set([...this.rejected].map((o) => o - drop).filter((o) => o >= 0));
    }
    const e = this.expected;
    for (let i = 0; i + 1 < this.buf.length; i++) {
      if (this.buf[i] !== e.unitId || this.rejected.has(i)) continue;
      const fc = this.buf[i + 1]!;
      let len: number;
      if (fc === e.functionCode) {
        // Reads carry a byte count; a mismatch means this is not our answer (or is noise).
        if ((fc === 3 || fc === 4) && i + 2 < this.buf.length && this.buf[i + 2] !== e.length - 5) continue;
        len = e.length;
      } else if (fc === (e.functionCode | 0x80)) {
        len = 5;
      } else continue;
      if (i + len > this.buf.length) continue; // incomplete: a later offset may still be complete
      const crc = this.buf[i + len - 2]! | (this.buf[i + len - 1]! << 8);
      if (crc !== crc16Modbus(this.buf, i, i + len - 2)) {
        this.rejected.add(i);
        this.c.crcErrors++;
        this.crcErrorsThisRequest++;
        continue;
      }
      const frame = Buffer.from(this.buf.subarray(i, i + len));
      this.c.garbageBytes += this.buf.length - len;
      this.buf = Buffer.alloc(0);
      this.rejected.clear();
      this.expected = null;
      return frame;
    }
    return null;
  }

  private dropAll(): void {
    this.c.garbageBytes += this.buf.length;
    this.buf = Buffer.alloc(0);
    this.rejected.clear();
  }
}

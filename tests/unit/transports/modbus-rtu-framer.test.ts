/** The RTU response framer: finds the awaited answer in noise, by CRC, and counts what it drops. */
import { describe, expect, it } from 'vitest';
import { crc16Modbus } from '../../../src/transports/modbus/crc16.js';
import { RtuResponseFramer } from '../../../src/transports/modbus/rtu-response-framer.js';
import { withCrc } from '../../helpers/modbus-rtu-slave.js';
import { prng, randomBytes } from '../../helpers/prng.js';

const answer = withCrc([0x02, 0x03, 0x04, 0x00, 0x7d, 0x02, 0x01]); // unit 2, FC3, two words
const expect2 = { unitId: 2, functionCode: 3, length: 9 };

describe('RTU response framer', () => {
  it('computes the CRC-16/MODBUS check value', () => {
    expect(crc16Modbus(Buffer.from('123456789'))).toBe(0x4b37);
  });

  it('finds an answer fed byte by byte', () => {
    const f = new RtuResponseFramer();
    f.expect(expect2);
    const out = [...answer].map((b) => f.push(Uint8Array.of(b)));
    expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(out.at(-1)).toEqual(answer);
    expect(f.counters()).toEqual({ crcErrors: 0, garbageBytes: 0 });
  });

  it('finds it after noise, including a false header that fails its CRC', () => {
    const f = new RtuResponseFramer();
    f.expect(expect2);
    const falseHeader = Buffer.from([0x02, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00]);
    expect(f.push(Buffer.concat([Buffer.from([0x11, 0x22]), falseHeader, answer]))).toEqual(answer);
    expect(f.counters().crcErrors).toBe(1);
    expect(f.counters().garbageBytes).toBe(2 + falseHeader.length);
    expect(f.sawCrcError()).toBe(true);
  });

  it('takes an exception answer of the awaited unit and function', () => {
    const f = new RtuResponseFramer();
    f.expect(expect2);
    const ex = withCrc([0x02, 0x83, 0x02]);
    expect(f.push(ex)).toEqual(ex);
  });

  it('ignores other units, wrong byte counts, and bytes from before the request', () => {
    const f = new RtuResponseFramer();
    f.push(answer); // nobody asked: a late answer
    f.expect(expect2);
    expect(f.push(withCrc([0x01, 0x03, 0x04, 0, 1, 0, 2]))).toBeNull(); // unit 1
    expect(f.push(withCrc([0x02, 0x03, 0x02, 0, 1]))).toBeNull(); // 1 register, 2 were asked
    expect(f.push(answer)).toEqual(answer);
    expect(f.counters().crcErrors).toBe(0);
    expect(f.counters().garbageBytes).toBe(answer.length + 9 + 7);
  });

  it('never loses the answer in seeded random noise', () => {
    const rand = prng(4);
    for (let i = 0; i < 500; i++) {
      const f = new RtuResponseFramer();
      f.expect(expect2);
      const stream = Buffer.concat([randomBytes(rand, Math.floor(rand() * 40)), answer, randomBytes(rand, Math.floor(rand() * 10))]);
      let got: Buffer | null = null;
      for (let at = 0; at < stream.length && !got;) {
        const n = 1 + Math.floor(rand() * 8);
        got = f.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(got).toEqual(answer);
    }
  });
});

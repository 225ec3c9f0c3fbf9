import fc from 'fast-check';
import { RtuResponseFramer, type RtuExpectation } from '../../src/transports/modbus/rtu-response-framer.js';
import { crc16Modbus } from '../../src/transports/modbus/crc16.js';
import { decodeModbusProfile } from '../../src/drivers/modbus-profile/decode.js';
import type { RegisterRead } from '../../src/drivers/modbus-profile/read-plan.js';
import { modbusModels } from '../../src/drivers/modbus-registry.js';
import { check, type FuzzTarget } from '../target.js';

/** An RTU frame: the bytes, then their CRC-16 low byte first (Modbus over Serial Line 2.5.1.2). */
export function rtuFrame(body: readonly number[]): Buffer {
  const b = Buffer.alloc(body.length + 2);
  b.set(body.map((x) => x & 0xff));
  b.writeUInt16LE(crc16Modbus(b, 0, body.length), body.length);
  return b;
}

/** MAX_BUFFER of the framer: it never holds more. */
const MAX_HELD = 512;

const expectation = fc.record({ unitId: fc.integer({ min: 1, max: 247 }), functionCode: fc.constantFrom(3, 4), count: fc.integer({ min: 1, max: 125 }) });
type Exp = { unitId: number; functionCode: number; count: number };
const answer = (e: Exp, words: readonly number[]): Buffer =>
  rtuFrame([e.unitId, e.functionCode, 2 * e.count, ...words.flatMap((w) => [w >> 8, w & 0xff])]);
const wordsFor = (e: Exp) => fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: e.count, maxLength: e.count });

/** What the line carries after our request and before the answer. */
const noise = (e: Exp): fc.Arbitrary<Buffer> => fc.oneof(
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 300, maxLength: 700 }).map((b) => Buffer.from(b)),
  // Bytes that look like the start of our answer: unit id, function, byte count.
  fc.array(fc.constantFrom(e.unitId, e.functionCode, e.functionCode | 0x80, 2 * e.count, 0), { maxLength: 24 }).map((b) => Buffer.from(b)),
  // Another unit's answer (a bus with several devices).
  fc.tuple(fc.integer({ min: 1, max: 247 }).filter((u) => u !== e.unitId), wordsFor(e)).map(([u, w]) => answer({ ...e, unitId: u }, w)),
  // Our answer cut short, or damaged in one byte (the CRC catches every one-byte error).
  fc.tuple(wordsFor(e), fc.nat()).map(([w, n]) => { const a = answer(e, w); return a.subarray(0, n % a.length); }),
  fc.tuple(wordsFor(e), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([w, at, x]) => { const a = Buffer.from(answer(e, w)); a[at % a.length]! ^= x; return a; }),
);

/** Every place in `stream` that is a CRC-valid answer of the expected shape (normal or exception). */
function crcValidAnswers(stream: Buffer, e: RtuExpectation): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k + 1 < stream.length; k++) {
    if (stream[k] !== e.unitId) continue;
    const fc = stream[k + 1]!;
    const len = fc === e.functionCode ? e.length : fc === (e.functionCode | 0x80) ? 5 : 0;
    if (len === 0 || k + len > stream.length) continue;
    if (fc === e.functionCode && stream[k + 2] !== e.length - 5) continue;
    if (stream.readUInt16LE(k + len - 2) === crc16Modbus(stream, k, k + len - 2)) out.push(Buffer.from(stream.subarray(k, k + len)));
  }
  return out;
}

export const rtuResponse: FuzzTarget = {
  name: 'modbus-rtu-response',
  covers: ['src/transports/modbus/rtu-response-framer.ts', 'src/transports/modbus/crc16.ts'],
  holds: 'never throws; holds at most 512 bytes; one answer per request, nothing after it; after any noise, other units\' answers and cut or '
    + 'damaged copies, in any reads: exactly the awaited answer (normal or exception), unless the garbage holds another CRC-valid answer (an oracle finds them)',
  property: () => fc.property(
    expectation.chain((e) => fc.tuple(
      fc.constant(e),
      fc.array(noise(e), { maxLength: 5 }),
      fc.oneof(wordsFor(e).map((w) => answer(e, w)), fc.integer({ min: 1, max: 11 }).map((code) => rtuFrame([e.unitId, e.functionCode | 0x80, code]))),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
    )),
    ([e, garbage, reply, reads]) => {
      const framer = new RtuResponseFramer();
      const exp: RtuExpectation = { unitId: e.unitId, functionCode: e.functionCode, length: 5 + 2 * e.count };
      framer.push(Buffer.from([e.unitId, e.functionCode])); // before the request: dropped
      framer.expect(exp);
      const stream = Buffer.concat([...garbage, reply]);
      let got: Buffer | null = null;
      for (let at = 0, r = 0; at < stream.length; r++) {
        const n = reads[r % reads.length]!;
        const chunk = stream.subarray(at, at + n);
        at += chunk.length;
        const out = framer.push(chunk);
        check((framer as unknown as { buf: Buffer }).buf.length <= MAX_HELD, 'holds at most 512 bytes');
        if (out) {
          check(got === null, 'one answer per request');
          // The real answer cannot be returned before its last byte arrived.
          check(!out.equals(reply) || at === stream.length, `answer returned ${stream.length - at} bytes before its end: ${out.toString('hex')}`);
          got = out;
        }
      }
      // RTU has no start byte: garbage holding our unit, function and length whose CRC-16 holds by
      // chance (1 in 65,536; or a copy of our answer cut short whose next byte on the line happens to
      // be its missing one) is, to any RTU master, an answer. The oracle: every such candidate in the
      // stream. Without one, exactly the real answer must come out; with one, a CRC-valid answer.
      const candidates = crcValidAnswers(stream, exp);
      check(candidates.some((c) => c.equals(reply)), 'the oracle finds the real answer');
      if (candidates.length === 1) check(got !== null && got.equals(reply), `expected the answer ${reply.toString('hex')}, got ${got?.toString('hex') ?? 'nothing'}`);
      else check(got !== null && candidates.some((c) => c.equals(got!)), `got ${got?.toString('hex') ?? 'nothing'}, not a CRC-valid answer`);
      check(framer.push(reply) === null, 'nothing after the answer (no request pending)');
    },
  ),
};

/** Register words of one read, as the link hands them over (and not: non-integers, out of range). */
const readsNear = (maxAddress: number): fc.Arbitrary<RegisterRead[]> => fc.array(
  fc.record({
    function: fc.constantFrom(3, 4) as fc.Arbitrary<3 | 4>,
    address: fc.integer({ min: 0, max: maxAddress + 4 }),
    words: fc.array(fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
      { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0x7fc0, 0x7f80, 0xff80)) },
    ), { maxLength: 40 }),
  }).map((r) => ({ ...r, count: r.words.length })),
  { maxLength: 4 },
);

export const modbusProfile: FuzzTarget = {
  name: 'modbus-profile-decode',
  covers: ['src/drivers/modbus-profile/decode.ts', 'devices/*/profile.json (every Modbus model)'],
  holds: 'for every shipped Modbus model and any register words: never throws; every measurement is an output the profile names, '
    + 'with a finite number or a boolean',
  property: () => {
    const models = Object.entries(modbusModels);
    check(models.length > 0, 'no Modbus models in the catalogue');
    return fc.property(
      fc.constantFrom(...models).chain(([name, { profile }]) => fc.tuple(fc.constant(name), fc.constant(profile), readsNear(Math.max(...profile.points.map((p) => p.address))))),
      ([name, profile, reads]) => {
        const metrics = new Set(profile.points.flatMap((p) => p.outputs.map((o) => o.metric)));
        for (const m of decodeModbusProfile(profile, reads)) {
          check(metrics.has(m.metric), `${name}: metric ${m.metric} is not in the profile`);
          check(typeof m.value === 'boolean' || (typeof m.value === 'number' && Number.isFinite(m.value)), `${name}: ${m.metric} = ${String(m.value)}`);
        }
      },
    );
  },
};

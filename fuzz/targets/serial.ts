import fc from 'fast-check';
import { Mr60Framer, encodeFrame as encodeMr60, MAX_DATA_LEN as MR60_MAX } from '../../src/drivers/seeed-mr60bha1/framer.js';
import { decodeFrame as decodeMr60, CTRL } from '../../src/drivers/seeed-mr60bha1/decode.js';
import { Mr60bha2Framer, encodeFrame as encodeBha2, MAX_DATA_LEN as BHA2_MAX } from '../../src/drivers/seeed-mr60bha2/framer.js';
import { decodeFrame as decodeBha2, TYPE } from '../../src/drivers/seeed-mr60bha2/decode.js';
import { Ld2410Framer, MAX_DATA_LEN as LD_MAX } from '../../src/drivers/hilink-ld2410/framer.js';
import { decodeFrame as decodeLd } from '../../src/drivers/hilink-ld2410/decode.js';
import { encodeCommand, encodeReport, type Ld2410Report } from '../../src/drivers/hilink-ld2410/index.js';
import { streamTarget } from './stream.js';

const byte = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });

/** MR60BHA1 "53 59" frames: the report words the manual lists, and any other. */
export const mr60bha1 = streamTarget({
  name: 'serial-mr60bha1',
  covers: ['src/drivers/frame-scanner.ts', 'src/drivers/seeed-mr60bha1/framer.ts', 'src/drivers/seeed-mr60bha1/decode.ts'],
  framer: () => new Mr60Framer(),
  decode: decodeMr60,
  // The control words the module sends (a frame 53 59 54 43 ... would carry the trailer in its header).
  validFrame: fc.tuple(fc.constantFrom(...Object.values(CTRL)), byte, fc.uint8Array({ maxLength: 24 }))
    .map(([ctrl, cmd, data]) => encodeMr60(ctrl, cmd, data)),
  headerBytes: [0x53, 0x59, 0x54, 0x43],
  maxFrameLen: 6 + MR60_MAX + 3,
});

/** MR60BHA2 "tiny frames": the decoded types with float payloads, and any other. */
export const mr60bha2 = streamTarget({
  name: 'serial-mr60bha2',
  covers: ['src/drivers/frame-scanner.ts', 'src/drivers/seeed-mr60bha2/framer.ts', 'src/drivers/seeed-mr60bha2/decode.ts'],
  framer: () => new Mr60bha2Framer(),
  decode: decodeBha2,
  validFrame: fc.tuple(
    fc.oneof(fc.constantFrom(...Object.values(TYPE)), u16),
    fc.oneof(
      fc.array(fc.float(), { minLength: 1, maxLength: 3 }).map((fs) => { const b = Buffer.alloc(4 * fs.length); fs.forEach((f, i) => b.writeFloatLE(f, 4 * i)); return b; }),
      fc.uint8Array({ maxLength: 52 }),
    ),
    u16,
  ).map(([type, data, id]) => encodeBha2(type, data, id)),
  headerBytes: [0x01, 0x00, 0x0a, 0x0f, 0xff],
  maxFrameLen: 8 + BHA2_MAX + 1,
  splitHeaderLoss: 8,
});

const report: fc.Arbitrary<Ld2410Report> = fc.record({
  targetState: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
  movingDistanceCm: u16,
  movingEnergy: fc.integer({ min: 0, max: 100 }),
  stillDistanceCm: u16,
  stillEnergy: fc.integer({ min: 0, max: 100 }),
  detectionDistanceCm: u16,
}).chain((r) => fc.option(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })).chain(([m, s]) => fc.record({
  maxMovingGate: fc.constant(m),
  maxStillGate: fc.constant(s),
  movingEnergy: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: m + 1, maxLength: m + 1 }),
  stillEnergy: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: s + 1, maxLength: s + 1 }),
  // Firmware 2.04+: light level 0-255 and OUT pin 0/1; older: nothing.
  additional: fc.oneof(fc.constant([]), fc.tuple(byte, fc.constantFrom(0, 1))),
})), { nil: undefined }).map((gates) => (gates ? { ...r, gates } : r)));

/** LD2410 reports (basic and engineering) and command ACKs: no checksum, markers and lengths only. */
export const ld2410 = streamTarget({
  name: 'serial-hilink-ld2410',
  covers: ['src/drivers/frame-scanner.ts', 'src/drivers/hilink-ld2410/framer.ts', 'src/drivers/hilink-ld2410/report.ts', 'src/drivers/hilink-ld2410/decode.ts'],
  framer: () => new Ld2410Framer(),
  decode: decodeLd,
  validFrame: fc.oneof(
    { weight: 4, arbitrary: report.map(encodeReport) },
    // ACKs: word | 0x0100, status, and what the command returns (at most the parameter read's 28 bytes).
    { weight: 1, arbitrary: fc.tuple(u16, fc.uint8Array({ maxLength: 26 })).map(([w, v]) => encodeCommand(w | 0x0100, v)) },
  ),
  headerBytes: [0xf4, 0xf3, 0xf2, 0xf1, 0xf8, 0xf7, 0xf6, 0xf5, 0xfd, 0xfc, 0xfb, 0xfa, 0x04, 0x03, 0x02, 0x01, 0xaa, 0x55, 0x00],
  maxFrameLen: 6 + LD_MAX + 4,
});

import { describe, expect, it } from 'vitest';
import {
  createLd2410Driver,
  encodeCommand,
  encodeReport,
  engineeringModeCommands,
  parseReport,
  type Ld2410Report,
} from '../../../src/drivers/hilink-ld2410/index.js';
import { Ld2410Framer, MAX_DATA_LEN, encodeFrame } from '../../../src/drivers/hilink-ld2410/framer.js';
import { hex } from '../../helpers/hex.js';
import { prng } from '../../helpers/prng.js';
import { expectBoundedOnNoise, expectSplitsEverywhere, fuzzStream, pushInReads } from './framer-robustness.js';

const BOTH = hex('F4 F3 F2 F1 0D 00 02 AA 03 4F 00 64 4C 00 64 32 00 55 00 F8 F7 F6 F5');
const BOTH_READINGS = [
  { metric: 'presence', value: true },
  { metric: 'targetState', value: 'moving-and-still' },
  { metric: 'movingDistanceCm', value: 79 },
  { metric: 'movingEnergy', value: 100 },
  { metric: 'stillDistanceCm', value: 76 },
  { metric: 'stillEnergy', value: 100 },
  { metric: 'detectionDistanceCm', value: 50 },
];
const ACK_ENABLE_CONFIG = hex('FD FC FB FA 08 00 FF 01 00 00 01 00 40 00 04 03 02 01');

const still = (cm: number, energy: number): Ld2410Report => ({
  targetState: 2,
  movingDistanceCm: 0,
  movingEnergy: 0,
  stillDistanceCm: cm,
  stillEnergy: energy,
  detectionDistanceCm: cm,
});
const stillReadings = (cm: number, energy: number) => [
  { metric: 'presence', value: true },
  { metric: 'targetState', value: 'still' },
  { metric: 'stillDistanceCm', value: cm },
  { metric: 'stillEnergy', value: energy },
  { metric: 'detectionDistanceCm', value: cm },
];
const GATES = {
  maxMovingGate: 8,
  maxStillGate: 8,
  movingEnergy: [12, 40, 8, 3, 2, 2, 1, 1, 0],
  stillEnergy: [0, 5, 57, 20, 9, 4, 3, 2, 1],
  additional: [80, 1],
};
const ENGINEERING = encodeReport({ ...still(150, 57), gates: GATES });

describe('LD2410 framer', () => {
  it('encodes the issue vector and the engineering-mode commands byte for byte', () => {
    expect(
      encodeReport({ targetState: 3, movingDistanceCm: 79, movingEnergy: 100, stillDistanceCm: 76, stillEnergy: 100, detectionDistanceCm: 50 }),
    ).toEqual(BOTH);
    // Hi-Link protocol V1.02 §2.2: enable configuration, enable engineering mode, end configuration.
    expect(engineeringModeCommands(true)).toEqual([
      hex('FD FC FB FA 04 00 FF 00 01 00 04 03 02 01'),
      hex('FD FC FB FA 02 00 62 00 04 03 02 01'),
      hex('FD FC FB FA 02 00 FE 00 04 03 02 01'),
    ]);
    expect(engineeringModeCommands(false)[1]).toEqual(hex('FD FC FB FA 02 00 63 00 04 03 02 01'));
  });

  it('parses the per-gate energies of an engineering report', () => {
    expect(parseReport(ENGINEERING.subarray(6, -4))).toEqual({ ...still(150, 57), gates: GATES });
    const oldFirmware = encodeReport({ ...still(90, 30), gates: { ...GATES, additional: [] } });
    expect(parseReport(oldFirmware.subarray(6, -4))?.gates?.additional).toEqual([]);
    expect(createLd2410Driver().push(ENGINEERING)).toEqual(stillReadings(150, 57));
  });

  it('skips garbage between frames and counts it', () => {
    const d = createLd2410Driver();
    const out = d.push(Buffer.concat([hex('00 11 F4 22'), BOTH, hex('FD FC 00'), ENGINEERING]));
    expect(out).toEqual([...BOTH_READINGS, ...stillReadings(150, 57)]);
    expect(d.stats()).toMatchObject({ frames: 2, resyncs: 2, garbageBytes: 7, checksumErrors: 0, framingErrors: 0 });
  });

  it('joins a frame split across reads at every position', () => {
    expectSplitsEverywhere(createLd2410Driver, BOTH, BOTH_READINGS);
    expectSplitsEverywhere(createLd2410Driver, ENGINEERING, stillReadings(150, 57));
  });

  it('skips command and ACK frames on the same line as unknown, never as errors', () => {
    const d = createLd2410Driver();
    const acks = [ACK_ENABLE_CONFIG, encodeCommand(0x0162, [0, 0]), encodeCommand(0x01fe, [0, 0])];
    const out = d.push(Buffer.concat([acks[0]!, BOTH, acks[1]!, ...engineeringModeCommands(true), acks[2]!, ENGINEERING]));
    expect(out).toEqual([...BOTH_READINGS, ...stillReadings(150, 57)]);
    expect(d.stats()).toMatchObject({ frames: 8, unknownFrames: 6, checksumErrors: 0, framingErrors: 0, garbageBytes: 0, resyncs: 0 });
  });

  it('rejects a broken trailer, a missing inner marker and an impossible length, then resyncs', () => {
    const badTrailer = Buffer.from(BOTH);
    badTrailer[BOTH.length - 1] = 0x00;
    const badHead = Buffer.from(BOTH);
    badHead[7] = 0xab; // inner head must be AA
    const badTail = Buffer.from(BOTH);
    badTail[17] = 0x56; // inner tail must be 55
    const hugeLen = Buffer.concat([hex('F4 F3 F2 F1'), Buffer.from([MAX_DATA_LEN + 1, 0])]);
    const tooShort = encodeFrame('report', [0x02, 0xaa, 0x55]); // shorter than type, AA, 55, 00
    const d = createLd2410Driver();
    expect(d.push(Buffer.concat([badTrailer, badHead, badTail, hugeLen, tooShort, ENGINEERING]))).toEqual(stillReadings(150, 57));
    expect(d.stats()).toMatchObject({ framingErrors: 5, checksumErrors: 0, frames: 1 });
  });

  it('finds a valid frame hidden behind a false header', () => {
    // A report header whose length swallows the real frame: the real one must still come out.
    const d = createLd2410Driver();
    expect(d.push(Buffer.concat([hex('F4 F3 F2 F1 10 00 02 AA'), BOTH]))).toEqual(BOTH_READINGS);
    expect(d.stats().framingErrors).toBe(1);
  });

  it('keeps a report that follows an engineering report cut short (fuzz counterexample, issue 17)', () => {
    // npm run fuzz found it: 13 bytes of an engineering report (length 26), then a basic report of
    // 23 bytes; 13 + 23 = 6 + 26 + 4, so the cut frame's length ends on the report's trailer and,
    // with no checksum, the two passed as one engineering frame: the real report was lost.
    const cut = hex('F4 F3 F2 F1 1A 00 01 AA 00 DC 30 64 37');
    const report = hex('F4 F3 F2 F1 0D 00 02 AA 03 05 D0 34 E0 56 3E 1A 4C 55 00 F8 F7 F6 F5');
    const d = createLd2410Driver();
    expect(d.push(Buffer.concat([cut, report]))).toEqual(createLd2410Driver().push(report));
    expect(d.stats()).toMatchObject({ frames: 1, framingErrors: 1, garbageBytes: cut.length });
  });

  it('counts well-framed reports with impossible values as unknown instead of guessing', () => {
    const d = createLd2410Driver();
    const frames = [
      encodeReport({ ...still(100, 50), targetState: 4 as Ld2410Report['targetState'] }),
      encodeReport(still(100, 101)), // energy is 0-100
      encodeReport({ ...still(100, 50), gates: { ...GATES, maxMovingGate: 9 } }), // the LD2410 has gates 0-8
      encodeFrame('report', [0x01, 0xaa, 2, 0, 0, 0, 100, 0, 50, 100, 0, 8, 8, 1, 2, 0x55, 0x00]), // gates do not fit
      encodeFrame('report', [0x03, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x55, 0x00]), // unknown report type
    ];
    expect(d.push(Buffer.concat(frames))).toEqual([]);
    expect(d.stats()).toMatchObject({ frames: frames.length, unknownFrames: frames.length, framingErrors: 0 });
  });

  it('loses no valid frame in random garbage, corrupted and truncated frames (seeded)', () => {
    // Reports have no checksum, so a corrupted report can still decode. The frames that get
    // corrupted here carry no still target: one corrupted byte can at most make one claim a still
    // target at 0 cm, which the filter below leaves out.
    const moving: Ld2410Report = { targetState: 1, movingDistanceCm: 80, movingEnergy: 20, stillDistanceCm: 0, stillEnergy: 0, detectionDistanceCm: 80 };
    const rand = prng(20261131);
    const { stream, valid } = fuzzStream(
      rand,
      2000,
      {
        valid: (r) => encodeReport(still(100 + Math.floor(r() * 500), Math.floor(r() * 101))),
        other: (r) => (r() < 0.5 ? encodeReport(moving) : Buffer.from(ACK_ENABLE_CONFIG)),
        falseHeader: hex('F4 F3 F2 F1'),
      },
      MAX_DATA_LEN + 16,
    );
    const d = createLd2410Driver();
    const out = pushInReads(d, stream, rand);
    const distances = out.filter((m) => m.metric === 'stillDistanceCm' && m.value !== 0);
    expect(distances).toEqual(valid.map((f) => ({ metric: 'stillDistanceCm', value: f.readUInt16LE(12) })));
    expect(d.stats().resyncs).toBeGreaterThan(0);
    expect(d.stats().bytes).toBe(stream.length);
  });

  it('never throws on pure noise and keeps its buffer bounded', () => {
    // A header announcing the longest length, over and over, keeps a candidate open the longest.
    const worst = Buffer.from([0xf4, 0xf3, 0xf2, 0xf1, MAX_DATA_LEN, 0x00, 0xfd, 0xfc, 0xfb, 0xfa]);
    expectBoundedOnNoise(new Ld2410Framer(), 13, worst, 6 + MAX_DATA_LEN + 4);
  });
});

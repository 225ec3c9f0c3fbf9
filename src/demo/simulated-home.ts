import { encodeFrame } from '../drivers/seeed-mr60bha1/index.js';

/**
 * A scripted evening in the demo home, as real MR60BHA1 frames: the resident goes to bed,
 * breathes fast for a while (tachypnoea, 30/min), then settles back to 16/min. The line is
 * noisy on purpose: garbage bytes, a frame split across two reads and a corrupted frame, which
 * the hub must survive without losing a valid frame.
 */
export interface HomeSecond {
  /** What the simulated radar "sees", for the demo's narration. */
  readonly say: string;
  /** Byte chunks written to the serial line this second, in order. */
  readonly chunks: readonly Buffer[];
}

const f = encodeFrame;
const presence = (yes: boolean) => f(0x80, 0x01, [yes ? 1 : 0]);
const motion = (code: 0 | 1 | 2) => f(0x80, 0x02, [code]);
const distanceCm = (cm: number) => f(0x80, 0x04, [cm >> 8, cm & 0xff]);
const inBed = () => f(0x84, 0x01, [1]);
const breath = (perMin: number) => f(0x81, 0x02, [perMin]);
const heart = (bpm: number) => f(0x85, 0x02, [bpm]);
const moduleHeartbeat = () => f(0x01, 0x01, [0x0f]);

function second(t: number, breathPerMin: number, heartBpm: number): HomeSecond {
  const frames = [breath(breathPerMin), heart(heartBpm), distanceCm(80 + (t % 3))];
  if (t % 5 === 0) frames.push(moduleHeartbeat(), presence(true), inBed(), motion(1));
  const chunks: Buffer[] = [];
  let note = '';
  if (t % 7 === 3) {
    chunks.push(Buffer.from([0x00, 0xff, 0x53, 0x12, 0x99])); // line noise, with a false header byte
    note = ' (+ line noise)';
  }
  if (t % 9 === 4) {
    const bad = Buffer.from(heart(heartBpm));
    bad.writeUInt8(bad.readUInt8(bad.length - 3) ^ 0x5a, bad.length - 3); // corrupt the checksum
    chunks.push(bad);
    note += ' (+ a corrupted frame)';
  }
  const all = Buffer.concat(frames);
  if (t % 4 === 1) {
    const cut = 7; // split the first frame across two reads
    chunks.push(all.subarray(0, cut), all.subarray(cut));
  } else chunks.push(all);
  return { say: `present, in bed, breathing ${breathPerMin}/min, heart ${heartBpm} bpm${note}`, chunks };
}

/** One entry per second: 5 s settling in, 15 s fast breathing, 12 s back to normal. */
export function demoEvening(): HomeSecond[] {
  const out: HomeSecond[] = [];
  for (let t = 0; t < 32; t++) {
    const fast = t >= 5 && t < 20;
    out.push(second(t, fast ? 30 : 16, fast ? 96 : 68));
  }
  out.unshift({ say: 'resident walks in and lies down', chunks: [presence(true), motion(2), inBed()] });
  return out;
}

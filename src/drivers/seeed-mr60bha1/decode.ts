import type { Measurement } from '../../core/reading.js';
import type { RadarFrame } from './framer.js';

/**
 * Meaning of MR60BHA1 report frames (control word, command word).
 * Source: Seeed "60GHz mmWave Breathing and Heartbeat Module (MR60BHA1) user manual", UART protocol
 * tables; see devices/seeed-mr60bha1/README.md for units and quirks. Query replies carry the same
 * payload with the command's high bit set, so `cmd & 0x7f` is decoded the same way.
 */
export const CTRL = {
  SYSTEM: 0x01,
  PRODUCT: 0x02,
  BODY: 0x80,
  BREATH: 0x81,
  SLEEP: 0x84,
  HEART: 0x85,
} as const;

const MOTION = ['none', 'still', 'active'] as const;
const BREATH_STATUS: Record<number, string> = { 1: 'normal', 2: 'high', 3: 'low', 4: 'none' };
const BED_STATE = ['out', 'in', 'none'] as const;
const SLEEP_STATE = ['deep', 'light', 'awake', 'none'] as const;

const REPORT_MODE = ['realtime', 'sleep'] as const;
const SLEEP_RATING = ['none', 'good', 'fair', 'poor'] as const;

type Decoded = Measurement[] | null;

/**
 * Sleep query replies do not all set just the high bit: the manual's reply codes are 0x8C (mode,
 * 0x0F), 0x8D (10-minute composite, 0x0C), 0x8E (abnormality, 0x0E), 0x8F (night summary, 0x0D)
 * and 0x90 (rating, 0x10). Masking 0x8D would read a composite as a night summary.
 */
const SLEEP_REPLIES: Readonly<Record<number, number>> = { 0x8c: 0x0f, 0x8d: 0x0c, 0x8e: 0x0e, 0x8f: 0x0d, 0x90: 0x10 };
const sleepCmd = (cmd: number): number => SLEEP_REPLIES[cmd] ?? (cmd < 0x80 ? cmd : cmd & 0x7f);

/**
 * 10-minute composite (0x84 0x0C, 8 bytes, sent every 10 min in sleep mode): presence, sleep
 * state, average breath and heart rate, turnovers, large and small movement share (%), apneas.
 */
function composite10m(d: Buffer): Decoded {
  if (d.length < 8) return null;
  return [
    { metric: 'composite10mPresence', value: d[0] === 1 },
    { metric: 'composite10mAvgBreathPerMin', value: d[2]! },
    { metric: 'composite10mAvgHeartBpm', value: d[3]! },
    { metric: 'composite10mTurnovers', value: d[4]! },
    { metric: 'composite10mLargeMovementPct', value: d[5]! },
    { metric: 'composite10mSmallMovementPct', value: d[6]! },
    { metric: 'composite10mApneaCount', value: d[7]! },
  ];
}

/**
 * Night summary (0x84 0x0D, 12 bytes, after the person gets up): score, total sleep (u16 min),
 * awake/light/deep share (%), out-of-bed minutes and count, turnovers, average breath and heart
 * rate, apnea count.
 */
function nightSummary(d: Buffer): Decoded {
  if (d.length < 12) return null;
  return [
    { metric: 'nightSleepScore', value: d[0]! },
    { metric: 'nightTotalSleepMin', value: d.readUInt16BE(1) },
    { metric: 'nightAwakePct', value: d[3]! },
    { metric: 'nightLightPct', value: d[4]! },
    { metric: 'nightDeepPct', value: d[5]! },
    { metric: 'nightOutOfBedMin', value: d[6]! },
    { metric: 'nightOutOfBedCount', value: d[7]! },
    { metric: 'nightTurnovers', value: d[8]! },
    { metric: 'nightAvgBreathPerMin', value: d[9]! },
    { metric: 'nightAvgHeartBpm', value: d[10]! },
    { metric: 'nightApneaCount', value: d[11]! },
  ];
}

const one = (metric: string, value: Measurement['value']): Measurement[] => [{ metric, value }];

function enumAt<T extends string>(table: readonly T[], code: number | undefined): T | undefined {
  return code === undefined ? undefined : table[code];
}

/** `null` means "a valid frame we do not decode"; `[]` means "decoded, nothing to report". */
export function decodeFrame(frame: RadarFrame): Decoded {
  const { ctrl, data } = frame;
  const cmd = ctrl === CTRL.SYSTEM || ctrl === CTRL.PRODUCT ? frame.cmd : ctrl === CTRL.SLEEP ? sleepCmd(frame.cmd) : frame.cmd & 0x7f;
  const b0 = data[0];
  const u16 = data.length >= 2 ? data.readUInt16BE(0) : undefined;

  switch (ctrl) {
    case CTRL.SYSTEM:
      // 01 01: module heartbeat, sent periodically while the module runs (payload 0x0F).
      if (cmd === 0x01) return one('moduleHeartbeat', true);
      return null;
    case CTRL.BODY:
      switch (cmd) {
        case 0x01: return b0 === 0 || b0 === 1 ? one('presence', b0 === 1) : null;
        case 0x02: { const m = enumAt(MOTION, b0); return m ? one('motion', m) : null; }
        // Body movement parameter, 0-100 (0 none, 1 still, 2-100 increasing movement).
        case 0x03: return b0 !== undefined && b0 <= 100 ? one('bodyMovement', b0) : null;
        case 0x04: return u16 !== undefined ? one('distanceCm', u16) : null;
        default: return null;
      }
    case CTRL.BREATH:
      switch (cmd) {
        case 0x01: { const s = b0 === undefined ? undefined : BREATH_STATUS[b0]; return s ? one('breathStatus', s) : null; }
        // 0-35 /min; 0 means "no value" (the module has no estimate yet), not "not breathing".
        case 0x02:
          if (b0 === undefined || b0 > 35) return null;
          return b0 === 0 ? [] : one('breathRatePerMin', b0);
        case 0x05: return []; // waveform samples: not used upstream
        default: return null;
      }
    case CTRL.SLEEP:
      switch (cmd) {
        case 0x01: { const s = enumAt(BED_STATE, b0); return s ? one('bedState', s) : null; }
        case 0x02: { const s = enumAt(SLEEP_STATE, b0); return s ? one('sleepState', s) : null; }
        case 0x03: return u16 !== undefined ? one('sleepAwakeMin', u16) : null;
        case 0x04: return u16 !== undefined ? one('sleepLightMin', u16) : null;
        case 0x05: return u16 !== undefined ? one('sleepDeepMin', u16) : null;
        case 0x06: return b0 !== undefined && b0 <= 100 ? one('sleepScore', b0) : null;
        case 0x0c: return composite10m(data);
        case 0x0d: return nightSummary(data);
        case 0x0f: { const m = enumAt(REPORT_MODE, b0); return m ? one('reportMode', m) : null; }
        case 0x10: { const r = enumAt(SLEEP_RATING, b0); return r ? one('sleepRating', r) : null; }
        default: return null;
      }
    case CTRL.HEART:
      switch (cmd) {
        // 0 means "no value"; the module only reports a narrow band (see the device README).
        case 0x02:
          if (b0 === undefined) return null;
          return b0 === 0 ? [] : one('heartRateBpm', b0);
        case 0x05: return []; // waveform samples
        default: return null;
      }
    default:
      return null;
  }
}

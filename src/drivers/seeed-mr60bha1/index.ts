import type { StreamDriver } from '../types.js';
import { createStreamDriver } from '../stream-driver.js';
import { decodeFrame } from './decode.js';
import { Mr60Framer, encodeFrame } from './framer.js';

export { encodeFrame } from './framer.js';

/**
 * Commands to the module (pure: the frames to write). Real-time mode reports vitals every few
 * seconds; sleep mode adds the sleep state machine, the 10-minute composite and the night summary.
 */
export const mr60bha1Commands = {
  setReportMode: (mode: 'realtime' | 'sleep') => encodeFrame(0x84, 0x0f, [mode === 'sleep' ? 1 : 0]),
  queryReportMode: () => encodeFrame(0x84, 0x8c, [0x0f]),
  queryComposite10m: () => encodeFrame(0x84, 0x8d, [0x0f]),
  queryNightSummary: () => encodeFrame(0x84, 0x8f, [0x0f]),
};

/** Seeed MR60BHA1 60 GHz breathing and heart-rate radar: bytes in, measurements out. */
export function createMr60bha1Driver(): StreamDriver {
  return createStreamDriver(new Mr60Framer(), decodeFrame);
}

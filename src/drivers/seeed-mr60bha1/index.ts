import type { Measurement } from '../../core/reading.js';
import type { StreamDriver } from '../types.js';
import { decodeFrame } from './decode.js';
import { Mr60Framer } from './framer.js';

export { encodeFrame } from './framer.js';

/** Seeed MR60BHA1 60 GHz breathing and heart-rate radar: bytes in, measurements out. */
export function createMr60bha1Driver(): StreamDriver {
  const framer = new Mr60Framer();
  return {
    push(chunk: Uint8Array): Measurement[] {
      const out: Measurement[] = [];
      for (const frame of framer.push(chunk)) {
        const decoded = decodeFrame(frame);
        if (decoded === null) framer.countUnknown();
        else for (const m of decoded) out.push(m);
      }
      return out;
    },
    stats: () => framer.stats(),
  };
}

import type { Measurement } from '../core/reading.js';
import type { FrameScanner } from './frame-scanner.js';
import type { StreamDriver } from './types.js';

/**
 * Joins a model's framer and decoder into a `StreamDriver`. The decoder answers `null` for a valid
 * frame it does not decode (counted in `unknownFrames`) and `[]` for one that carries nothing to
 * report (e.g. a rate of 0, which means "no value").
 */
export function createStreamDriver<F>(framer: FrameScanner<F>, decode: (frame: F) => Measurement[] | null): StreamDriver {
  return {
    push(chunk: Uint8Array): Measurement[] {
      const out: Measurement[] = [];
      for (const frame of framer.push(chunk)) {
        const decoded = decode(frame);
        if (decoded === null) framer.countUnknown();
        else for (const m of decoded) out.push(m);
      }
      return out;
    },
    stats: () => framer.stats(),
  };
}

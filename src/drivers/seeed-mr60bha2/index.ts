import type { StreamDriver } from '../types.js';
import { createStreamDriver } from '../stream-driver.js';
import { decodeFrame } from './decode.js';
import { Mr60bha2Framer } from './framer.js';

export { encodeFrame } from './framer.js';

/** Seeed MR60BHA2 60 GHz breathing and heart-rate radar: bytes in, measurements out. */
export function createMr60bha2Driver(): StreamDriver {
  return createStreamDriver(new Mr60bha2Framer(), decodeFrame);
}

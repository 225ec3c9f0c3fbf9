import type { StreamDriver } from '../types.js';
import { createStreamDriver } from '../stream-driver.js';
import { decodeFrame } from './decode.js';
import { Mr60Framer } from './framer.js';

export { encodeFrame } from './framer.js';

/** Seeed MR60BHA1 60 GHz breathing and heart-rate radar: bytes in, measurements out. */
export function createMr60bha1Driver(): StreamDriver {
  return createStreamDriver(new Mr60Framer(), decodeFrame);
}

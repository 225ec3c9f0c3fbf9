import type { StreamDriver } from '../types.js';
import { createStreamDriver } from '../stream-driver.js';
import { decodeFrame } from './decode.js';
import { Ld2410Framer } from './framer.js';

export { encodeCommand, engineeringModeCommands, COMMAND } from './commands.js';
export { encodeReport, parseReport, type Ld2410Report } from './report.js';

/** Hi-Link HLK-LD2410 24 GHz presence radar: bytes in, measurements out. */
export function createLd2410Driver(): StreamDriver {
  return createStreamDriver(new Ld2410Framer(), decodeFrame);
}

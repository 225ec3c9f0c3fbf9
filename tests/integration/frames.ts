import { encodeFrame } from '../../src/drivers/seeed-mr60bha1/index.js';

/** MR60BHA1 frames the integration tests write into the pty, as the real module would. */
export const presence = (yes: boolean) => encodeFrame(0x80, 0x01, [yes ? 1 : 0]);
export const breath = (perMin: number) => encodeFrame(0x81, 0x02, [perMin]);
export const heart = (bpm: number) => encodeFrame(0x85, 0x02, [bpm]);
/** Breathing status "none" (0x81 0x01 value 4): the module sees no breathing. */
export const noBreath = () => encodeFrame(0x81, 0x01, [4]);

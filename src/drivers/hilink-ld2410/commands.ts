import { encodeFrame } from './framer.js';

/**
 * Commands to the LD2410 (host → radar), pure: they return the bytes, the transport writes them.
 * Every command must be sent between "enable configuration" and "end configuration"; the radar
 * answers each with an ACK (command word | 0x0100, then a u16 status, 0 = success), which the
 * driver skips. Source: Hi-Link "HLK-LD2410 Serial communication protocol" V1.02 §2.2
 * (enable configuration 0x00FF with value 0x0001, end configuration 0x00FE, enable engineering
 * mode 0x0062, close engineering mode 0x0063).
 */
export const COMMAND = {
  ENABLE_CONFIG: 0x00ff,
  END_CONFIG: 0x00fe,
  ENABLE_ENGINEERING: 0x0062,
  DISABLE_ENGINEERING: 0x0063,
} as const;

/** The ACK of a command carries the command word with this bit set. */
export const ACK_BIT = 0x0100;

/** FD FC FB FA | len | word (u16 LE) | value | 04 03 02 01 */
export function encodeCommand(word: number, value: Uint8Array | readonly number[] = []): Buffer {
  return encodeFrame('command', [word & 0xff, (word >> 8) & 0xff, ...value]);
}

/**
 * The three frames that switch engineering reports (per-gate energies) on or off, in the order to
 * send them. The transport should wait for each ACK (or a timeout) before sending the next, since
 * the radar only takes the middle one while in configuration mode.
 */
export function engineeringModeCommands(enable: boolean): Buffer[] {
  return [
    encodeCommand(COMMAND.ENABLE_CONFIG, [0x01, 0x00]),
    encodeCommand(enable ? COMMAND.ENABLE_ENGINEERING : COMMAND.DISABLE_ENGINEERING),
    encodeCommand(COMMAND.END_CONFIG),
  ];
}

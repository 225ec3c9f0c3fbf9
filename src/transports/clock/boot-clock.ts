import { readFileSync } from 'node:fs';
import type { BootClock } from '../../core/clock.js';

/**
 * The system's BootClock (src/core/clock.ts): CLOCK_MONOTONIC (`process.hrtime.bigint()`) never
 * jumps when NTP sets the wall clock and is the same for every process of one boot; it restarts at
 * a new boot, so a reading means something only with the boot id (`/proc/sys/kernel/random/boot_id`,
 * a random UUID the kernel makes at each boot). It does not count time suspended: a hub does not
 * suspend.
 */
export const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/** `bootIdFile` is injectable for tests; an unreadable file gives bootId null. */
export function systemBootClock(bootIdFile = BOOT_ID_FILE): BootClock {
  let bootId: string | null = null;
  try {
    bootId = readFileSync(bootIdFile, 'utf8').trim() || null;
  } catch {
    bootId = null; // not Linux, or /proc not mounted
  }
  return { bootId, monoNowMs: () => Number(process.hrtime.bigint() / 1_000_000n) };
}

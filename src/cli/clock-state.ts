import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { t, type Lang } from './i18n.js';

/**
 * Is this machine's clock synchronised? The same sources as the daemon's probe
 * (src/transports/clock/clock-sync.ts): systemd-timesyncd's flag file, then `timedatectl`, which
 * asks the kernel and so also covers chrony and ntpd. anjuctl runs on the hub, so its answer is the
 * hub's. (get-status does not carry the daemon's own clock state; the heartbeat does, on MQTT only.)
 */
export type ClockState = 'synced' | 'unsynced' | 'unknown';

/** The source when nothing could tell (JSON keeps it; a person reads `clockNoSource`). */
export const NO_CLOCK_SOURCE = 'timedatectl unavailable';

export const TIMESYNCD_FLAG = '/run/systemd/timesync/synchronized';

export async function clockState(): Promise<{ state: ClockState; source: string }> {
  if (existsSync(TIMESYNCD_FLAG)) return { state: 'synced', source: TIMESYNCD_FLAG };
  return new Promise((resolve) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout) => {
      if (err) { resolve({ state: 'unknown', source: NO_CLOCK_SOURCE }); return; }
      const v = stdout.trim();
      resolve({ state: v === 'yes' ? 'synced' : v === 'no' ? 'unsynced' : 'unknown', source: 'timedatectl' });
    });
  });
}

/** The source as a person reads it: "nothing could tell" in their language, else the file or tool named. */
export function clockSourceText(lang: Lang, source: string): string {
  return source === NO_CLOCK_SOURCE ? t(lang, 'clockNoSource') : source;
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Is this machine's clock synchronised? The same sources as the daemon's probe
 * (src/transports/clock/clock-sync.ts): systemd-timesyncd's flag file, then `timedatectl`, which
 * asks the kernel and so also covers chrony and ntpd. anjuctl runs on the hub, so its answer is the
 * hub's. (get-status does not carry the daemon's own clock state; the heartbeat does, on MQTT only.)
 */
export type ClockState = 'synced' | 'unsynced' | 'unknown';

export const TIMESYNCD_FLAG = '/run/systemd/timesync/synchronized';

export async function clockState(): Promise<{ state: ClockState; source: string }> {
  if (existsSync(TIMESYNCD_FLAG)) return { state: 'synced', source: TIMESYNCD_FLAG };
  return new Promise((resolve) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout) => {
      if (err) { resolve({ state: 'unknown', source: 'timedatectl unavailable' }); return; }
      const v = stdout.trim();
      resolve({ state: v === 'yes' ? 'synced' : v === 'no' ? 'unsynced' : 'unknown', source: 'timedatectl' });
    });
  });
}

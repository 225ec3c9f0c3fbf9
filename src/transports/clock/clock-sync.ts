import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Is the wall clock trustworthy? A Raspberry Pi has no RTC: it boots with the last saved time
 * (fake-hwclock) or 1970 and jumps when NTP syncs. Events are stamped with the wall clock, so the
 * hub marks the ones stamped while the clock was known to be unsynchronised (`ts_unsynced` on the
 * wire) instead of sending silently wrong times.
 *
 * Sources, cheapest first: a wall clock before this build was made is certainly wrong; systemd-
 * timesyncd's flag file; `timedatectl` (asks the kernel, works with chrony and ntpd too). Without
 * any of them the state is `unknown`, which is not marked (most hubs without systemd are dev boxes).
 */
export type ClockSyncState = 'synced' | 'unsynced' | 'unknown';

export interface ClockSyncProbe {
  start(): void;
  stop(): void;
  state(): ClockSyncState;
}

const TIMESYNCD_FLAG = '/run/systemd/timesync/synchronized';

export interface ClockSyncProbeOptions {
  now: () => number;
  notBeforeTs: number;
  pollMs?: number;
  /**
   * What the system says, asked every `pollMs`: 'synced'/'unsynced', or null when it cannot tell
   * (the state stays what it was). Default: systemd-timesyncd's flag file, then `timedatectl`.
   * Tests pass their own, since a test cannot make NTP synchronise.
   */
  source?: (report: (s: ClockSyncState | null) => void) => void;
}

export function createClockSyncProbe(o: ClockSyncProbeOptions): ClockSyncProbe {
  let external: ClockSyncState = 'unknown';
  let timer: NodeJS.Timeout | null = null;

  const poll = (): void => {
    if (o.source) {
      o.source((s) => { if (s !== null) external = s; });
      return;
    }
    if (existsSync(TIMESYNCD_FLAG)) {
      external = 'synced';
      return;
    }
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout) => {
      if (err) return; // no systemd here: keep what we had
      const v = stdout.trim();
      external = v === 'yes' ? 'synced' : v === 'no' ? 'unsynced' : external;
    });
  };

  return {
    start() {
      poll();
      timer = setInterval(poll, o.pollMs ?? 60_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    state() {
      if (o.now() < o.notBeforeTs) return 'unsynced';
      return external;
    },
  };
}

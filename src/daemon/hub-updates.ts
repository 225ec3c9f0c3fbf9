import { statfsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { handoffMode } from '../update/handoff.js';
import { debianArch } from '../update/manifest.js';
import { RELEASE_KEYS_FILE } from '../update/release-keys.js';
import { createUpdateManager, type UpdateManager } from '../update/update-manager.js';
import type { Daemon } from './daemon.js';

/**
 * The update manager of this anjud process, wired to whichever daemon runs (the supervisor swaps it
 * on set-config): its alarms, its store's room, its event path. Where things are: the package under
 * <state_dir>/updates (never in /etc or /usr: anjud may write only there), the release keys next to
 * the config file, the runner next to this code (dist/src/update/anju-update.js).
 */
export function createHubUpdates(o: {
  configPath: string; stateDir: string; version: string; log: Logger; clock: Clock;
  maxMb: () => number; controlSocket: () => string; daemon: () => Daemon;
}): UpdateManager {
  const dir = join(o.stateDir, 'updates');
  const status = () => o.daemon().status();
  return createUpdateManager({
    dir,
    keysFile: join(dirname(resolve(o.configPath)), RELEASE_KEYS_FILE),
    runningVersion: o.version,
    arch: debianArch(),
    maxBytes: () => o.maxMb() * 1024 * 1024,
    openAlarms: () => {
      try {
        return status().alarms.length;
      } catch {
        return 1; // a config swap has the store closed for a moment: say no rather than guess
      }
    },
    freeBytes: () => {
      try {
        const s = statfsSync(o.stateDir);
        return s.bavail * s.bsize;
      } catch {
        return null;
      }
    },
    storeHeadroomBytes: () => {
      const st = status().storage;
      return st ? Math.max(0, st.quotaBytes - (st.usedBytes ?? 0)) + st.lowWaterBytes : 0;
    },
    raise: (e) => o.daemon().raise(e),
    log: o.log.child({ mod: 'update' }),
    clock: o.clock,
    handoff: { mode: handoffMode(), runner: fileURLToPath(new URL('../update/anju-update.js', import.meta.url)), staging: join(dir, 'staging'), socket: o.controlSocket },
  });
}

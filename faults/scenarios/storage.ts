import { closeSync, openSync, readdirSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mountTmpfs, type Tmpfs } from '../../tests/helpers/tmpfs.js';
import { randomBytes } from '../../tests/helpers/prng.js';
import { waitFor } from '../../tests/helpers/wait.js';
import { openHome, type FaultHome } from '../home.js';
import { anotherAlarm, alarmsCommitted, between, sleep, withHome, type Scenario } from '../scenario.js';

/** A 1 MB space reserve fits a small tmpfs; the disk is looked at every second (as tests/integration/full-disk). */
const STORE = 'store: { reserve_mb: 1, quota_check_s: 1 }\n';

/**
 * The hub's state on a 24 MB tmpfs filled to the last block while alarms are raised; the daemon is
 * killed -9 and restarted on the full disk, then the space returns.
 */
export const diskFull: Scenario = {
  name: 'disk-full',
  proves: 'a full disk: alarms raised meanwhile survive kill -9 and a restart on the full disk, and are all delivered once space returns',
  run: (ctx) => {
    let disk: Tmpfs | null = null;
    return withHome(ctx, async () => {
      disk = mountTmpfs(24);
      return openHome('disk', { delivery: ctx.delivery, dir: disk.dir, extraYaml: STORE });
    }, async (home, inj) => {
      for (let i = 0; i < ctx.rounds; i++) {
        await sleep(between(ctx.rand, 2000, 4000));
        disk!.fill();
        inj.injected++;
        await sleep(between(ctx.rand, 6000, 9000)); // an alarm phase or two on the full disk
        await home.hub.kill('SIGKILL');
        await home.hub.start(); // on the full disk
        await sleep(between(ctx.rand, 2000, 5000));
        disk!.free();
        // Through it: running, and raising (committing) alarms again once there is space.
        await anotherAlarm(home, alarmsCommitted(home));
        inj.survived++;
      }
    }, () => disk?.unmount());
  },
};

type Damage = 'truncate-0' | 'truncate-half' | 'garbage-pages';
const DAMAGES: readonly Damage[] = ['truncate-0', 'garbage-pages', 'truncate-half'];

/** Damages the stopped daemon's database file as a power cut on a worn SD card could. */
function damage(stateDir: string, how: Damage, rand: () => number): void {
  const file = join(stateDir, 'anju.db');
  // Everything into the main file first (the daemon was killed: its WAL holds the latest pages),
  // so the damage hits pages the database uses, not ones the WAL would supersede.
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const size = statSync(file).size;
  if (how === 'truncate-0') truncateSync(file, 0);
  else if (how === 'truncate-half') truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
  else {
    const fd = openSync(file, 'r+');
    try {
      const pages = Math.floor(size / 4096);
      // Every page but the header's, from the second on: whichever b-tree is there, it is broken.
      for (let p = 1; p < pages; p++) writeSync(fd, randomBytes(rand, 4096), 0, 4096, p * 4096);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The database damaged while the daemon is down (after everything was delivered: a damaged file's
 * undelivered events are lost with it, which hub.storage_reset counts for the operator). At start
 * the daemon must quarantine it (renamed aside, never silently replaced), start a new epoch and
 * tell the cloud with hub.storage_reset.
 */
export const corruptDb: Scenario = {
  name: 'corrupt-db',
  proves: 'a truncated or corrupted database at start is quarantined (kept, renamed) and announced with hub.storage_reset in a new epoch',
  run: (ctx) => withHome(ctx, () => openHome('corrupt', { delivery: ctx.delivery }), async (home, inj) => {
    for (let i = 0; i < ctx.rounds * 2; i++) {
      await sleep(between(ctx.rand, 3000, 6000));
      await stopDelivered(home);
      const how = DAMAGES[i % DAMAGES.length]!;
      const oldEpoch = home.cloud.epochOf(home.hub.hubId);
      const quarantinedBefore = quarantined(home).length;
      damage(home.hub.stateDir, how, ctx.rand);
      inj.injected++;
      await home.hub.start();
      home.raiseAlarms();
      const reset = await waitFor(`hub.storage_reset after ${how}`, () => {
        const epoch = home.cloud.epochOf(home.hub.hubId);
        return epoch !== oldEpoch && home.cloud.events(home.hub.hubId, epoch).find((e) => e.type === 'hub.storage_reset');
      }, 60_000);
      const kept = quarantined(home).length - quarantinedBefore;
      if (kept < 1) throw new Error(`${how}: hub.storage_reset came but no quarantined file is in ${home.hub.stateDir}`);
      inj.notes.push(`${how}: ${kept} file(s) quarantined, reason ${(reset.data as { reason?: string }).reason}`);
      // And the new store works: an alarm is committed in the new epoch.
      await anotherAlarm(home, 0);
      inj.survived++;
    }
  }),
};

const quarantined = (home: FaultHome): string[] => readdirSync(home.hub.stateDir).filter((f) => f.startsWith('anju.db.'));

/**
 * Stops raising alarms, waits until the cloud stored everything the hub committed, and kills the
 * daemon; what it committed between the last look and the kill is delivered by another round.
 */
async function stopDelivered(home: FaultHome): Promise<void> {
  await home.quiet();
  for (let attempt = 0; ; attempt++) {
    home.snapshot();
    await home.drained();
    await home.hub.kill('SIGKILL');
    home.snapshot();
    if (home.count().lost === 0) return;
    if (attempt === 3) throw new Error(`events committed just before the kill were never delivered: ${home.count().lostIds.join(', ')}`);
    await home.hub.start();
  }
}

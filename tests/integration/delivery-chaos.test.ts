/**
 * Acceptance, store-and-forward: kill -9 the daemon at random moments while it drains a backlog
 * (20 rounds), restart the broker (no persistence) and drop the cloud consumer for a while; every
 * event id ever committed arrives at the reference consumer, seq has no gaps, and the only
 * duplicates are redeliveries of the same id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createCloudConsumer, type CloudConsumer } from '../../examples/cloud-consumer/consumer.js';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/pty.js';
import { prng } from '../helpers/prng.js';
import { sleep, waitFor } from '../helpers/wait.js';

const HUB = 'hub-chaos';

describe('delivery under kill -9, broker restarts and consumer outages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-chaos-'));
  const stateDir = join(dir, 'state');
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Commits events the way the daemon does (another process, while the daemon is down). */
  function commitEvents(n: number, round: number): string[] {
    const db = openDatabase(stateDir);
    const outbox = createOutbox(db, systemClock);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const type = i % 5 === 0 ? 'alarm.test' : 'device.test';
      ids.push(outbox.append({ type, severity: i % 5 === 0 ? 'critical' : 'info', device: 'radar', state: 'info', data: { round, i } }).id);
    }
    db.close();
    return ids;
  }

  it('loses nothing and duplicates only redeliveries', async () => {
    const rand = prng(2026_11_29);
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const cfgPath = join(dir, 'anju.yaml');
    writeFileSync(cfgPath, testConfig({
      hubId: HUB, stateDir, brokerUrl: broker.url, devices: [{ id: 'radar', path: pty.devicePath }],
      delivery: 'cloud_ack', uplinkExtra: 'ack_timeout_s: 3, inflight_window: 8',
    }));
    let consumer: CloudConsumer | null = null;
    const startConsumer = async () => {
      consumer = createCloudConsumer({ url: broker.url, dbPath: join(dir, 'cloud.db'), group: 'anju-cloud' });
      await consumer.start();
    };
    cleanup.push(() => consumer?.stop());
    await startConsumer();

    const committed: string[] = commitEvents(600, 0); // a backlog from before the first start
    let kills = 0;
    for (let round = 1; kills < 20; round++) {
      const d = spawnDaemon(['--config', cfgPath]);
      await d.waitForLog('uplink connected', (l) => l.msg === 'uplink connected', 20_000);
      await sleep(50 + rand() * 400); // a random moment in the drain
      d.proc.kill('SIGKILL');
      await d.exited;
      kills++;
      committed.push(...commitEvents(5 + Math.floor(rand() * 40), round)); // raised while it was down
      if (round % 7 === 3) { await broker.stop(); await sleep(200); await broker.start(); } // broker without persistence restarts
      if (round % 9 === 5) { await consumer!.stop(); consumer = null; } // the cloud is away for a round
      if (round % 9 === 6 && !consumer) await startConsumer();
    }
    if (!consumer) await startConsumer();

    // Finally let it drain to the end.
    const final = spawnDaemon(['--config', cfgPath]);
    cleanup.push(() => final.proc.kill('SIGKILL'));
    await waitFor(`cloud contiguous up to ${committed.length}`, () => consumer!.contiguous(HUB) === committed.length, 60_000,
      () => `contiguous ${consumer!.contiguous(HUB)}, gaps ${consumer!.gaps(HUB).slice(0, 20).join(',')}`);

    const stored = consumer!.events(HUB);
    expect(stored.map((e) => e.id).sort()).toEqual([...committed].sort()); // every id, each once
    expect(stored.map((e) => e.seq)).toEqual(committed.map((_, i) => i + 1)); // gapless, one id per seq
    expect(consumer!.gaps(HUB)).toEqual([]);
    // A different id under an already stored seq would show up above as a repeated seq: so every
    // duplicate the consumer saw was a redelivery of an id it already had.
    expect(consumer!.stats().malformed).toBe(0);
    expect(kills).toBe(20);

    // The consumer's ack reaches the hub, and the hub's outbox drains to empty.
    const db = new Database(join(stateDir, 'anju.db'), { readonly: true });
    await waitFor('hub outbox empty', () => (db.prepare('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL').get() as { n: number }).n === 0, 10_000);
    db.close();
    final.proc.kill('SIGTERM');
    expect((await final.exited).code).toBe(0);
  }, 240_000);
});

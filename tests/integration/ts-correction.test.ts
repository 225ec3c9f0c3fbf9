/**
 * Issue 3, point 4: timestamps are corrected or marked, never silently wrong. The daemon (in
 * process, so its clock-sync source, wall clock and boot id can be driven: a test cannot make NTP
 * synchronise or the machine reboot) on a real SQLite file, publishing to a real Mosquitto, read by
 * a real subscriber. A hub without RTC boots in 1970. For events and for reports (report.sleep,
 * their own table and report_seq) alike:
 * - one of an earlier boot, and one published before the sync, arrive marked (ts_unsynced), and
 *   stay marked on every resend and on the cloud's resync;
 * - one stamped before the sync but held back (broker down) arrives corrected after it, with
 *   ts_corrected and the stamped value as ts_device, same id and seq (report_seq).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { createCommandClient } from '../../examples/cloud-consumer/commands.js';
import type { Clock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { DB_FILE } from '../../src/store/database.js';
import { systemBootClock } from '../../src/transports/clock/boot-clock.js';
import { createClockSyncProbe, type ClockSyncState } from '../../src/transports/clock/clock-sync.js';
import { openSystemPort } from '../../src/transports/serial/serial-transport.js';
import { createMosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Message } from '../helpers/mqtt-subscriber.js';
import { SLEEP_DATA } from '../helpers/sleep-report.js';
import { waitFor } from '../helpers/wait.js';
import { check, problems } from './uplink-contract.schemas.js';

const HUB = 'hub-clock';
const NOT_BEFORE = Date.UTC(2026, 10, 1);

describe('event and report timestamps across an NTP sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-tscorr-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks what went out before the sync or in an earlier boot, corrects what had not, never changes an id or seq; resync sends the same', async () => {
    const broker = await createMosquitto();
    cleanup.push(() => broker.stop());
    const r = parseConfig(`hub: { id: ${HUB} }
state_dir: "${join(dir, 'state')}"
control: { socket: "${join(dir, 'state', 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: cloud_ack, ack_timeout_s: 2, retry_s: 1, reconnect_min_s: 0.2, reconnect_max_s: 0.5 }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));

    // The Pi's wall clock: 1970 until NTP sets it (the offset goes to 0); the system's NTP state.
    let offset = Date.UTC(1970, 0, 1, 0, 0, 30) - Date.now();
    const wall: Clock = { now: () => Date.now() + offset };
    let ntp: ClockSyncState = 'unsynced';
    const bootIdFile = join(dir, 'boot_id');
    const startDaemon = (bootId: string): Daemon => {
      writeFileSync(bootIdFile, `${bootId}\n`);
      const d = createDaemon({
        config: r.config, log: pino({ level: 'silent' }), clock: wall, version: 'test', openPort: openSystemPort, configHash: r.hash,
        clockSync: createClockSyncProbe({ now: wall.now, notBeforeTs: NOT_BEFORE, pollMs: 50, source: (report) => report(ntp) }),
        bootClock: systemBootClock(bootIdFile), // the real monotonic clock; the boot id from our file
      });
      d.start();
      return d;
    };
    // Each step commits an event (seq n) and a report (report_seq n).
    const raise = (d: Daemon, n: number): void => {
      d.raise({ type: 'hub.config_applied', severity: 'info', device: null, state: 'info', data: { hash: `${n}`.padStart(16, '0'), previous_hash: '0'.repeat(16) } });
      d.raise({ type: 'report.sleep', severity: 'info', device: 'bed-radar', state: 'info', data: { ...SLEEP_DATA, timeInBedS: n } });
    };
    const events = await mqttSubLater(broker.url);

    // Boot A, broker not there yet: one event and one report, then the hub reboots before NTP ever synced.
    const a = startDaemon('aaaaaaaa-0000-4000-8000-000000000001');
    raise(a, 1);
    await a.stop();

    // Boot B, still 1970.
    const b = startDaemon('bbbbbbbb-0000-4000-8000-000000000002');
    cleanup.push(() => b.stop());
    await broker.start();
    const sub = await events();
    cleanup.push(() => sub.close());
    raise(b, 2);
    const e1 = await sub.waitFor('the event of boot A', (m) => m.body.seq === 1);
    const e2 = await sub.waitFor('the event published before the sync', (m) => m.body.seq === 2);
    const r1 = await sub.waitFor('the report of boot A', (m) => m.body.report_seq === 1);
    const r2 = await sub.waitFor('the report published before the sync', (m) => m.body.report_seq === 2);
    for (const e of [e1, e2, r1, r2]) expect(e.body).toMatchObject({ ts_unsynced: true });

    // The broker goes away; an event is stamped before the sync and held back.
    await broker.stop();
    await waitFor('the uplink to notice', () => b.status().uplink?.connected === false, 10_000);
    const before = Date.now();
    raise(b, 3);
    const after = Date.now();
    // NTP synchronises: the wall clock jumps to the real time.
    offset = 0;
    ntp = 'synced';
    await waitFor('seq 3 and report_seq 3 corrected in the store', () => row(3).ts_corrected !== null && row(3, 'reports').ts_corrected !== null, 10_000);
    const seq3 = row(3);
    const report3 = row(3, 'reports');
    await broker.start();

    // Resends (no cloud acks: every ack_timeout_s) bring several copies of each.
    await waitFor('two copies of every event and report after the sync', () => [1, 2, 3].every((s) => copies(sub.messages, s).length >= 2 && reportCopies(sub.messages, s).length >= 2), 30_000);
    const c3 = copies(sub.messages, 3);
    for (const m of c3) {
      expect(m.body).toMatchObject({ id: seq3.id, seq: 3, ts_corrected: true, ts_device: seq3.ts });
      expect('ts_unsynced' in m.body).toBe(false);
      // The real time it was raised, from the monotonic clock (whole ms: 2 ms of rounding either way).
      expect(m.body.ts as number).toBeGreaterThanOrEqual(before - 2);
      expect(m.body.ts as number).toBeLessThanOrEqual(after + 2);
      expect(seq3.ts).toBeLessThan(NOT_BEFORE);
    }
    const r3 = reportCopies(sub.messages, 3);
    for (const m of r3) {
      expect(m.body).toEqual(r3[0]!.body);
      expect(m.body).toMatchObject({ id: report3.id, report_seq: 3, ts_corrected: true, ts_device: report3.ts });
      expect('ts_unsynced' in m.body).toBe(false);
      expect(m.body.ts as number).toBeGreaterThanOrEqual(before - 2);
      expect(m.body.ts as number).toBeLessThanOrEqual(after + 2);
      expect(report3.ts).toBeLessThan(NOT_BEFORE);
    }
    const sameCopies = (of: (s: number) => Message[], s: number): void => {
      const first = of(s)[0]!;
      for (const m of of(s)) {
        expect(m.body).toEqual(first.body); // every copy the same: still marked, same id, ts and seq
        expect(m.body).toMatchObject({ ts_unsynced: true });
        expect('ts_corrected' in m.body).toBe(false);
      }
    };
    for (const s of [1, 2]) {
      sameCopies((x) => copies(sub.messages, x), s);
      sameCopies((x) => reportCopies(sub.messages, x), s);
    }
    for (const table of ['events', 'reports'] as const) {
      expect(row(1, table).ts_corrected).toBeNull(); // another boot: nothing to correct from
      expect(row(2, table)).toMatchObject({ ts_corrected: null, sent_unsynced: 1 });
    }

    // The cloud asks for everything again (resync, events and reports): the same copies once more.
    const cloud = connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    cleanup.push(() => cloud.endAsync(true));
    await waitFor('cloud client connected', () => cloud.connected, 10_000);
    const from = sub.messages.length;
    const res = await createCommandClient(cloud, 'tscorr/replies').request(HUB, 'resync', { since_seq: 0, since_report_seq: 0 });
    expect(res).toMatchObject({ ok: true, data: { count: 3, lastSeq: 3, reportCount: 3, lastReportSeq: 3 } });
    expect(problems('command-response.v1.json', res)).toEqual([]);
    await waitFor('the resynced copies', () => [1, 2, 3].every((s) => copies(sub.messages.slice(from), s).length >= 1 && reportCopies(sub.messages.slice(from), s).length >= 1), 10_000);
    for (const s of [1, 2, 3]) {
      for (const m of copies(sub.messages.slice(from), s)) expect(m.body).toEqual(copies(sub.messages, s)[0]!.body);
      for (const m of reportCopies(sub.messages.slice(from), s)) expect(m.body).toEqual(reportCopies(sub.messages, s)[0]!.body);
    }

    for (const m of sub.messages) {
      const file = m.topic.endsWith('/events') ? 'event.v1.json' : m.topic.endsWith('/reports') ? 'report.v1.json' : null;
      if (file) expect(problems(file, m.body)).toEqual([]);
      if (file === 'report.v1.json') expect(check(file, m.body.data, 'report.sleep.info')).toEqual([]);
    }
    expect(sub.messages.filter((m) => m.topic.endsWith('/reports')).length).toBeGreaterThanOrEqual(9);
  });

  const row = (seq: number, table: 'events' | 'reports' = 'events') => {
    const db = new Database(join(dir, 'state', DB_FILE), { readonly: true });
    try {
      return db.prepare(`SELECT id, ts, ts_corrected, sent_unsynced FROM ${table} WHERE seq = ?`).get(seq) as { id: string; ts: number; ts_corrected: number | null; sent_unsynced: number };
    } finally {
      db.close();
    }
  };
});

const copies = (ms: readonly Message[], seq: number) => ms.filter((m) => m.topic.endsWith('/events') && m.body.seq === seq);
const reportCopies = (ms: readonly Message[], reportSeq: number) => ms.filter((m) => m.topic.endsWith('/reports') && m.body.report_seq === reportSeq);

/** The subscriber connects once the broker is up (mqttSub waits for the connection). */
function mqttSubLater(url: string) {
  return () => mqttSub(url, `anju/v1/${HUB}/+`);
}

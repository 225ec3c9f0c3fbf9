/**
 * Issue 12, finding 9: durations are measured on the monotonic clock. The daemon's own wall clock
 * (and only its: libfaketime, tests/helpers/faketime.ts) is stepped by an hour, as NTP steps a hub's
 * clock. In the middle of a 30/min breathing run: backwards, the alarm used to wait for the hour to
 * pass again; forwards (a Pi without RTC booting on fake-hwclock's time, then synchronised), the run
 * restarted (the gap rule) and the inactivity stopwatch fired at once: a false alarm. The alarm must
 * come after sustain_s of real time, from the run's real start, and nothing else fire. The same for
 * what the daemon times outside the detectors: an unacknowledged event's resend and an open alarm's
 * reminder come after their delay of real time, not an hour late.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { afterAll, describe, it, type ExpectStatic } from 'vitest';
import { fakeWallClock } from '../helpers/faketime.js';
import { feedUntil, startHub } from '../helpers/hub.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

const SUSTAIN_S = 12;
const HOUR_S = 3600;

// The four hubs are independent (each its own broker, pty, daemon and libfaketime offset file):
// they run at once, and the file takes as long as its longest test, not the sum.
describe.concurrent('a wall-clock step of the daemon delays and advances nothing', () => {
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  /** A hub with one radar on a pty, its daemon's wall clock at real time + `offsetS` (libfaketime); `config` adds to the test config. */
  async function clockHub(name: string, offsetS: number, extra: { sustainS: number; delivery?: 'cloud_ack'; uplinkExtra?: string; extra?: string }) {
    // The offset file lives outside the hub's dir: the hub is created with it in its environment.
    const clockDir = mkdtempSync(join(tmpdir(), `anju-clock-${name}-`));
    cleanup.push(() => rmSync(clockDir, { recursive: true, force: true }));
    const wall = fakeWallClock(clockDir, offsetS);
    const hub = await startHub({ name: `clock-${name}`, clearAfterS: 2, ...extra, env: wall.env });
    cleanup.push(() => hub.stop());
    hub.pty.write(presence(true));
    return { hub, pty: hub.pty, sub: hub.sub, d: hub.daemon, dir: hub.dir, wall };
  }

  /**
   * A breathing run of 30/min; the daemon's wall clock goes from `fromS` to `toS` (offsets to real
   * time) once the run's first readings are committed (so they were received before the step).
   * Inactivity after 30 min without activity (and none before the run): an hour's step forward must
   * not look like an hour of silence.
   */
  async function runWithStep(expect: ExpectStatic, name: string, fromS: number, toS: number) {
    const { dir, pty, sub, d, wall } = await clockHub(name, fromS, { sustainS: SUSTAIN_S, extra: '  inactivity: { max_inactive_s: 1800, windows: [] }\n' });
    const t0 = performance.now();
    pty.write(breath(30));
    const feeder = setInterval(() => pty.write(breath(30)), 500);
    cleanup.push(() => clearInterval(feeder));
    const db = new Database(join(dir, 'state', 'anju.db'), { readonly: true });
    cleanup.push(() => db.close());
    await waitFor('the run\'s first readings committed', () => (db.prepare("SELECT count(*) AS n FROM readings WHERE metric = 'breathRatePerMin'").get() as { n: number }).n >= 3, 20_000);
    const stepRealTs = Date.now();
    wall.set(toS);
    const raised = await sub.waitFor('alarm.breathing_rate raised', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised', (SUSTAIN_S + 40) * 1000);
    const elapsedMs = performance.now() - t0;
    clearInterval(feeder);
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    // Events go out in seq order: an alarm raised by the step (inactivity) would be here already.
    const others = sub.messages.filter((m) => m.topic.endsWith('/events') && m.body.type !== 'alarm.breathing_rate').map((m) => `${m.body.type as string} ${m.body.state as string}`);
    return { raised: raised.body as { ts: number; data: { sustainedS: number; outOfBandSinceTs: number } }, elapsedMs, stepRealTs, others, logs: d.logs };
  }

  it('stepped back an hour during the run: raised after sustain_s of real time, not an hour later', async ({ expect }) => {
    const { raised, elapsedMs, stepRealTs, others, logs } = await runWithStep(expect, 'back', 0, -HOUR_S);
    // The daemon's clock really was an hour behind when it raised (its events carry its wall time).
    expect(Math.abs(raised.ts - (Date.now() - HOUR_S * 1000))).toBeLessThan(120_000);
    // Not before sustain_s of real time since the first out-of-band reading was written.
    expect(elapsedMs).toBeGreaterThanOrEqual(SUSTAIN_S * 1000 - 100);
    expect(raised.data.sustainedS).toBeGreaterThanOrEqual(SUSTAIN_S);
    expect(raised.data.sustainedS).toBeLessThan(120);
    // The run's start is told in the corrected clock: as long before the raise as it lasted, and
    // before the step (the run was not restarted by it).
    expect(Math.abs(raised.ts - raised.data.outOfBandSinceTs - raised.data.sustainedS * 1000)).toBeLessThan(5000);
    expect(raised.data.outOfBandSinceTs).toBeLessThan(stepRealTs - HOUR_S * 1000);
    expect(others).toEqual([]);
    expect(logs.some((l) => l.msg === 'wall clock stepped: detector timers moved with it' && l.stepMs as number < -3_500_000)).toBe(true);
  }, 150_000);

  it('booted an hour behind and stepped forward during the run (NTP after fake-hwclock): not raised at once', async ({ expect }) => {
    const { raised, elapsedMs, stepRealTs, others, logs } = await runWithStep(expect, 'forward', -HOUR_S, 0);
    // The hour the clock jumped was not taken for an hour without activity.
    expect(others).toEqual([]);
    expect(Math.abs(raised.ts - Date.now())).toBeLessThan(120_000);
    expect(elapsedMs).toBeGreaterThanOrEqual(SUSTAIN_S * 1000 - 100);
    expect(raised.data.sustainedS).toBeGreaterThanOrEqual(SUSTAIN_S);
    expect(raised.data.sustainedS).toBeLessThan(120);
    expect(Math.abs(raised.ts - raised.data.outOfBandSinceTs - raised.data.sustainedS * 1000)).toBeLessThan(5000);
    // The run began before the step, in the corrected clock: it was not restarted by the step.
    expect(raised.data.outOfBandSinceTs).toBeLessThan(stepRealTs);
    expect(logs.some((l) => l.msg === 'wall clock stepped: detector timers moved with it' && l.stepMs as number > 3_500_000)).toBe(true);
  }, 150_000);

  it('resends an event the cloud did not acknowledge after ack_timeout_s of real time, though the clock was set back an hour', async ({ expect }) => {
    // cloud_ack delivery and no cloud: every event waits for an ack that never comes, and is sent again.
    const { pty, sub, d, wall } = await clockHub('resend', 0, { sustainS: 1, delivery: 'cloud_ack', uplinkExtra: 'ack_timeout_s: 4' });
    const isAlarm = (m: { topic: string; body: Record<string, unknown> }) => m.topic.endsWith('/events') && m.body.type === 'alarm.breathing_rate';
    await feedUntil(pty, () => breath(30), 'the alarm published', () => sub.messages.some(isAlarm), { everyMs: 600 });
    const first = sub.messages.find(isAlarm)!;
    wall.set(-HOUR_S); // right after the publish, NTP sets the daemon's clock back an hour
    const copies = () => sub.messages.filter((m) => m.topic.endsWith('/events') && m.body.id === first.body.id).length;
    // ack_timeout_s (4 s) of real time, plus the sweep's period: not an hour.
    await waitFor('the alarm sent again', () => copies() >= 2, 30_000, () => JSON.stringify(sub.messages.map((m) => m.body.id)));
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  }, 60_000);

  it('reminds of an open alarm after renotify_s of real time, though the clock was set back an hour', async ({ expect }) => {
    const { pty, sub, d, wall } = await clockHub('remind', 0, { sustainS: 1, extra: 'alarms: { renotify_s: 8 }\n' });
    const isRaise = (m: { body: Record<string, unknown> }) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised';
    await feedUntil(pty, () => breath(30), 'the alarm raised', () => sub.messages.some(isRaise), { everyMs: 600 });
    const raised = sub.messages.find(isRaise)!;
    wall.set(-HOUR_S);
    const reminder = await sub.waitFor('a reminder', (m) => m.body.type === 'hub.alarm_reminder', 40_000);
    expect(reminder.body.data).toMatchObject({ alarm_id: raised.body.id, reminder: 1 });
    expect((reminder.body.data as { open_s: number }).open_s).toBeLessThan(120);
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  }, 90_000);
});

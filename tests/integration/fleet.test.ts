/**
 * `npm run fleet` in small (issue 17, point 2): 20 simulated hubs running the hub's real outbox and
 * uplink, through a real Mosquitto with per-hub accounts and ACL, into two anju-ingest instances on a
 * real PostgreSQL; the broker stops for 5 s while alarms keep being raised, then one ingest instance
 * is killed -9 while the hubs reconnect. The run must end with every alarm stored once and acked, no
 * seq gap per hub and epoch (checked from PostgreSQL against each hub's own database), and its
 * figures written. Short uplink times keep it lean; the district-sized run is `npm run fleet`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon-process.js';
import { requireBinary } from '../helpers/peers.js';

const FLEET = join(ROOT, 'dist/bench/fleet/run.js');

describe('npm run fleet, small: 20 hubs, a 5 s broker outage, one of two ingest instances killed -9', () => {
  const out = mkdtempSync(join(tmpdir(), 'anju-fleet-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('stores and acks every alarm raised during the outage, with no gap per hub and epoch', async () => {
    requireBinary('mosquitto', 'mosquitto');
    requireBinary('mosquitto_passwd', 'mosquitto');
    const args = [
      FLEET, '--hubs', '20', '--outage-s', '5', '--minutes', '0.2', '--ingest', '2', '--out', out,
      // Field rates sped up so that every hub raises alarms during 5 s of outage; short uplink times.
      '--alarm-every-s', '2', '--event-every-s', '4', '--reading-every-s', '1', '--telemetry-s', '5', '--heartbeat-s', '5',
      '--reconnect-max-s', '2', '--ack-timeout-s', '3', '--retry-s', '2', '--kill-ingest-after-s', '1', '--deadline-s', '90',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code, output).toBe(0);

    for (const f of ['fleet.json', 'fleet.md', 'fleet.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    const r = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8'));
    expect(r.pass, JSON.stringify(r.problems)).toBe(true);
    expect(r.gaps).toEqual({ holes: 0, missing: 0, hubsWithGap: 0 });
    // Not vacuous: alarms were raised while the broker was down, and each is stored and acked.
    expect(r.outageAlarms.raised).toBeGreaterThan(0);
    expect(r.outageAlarms.stored).toBe(r.outageAlarms.raised);
    expect(r.outageAlarms.acked).toBe(r.outageAlarms.raised);
    expect(r.totals.storedRows).toBe(r.totals.committed);
    expect(r.totals.alarmsAcked).toBe(r.totals.alarmsRaised);
    // Every hub reconnected after the outage; the killed instance had a share, the survivor took over.
    expect(r.reconnects.count).toBeGreaterThanOrEqual(20);
    const [survivor, killed] = r.ingest;
    expect(killed.killed).toBe(true);
    expect(killed.storedBeforeKill).toBeGreaterThan(0);
    expect(survivor.storedAfterKill).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'fleet.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  }, 300_000);
});

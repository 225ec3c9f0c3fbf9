/**
 * Issue 12, finding 11: an MR60BHA2 breathing rate of 3e38 /min raised a critical
 * alarm.breathing_rate. Through the real daemon and a socat pty: frames carrying 3e38 (and NaN and
 * Infinity, which a float32 can carry) raise nothing and are counted per device as implausible; a
 * real out-of-band run (30 /min) right after still raises the alarm.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../../src/cli/client.js';
import type { DaemonStatus } from '../../src/daemon/daemon.js';
import { encodeFrame } from '../../src/drivers/seeed-mr60bha2/framer.js';
import { TYPE } from '../../src/drivers/seeed-mr60bha2/decode.js';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { ctl } from '../helpers/scripted-cli.js';
import { sleep, waitFor } from '../helpers/wait.js';

const float32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return b;
};
const presence = encodeFrame(TYPE.PRESENCE, [1]);
const breath = (perMin: number): Buffer => encodeFrame(TYPE.BREATH_RATE, float32(perMin));

describe('implausible readings through the daemon (issue 12, finding 11)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-implausible-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a breathing rate of 3e38 raises nothing and is counted; 30 /min still raises the alarm', async () => {
    expect(Math.fround(3e38)).toBeLessThan(Infinity); // a finite float32: the driver passes it on
    const pty = await createPtyPair(dir, 'mr60bha2');
    cleanup.push(() => pty.unplug());
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-implausible/events');
    cleanup.push(() => events.close());
    const socket = join(dir, 'state', 'anjud.sock');
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: hub-implausible }
state_dir: "${join(dir, 'state')}"
control: { socket: "${socket}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
devices:
  - { id: bed-radar, model: seeed-mr60bha2, room: bedroom, serial: { path: "${pty.devicePath}" } }
detectors:
  breathing_rate: { sustain_s: 2, clear_after_s: 1 }
`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('serial port open', (l) => l.msg === 'serial port open');
    const device = async () => ((await request(socket, 'get-status')).data as DaemonStatus).devices.find((x) => x.id === 'bed-radar')!.ingest!;

    // 3e38 for twice the sustain time: on the old code this raised the critical alarm.
    const absurd = 20;
    for (let i = 0; i < absurd; i++) {
      pty.write(Buffer.concat([presence, breath(3e38), breath(Number.NaN), breath(Number.POSITIVE_INFINITY)]));
      await sleep(200); // the radar's pace: the sustain timer runs on receive times
    }
    // A real out-of-band run behind them on the same line: raised, with the real rate (on the old
    // code the alarm was already open, raised by 3e38).
    for (let i = 0; i < 40 && !events.messages.some((m) => m.body.type === 'alarm.breathing_rate'); i++) {
      pty.write(Buffer.concat([presence, breath(30)]));
      await sleep(200);
    }
    const raised = await events.waitFor('alarm.breathing_rate', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised');
    expect(raised.body.data).toMatchObject({ breathRatePerMin: 30, direction: 'high' });
    expect(events.messages.filter((m) => m.body.type === 'alarm.breathing_rate')).toHaveLength(1);
    // Counted per device, and logged with device, metric, value and bound (rate-limited: once here).
    expect((await device()).implausible).toBe(absurd);
    // NaN and Infinity never get that far: the driver rejects them (counted with the unknown frames).
    expect((await device()).driver!.unknownFrames).toBeGreaterThanOrEqual(2 * absurd);
    const logged = d.logs.filter((l) => l.code === 'ANJU_ERR_IMPLAUSIBLE');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ device: 'bed-radar', metric: 'breathRatePerMin', value: 3e38, min: 0, max: 100, unit: '1/min' });
    // The technician sees it in diagnose.
    const diag = JSON.parse(ctl(['diagnose', '--json', '--config', cfg, '--socket', socket]).stdout) as { findings: Array<{ code: string; level: string; vars?: unknown }> };
    expect(diag.findings).toContainEqual(expect.objectContaining({ code: 'dgImplausible', level: 'warn' }));
    expect(d.proc.exitCode).toBeNull();
  });
});

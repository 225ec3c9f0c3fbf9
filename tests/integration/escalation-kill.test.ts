/**
 * kill -9 in the middle of a ladder (issue 15 acceptance): the built daemon, with a spool channel
 * (tests/helpers/spool-channel-daemon.mjs) so the test sees every SMS and call across processes.
 * An SOS press (Zigbee2MQTT action) starts the ladder; SMS to A is done, the SMS to B is in flight,
 * kill -9. After the restart: A is not sent again (done before the kill), B is sent again (in flight:
 * at least once, marked resumed), C is called, nothing skipped; the events say so, in order.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnJsonLogging, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { waitFor } from '../helpers/wait.js';

const A = '+8613800000001';
const B = '+8613800000002';
const C = '+8613800000003';

describe('escalation ladder across kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-esc-kill-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes where it was: no rung done is repeated, the one in flight runs again, none is skipped', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-kill/events');
    cleanup.push(() => events.close());
    const state = join(dir, 'state');
    const cfg = join(dir, 'anju.yaml');
    const spool = join(dir, 'spool.jsonl');
    writeFileSync(cfg, `hub: { id: hub-kill }
state_dir: "${state}"
control: { socket: "${join(state, 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee2mqtt: { url: "${broker.url}" }
devices:
  - { id: pendant, model: heiman-hs1eb, room: bedroom, z2m: { friendly_name: "Pendant" } }
escalation:
  step_interval_s: 0.3
  contacts:
    - { name: A, phone: "${A}", call: false }
    - { name: B, phone: "${B}", call: false }
    - { name: C, phone: "${C}", sms: false }
`);
    const start = (env: Record<string, string>): DaemonProcess => {
      const d = spawnJsonLogging(join(ROOT, 'tests/helpers/spool-channel-daemon.mjs'), [cfg, spool], env, 'esc-kill');
      cleanup.push(() => d.proc.kill('SIGKILL'));
      return d;
    };
    const spooled = () => (existsSync(spool) ? readFileSync(spool, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; to: string; pid: number }) : []);

    const first = start({ HOLD_SMS_TO: B });
    await first.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
    const z2m = connect(broker.url, { protocolVersion: 5 });
    cleanup.push(() => z2m.endAsync());
    await waitFor('z2m test client', () => z2m.connected);
    // The daemon's Zigbee2MQTT client subscribes right after it connects: press until the SOS is raised.
    await waitFor('alarm.sos raised', async () => {
      await z2m.publishAsync('zigbee2mqtt/Pendant', JSON.stringify({ action: 'emergency' }), { qos: 1 });
      return events.messages.some((m) => m.body.type === 'alarm.sos');
    });
    await first.waitForLog('the SMS to A committed as sent', (l) => l.msg === 'hub.escalation_sms_sent info');
    await waitFor('the SMS to B in flight', () => spooled().some((s) => s.kind === 'sms_started' && s.to === B));
    first.proc.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = start({});
    await second.waitForLog('the call to C', (l) => l.msg === 'hub.escalation_call_made info');
    await events.waitFor('the ladder ran out', (m) => m.body.type === 'hub.escalation_stopped');
    const sent = spooled().filter((s) => s.kind !== 'sms_started');
    expect(sent.map((s) => [s.kind, s.to, s.pid === first.proc.pid ? 'first' : 'second'])).toEqual([
      ['sms', A, 'first'],
      ['sms', B, 'second'], // in flight at the kill: sent again (at least once)
      ['call', C, 'second'],
    ]);

    // The cloud dedups by id: an event published just before the kill, its PUBACK mark not yet written,
    // is published again after the restart (at-least-once delivery, docs/uplink.md §3).
    const unique = [...new Map(events.messages.map((m) => [m.body.id as string, m.body])).values()];
    const esc = unique.filter((b) => String(b.type).startsWith('hub.escalation_'));
    const seqs = unique.map((b) => b.seq as number);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i)); // none lost, in order
    const d = (b: Record<string, unknown>) => b.data as Record<string, unknown>;
    expect(esc.map((b) => [b.type, d(b).contact ?? d(b).action ?? d(b).reason ?? null, d(b).resumed ?? null])).toEqual([
      ['hub.escalation_started', 'immediate', null],
      ['hub.escalation_step', 'sound', false],
      ['hub.escalation_sounded', null, null],
      ['hub.escalation_step', 'A', false],
      ['hub.escalation_sms_sent', 'A', null],
      ['hub.escalation_step', 'B', false],
      ['hub.escalation_step', 'B', true],
      ['hub.escalation_sms_sent', 'B', null],
      ['hub.escalation_step', 'C', false],
      ['hub.escalation_call_made', 'C', null],
      ['hub.escalation_stopped', 'exhausted', null],
    ]);
    second.proc.kill('SIGTERM');
    await second.exited;
  });
});

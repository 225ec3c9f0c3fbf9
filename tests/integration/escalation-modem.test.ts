/**
 * The escalation ladder with the real contact channel (issue 15): the modem transport on a fake modem
 * on a socat pty (tests/helpers/fake-modem.ts, the modem branch's), in the running daemon. An SOS
 * starts the ladder at once: the SMS to contact 1 leaves as a UCS-2 PDU that an independent decoder
 * reads back to the exact Chinese and English text, then contact 2 is dialled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { openSystemPort } from '../../src/transports/serial/serial-transport.js';
import { createFakeModem, type FakeModem } from '../helpers/fake-modem.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { decodeSubmit } from '../helpers/submit-pdu.js';
import { waitFor } from '../helpers/wait.js';

describe('escalation through the modem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-esc-modem-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A daemon in-process with the fake modem on a pty, its own broker and an events subscriber. */
  async function home(hubId: string, modemName: string, name: string | null, escalationYaml: string, modemState: Parameters<FakeModem['set']>[0] = {}) {
    const fake = await createFakeModem(dir, modemName);
    cleanup.push(() => fake.stop());
    fake.set(modemState);
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, `anju/v1/${hubId}/events`);
    cleanup.push(() => events.close());
    const state = join(dir, hubId);
    const r = parseConfig(`hub: { id: ${hubId}${name ? `, name: ${name}` : ''}, timezone: Asia/Shanghai }
state_dir: "${state}"
control: { socket: "${join(state, 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
modem: { port: "${fake.pty.devicePath}", model: simcom-sim7600, pin: "8642", check_s: 0.5, status_settle_s: 0, prompt_s: 0.5 }
escalation:${escalationYaml}
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const daemon = createDaemon({ config: r.config, log: pino({ level: 'silent' }), clock: systemClock, version: 'test', openPort: openSystemPort, configHash: r.hash });
    daemon.start();
    cleanup.push(() => daemon.stop());
    await waitFor('the modem ready', () => daemon.status().escalation?.channel?.state === 'ready');
    return { fake, events, daemon };
  }

  it('SOS: an SMS to contact 1 that decodes to the exact text, then a call to contact 2', async () => {
    const { fake, events, daemon } = await home('hub-escm', 'modem', '王家', `
  step_interval_s: 0.2
  contacts:
    - { name: 女儿, phone: "+8613800000001", call: false }
    - { name: Neighbour, phone: "+8613800000002", sms: false }`);
    daemon.raise({ type: 'alarm.sos', severity: 'critical', device: null, state: 'raised', data: { source: 'ias' } });
    const sent = await events.waitFor('the SMS sent', (m) => m.body.type === 'hub.escalation_sms_sent');
    // Both languages do not fit one UCS-2 SMS (70 units): concatenated parts, read back in order.
    const parts = fake.pdus.map((p) => decodeSubmit(p.hex));
    expect(parts.length).toBe((sent.body.data as { parts: number }).parts);
    expect(new Set(parts.map((p) => p.to))).toEqual(new Set(['+8613800000001']));
    const sms = { text: parts.sort((a, b) => (a.concat?.seq ?? 1) - (b.concat?.seq ?? 1)).map((p) => p.text).join('') };
    const raisedAt = events.messages.find((m) => m.body.type === 'alarm.sos')?.body.ts as number;
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(raisedAt);
    expect(sms.text).toBe(`【安居】紧急：王家 紧急呼叫按钮（${hhmm}）。回复1表示您来处理。Anju ALERT: SOS button pressed at 王家, ${hhmm}. Reply 1 if you are handling it.`);
    await waitFor('contact 2 dialled', () => fake.dialled.length >= 1);
    expect(fake.dialled[0]).toContain('8613800000002');
    const made = await events.waitFor('call made', (m) => m.body.type === 'hub.escalation_call_made' || m.body.type === 'hub.escalation_call_failed');
    expect(made.body.data).toMatchObject({ contact: 'Neighbour' });
    expect(sent.body.data).toMatchObject({ contact: '女儿', phone: '+8613800000001' });
  });

  it('the SOS cleared while contact 1 rings: the call is hung up at once and reported cancelled', async () => {
    const { fake, events, daemon } = await home('hub-escc', 'modem2', null, `
  step_interval_s: 0.2
  call_ring_s: 60
  contacts:
    - { name: Son, phone: "+8613800000003", sms: false }`, { call: 'ring' }); // nobody answers: without the hang-up it rings the whole call_ring_s (60 s)
    daemon.raise({ type: 'alarm.sos', severity: 'critical', device: null, state: 'raised', data: { source: 'ias' } });
    await waitFor('contact 1 dialled', () => fake.dialled.length >= 1);
    const hangups = fake.commands.filter((c) => c === 'ATH').length;
    daemon.raise({ type: 'alarm.sos', severity: 'critical', device: null, state: 'cleared', data: { source: 'ias', reason: 'reset' } });
    const failed = await events.waitFor('the call reported', (m) => m.body.type === 'hub.escalation_call_made' || m.body.type === 'hub.escalation_call_failed', 30_000);
    expect(failed.body).toMatchObject({ type: 'hub.escalation_call_failed', data: { contact: 'Son', code: 'cancelled', final: true } });
    expect(fake.commands.filter((c) => c === 'ATH').length).toBeGreaterThan(hangups);
    expect(fake.dialled).toHaveLength(1);
  });

  it("a call waiting behind another alarm's ringing call is never made once its own alarm is cleared", async () => {
    const { fake, events, daemon } = await home('hub-escq', 'modem3', null, `
  step_interval_s: 0.2
  call_ring_s: 60
  contacts:
    - { name: Son, phone: "+8613800000004", sms: false }`, { call: 'ring' });
    const sos = (device: string | null, state: 'raised' | 'cleared') =>
      daemon.raise({ type: 'alarm.sos', severity: 'critical', device, state, data: { source: 'ias', ...(state === 'cleared' ? { reason: 'reset' } : {}) } });
    sos(null, 'raised');
    await waitFor('the first alarm\'s call dialled', () => fake.dialled.length >= 1);
    sos('pendant-2', 'raised'); // a second button: its ladder's call waits for the line
    await events.waitFor('the second ladder\'s call step', (m) => m.body.type === 'hub.escalation_step' && m.body.device === 'pendant-2' && (m.body.data as { action?: string }).action === 'call');
    sos('pendant-2', 'cleared');
    sos(null, 'cleared'); // the first call is hung up; the line is free for the waiting one, which must not ring
    const isCallResult = (m: { body: Record<string, unknown> }) => m.body.type === 'hub.escalation_call_made' || m.body.type === 'hub.escalation_call_failed';
    await waitFor('both calls reported', () => events.messages.filter(isCallResult).length >= 2, 30_000);
    expect(events.messages.filter(isCallResult).map((m) => [m.body.type, (m.body.data as { code?: string }).code])).toEqual([
      ['hub.escalation_call_failed', 'cancelled'], ['hub.escalation_call_failed', 'cancelled'],
    ]);
    expect(fake.dialled).toHaveLength(1);
  });
});

/**
 * The modem channel (src/transports/modem/) against a fake modem on a real serial line (a socat pty
 * pair; tests/helpers/fake-modem.ts, written from TS 27.005/27.007): start-up, SMS out (checked with
 * an independent PDU decoder, tests/helpers/submit-pdu.ts), replies and delivery reports in, calls,
 * and every failure state as a status and a code, never a crash; a reboot and an unplug recover.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/escalation/contact-channel.js';
import { deviceCatalogue } from '../../src/drivers/catalogue.js';
import { modemSettingsSchema } from '../../src/transports/modem/config.js';
import { openModemChannel } from '../../src/transports/modem/transport.js';
import type { Modem } from '../../src/transports/modem/types.js';
import { createFakeModem, deliverPdu, waitForPdus, type FakeModem } from '../helpers/fake-modem.js';
import { decodeSubmit } from '../helpers/submit-pdu.js';
import { waitFor } from '../helpers/wait.js';

const CONTACT = '+8613912345678';
const catalogue = deviceCatalogue();

function channel(fake: FakeModem, extra: Record<string, unknown> = {}) {
  const settings = modemSettingsSchema(catalogue.models('modem')).parse({
    port: fake.pty.devicePath, model: 'quectel-ec2x', check_s: 0.5, command_timeout_s: 5, sms_timeout_s: 10, prompt_s: 0.3,
    reconnect_min_s: 0.2, reconnect_max_s: 0.5, ...extra,
  });
  const inbound: InboundMessage[] = [];
  const m = openModemChannel(settings, { catalogue, log: pino({ level: 'silent' }), now: () => Date.now() });
  m.onInbound((x) => inbound.push(x));
  return { m, inbound };
}

const ready = (m: Modem, what = 'modem ready') => waitFor(what, () => m.status().state === 'ready', undefined, () => JSON.stringify(m.status()));

describe('modem channel against a fake modem on a pty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modem-'));
  let fake: FakeModem;
  let m: Modem;
  let inbound: InboundMessage[];

  beforeAll(async () => {
    fake = await createFakeModem(dir);
    ({ m, inbound } = channel(fake));
    m.start();
    await ready(m);
  });
  afterAll(async () => {
    await m?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('initialises the module (TS 27.007/27.005) and reports signal and operator', () => {
    for (const c of ['ATE0', 'AT+CMEE=1', 'AT+CPIN?', 'AT+CMGF=0', 'AT+CNMI=2,1,0,1,0', 'AT+CREG?', 'AT+CSQ', 'AT+COPS?']) expect(fake.commands).toContain(c);
    expect(m.status()).toMatchObject({ state: 'ready', rssiDbm: -73, operator: 'CHINA MOBILE' });
  });

  it('sends "火警：请立即离开" as one UCS-2 PDU that decodes to exactly that text', async () => {
    const n = fake.pdus.length;
    const r = await m.sendSms(CONTACT, '火警：请立即离开');
    expect(r).toEqual({ ok: true, refs: [fake.pdus[n]!.mr], parts: 1 });
    const d = decodeSubmit(fake.pdus[n]!.hex);
    expect(d).toMatchObject({ to: CONTACT, toa: 0x91, dcs: 0x08, statusReportRequested: true, concat: null, text: '火警：请立即离开' });
    expect(d.tpduLength).toBe(fake.pdus[n]!.length);
  });

  it('sends a long Chinese message as 3 concatenated parts with one reference', async () => {
    const text = '火警：厨房烟雾报警。请立即离开房间，不要乘坐电梯，关好门。已通知家属和物业。'.repeat(4);
    const n = fake.pdus.length;
    const r = await m.sendSms(CONTACT, text);
    if (!r.ok) throw new Error(r.detail);
    expect(r.parts).toBe(3);
    const parts = fake.pdus.slice(n).map((p) => decodeSubmit(p.hex));
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.map((p) => p.concat?.seq)).toEqual([1, 2, 3]);
    expect(new Set(parts.map((p) => `${p.concat?.ref}/${p.concat?.total}`)).size).toBe(1);
    expect(r.refs).toEqual(fake.pdus.slice(n).map((p) => p.mr));
  });

  it('maps a status report (+CDS) to delivery_report with its reference', async () => {
    const r = await m.sendSms(CONTACT, '测试');
    if (!r.ok) throw new Error(r.detail);
    fake.statusReport(r.refs[0]!, CONTACT, 0x00);
    const rep = await waitFor('delivery report', () => inbound.find((x) => x.kind === 'delivery_report' && x.ref === r.refs[0]));
    expect(rep).toMatchObject({ kind: 'delivery_report', ref: r.refs[0], to: CONTACT, delivered: true, status: 0 });
  });

  it('a reply SMS "1" arrives as an inbound sms, and is deleted from the SIM', async () => {
    fake.deliver(deliverPdu(CONTACT, '1'));
    const sms = await waitFor('reply sms', () => inbound.find((x) => x.kind === 'sms'));
    expect(sms).toMatchObject({ kind: 'sms', from: CONTACT, text: '1' });
    await waitFor('message deleted', () => fake.stored.size === 0);
  });

  it('a long reply in two parts, the second first, arrives as one sms', async () => {
    const before = inbound.filter((x) => x.kind === 'sms').length;
    fake.deliver(deliverPdu(CONTACT, '马上到，', { ref: 9, total: 2, seq: 2 }));
    fake.deliver(deliverPdu(CONTACT, '我是女儿。', { ref: 9, total: 2, seq: 1 }));
    await waitFor('reassembled reply', () => inbound.filter((x) => x.kind === 'sms').length > before);
    expect(inbound.filter((x) => x.kind === 'sms').slice(before)).toEqual([expect.objectContaining({ from: CONTACT, text: '我是女儿。马上到，' })]);
    await waitFor('both parts deleted', () => fake.stored.size === 0);
  });

  it('+CMS ERROR 330 is rejected with the spec\'s meaning', async () => {
    fake.set({ cmgsError: 330 });
    expect(await m.sendSms(CONTACT, 'x')).toEqual({ ok: false, code: 'rejected', detail: 'AT+CMGS part 1/1: +CMS ERROR: 330 (SMSC address unknown)' });
  });

  it('an incoming call (RING, +CLIP) from a contact is surfaced once as ring, and rejected', async () => {
    const hangups = fake.commands.filter((c) => c === 'ATH').length;
    fake.ring(CONTACT);
    fake.ring(CONTACT);
    await waitFor('ring', () => inbound.find((x) => x.kind === 'ring'));
    await waitFor('ATH', () => fake.commands.filter((c) => c === 'ATH').length > hangups);
    expect(inbound.filter((x) => x.kind === 'ring')).toEqual([expect.objectContaining({ kind: 'ring', from: CONTACT })]);
  });

  it('calls: answered, prompt played into the call, hung up; busy is busy', async () => {
    fake.set({ call: 'answer' });
    expect(await m.call(CONTACT, { promptFile: '/usr/share/anju/prompts/fire-zh.wav', ringSeconds: 10 })).toEqual({ ok: true, answered: true, promptPlayed: true });
    expect(fake.played).toEqual(['UFS:fire-zh.wav']);
    expect(fake.commands.at(-1)).toBe('ATH');
    fake.set({ call: 'ring' });
    expect(await m.call(CONTACT, { ringSeconds: 1 })).toEqual({ ok: true, answered: false, promptPlayed: false });
    fake.set({ call: 'busy' });
    expect(await m.call(CONTACT, { ringSeconds: 5 })).toMatchObject({ ok: false, code: 'busy' });
  });

  it('a call called off while it rings is hung up at once; one called off while it waits for the line is never dialled', async () => {
    fake.set({ call: 'ring' }); // nobody answers: without the hang-up it would ring for the whole 60 s
    const dialled = fake.dialled.length;
    const ringingOff = new AbortController();
    const waitingOff = new AbortController();
    const ringing = m.call(CONTACT, { ringSeconds: 60, signal: ringingOff.signal });
    const waiting = m.call('+8613900000001', { ringSeconds: 60, signal: waitingOff.signal });
    await waitFor('the first call dialled', () => fake.dialled.length > dialled);
    waitingOff.abort();
    const hangups = fake.commands.filter((c) => c === 'ATH').length;
    ringingOff.abort();
    expect(await ringing).toMatchObject({ ok: false, code: 'cancelled' });
    expect(fake.commands.filter((c) => c === 'ATH').length).toBe(hangups + 1);
    expect(await waiting).toMatchObject({ ok: false, code: 'cancelled', detail: expect.stringContaining('before dialling') });
    expect(fake.dialled.slice(dialled)).toHaveLength(1);
  });

  it('no network: status no_network, sends fail with no_network; back when registered', async () => {
    fake.set({ creg: 3, cereg: 3 });
    fake.urc('+CREG: 3');
    fake.urc('+CEREG: 3');
    await waitFor('no_network', () => m.status().state === 'no_network');
    expect(await m.sendSms(CONTACT, 'x')).toMatchObject({ ok: false, code: 'no_network' });
    fake.set({ creg: 2, cereg: 2 });
    await waitFor('searching', () => m.status().state === 'searching');
    fake.set({ creg: 5, cereg: 0 });
    fake.urc('+CREG: 5');
    await ready(m, 'ready again, roaming');
    expect(m.status().detail).toContain('roaming');
  });

  it('garbage on the line and a module reboot (RDY, echo back on): initialised again, no crash', async () => {
    const opens = fake.commands.filter((c) => c === 'ATE0').length;
    fake.garbage(Uint8Array.from([0x00, 0xff, 0x13, 0x80, 0x0d, 0x0a, 0xfe]));
    fake.reboot();
    await waitFor('re-initialised', () => fake.commands.filter((c) => c === 'ATE0').length > opens && m.status().state === 'ready');
    expect(m.stats().restarts).toBeGreaterThan(0);
    expect(m.stats().at.garbageBytes).toBeGreaterThan(0);
    expect((await m.sendSms(CONTACT, '好')).ok).toBe(true);
  });

  it('SIM missing (+CME ERROR: 10) after a reboot: sim_missing, sends fail with sim_missing', async () => {
    fake.set({ sim: 'missing' });
    fake.reboot();
    await waitFor('sim_missing', () => m.status().state === 'sim_missing');
    expect(await m.sendSms(CONTACT, 'x')).toMatchObject({ ok: false, code: 'sim_missing' });
    expect(await m.call(CONTACT, { ringSeconds: 1 })).toMatchObject({ ok: false, code: 'sim_missing' });
    fake.set({ sim: 'ready' });
    await ready(m, 'ready once the SIM is back (periodic check)');
  });

  it('unplugged: unavailable, modem_unavailable; re-plugged: ready and sending again', async () => {
    await fake.unplug();
    await waitFor('unavailable', () => m.status().state === 'unavailable');
    expect(await m.sendSms(CONTACT, 'x')).toMatchObject({ ok: false, code: 'modem_unavailable' });
    await fake.plug();
    await ready(m, 'ready after re-plug');
    const n = fake.pdus.length;
    expect((await m.sendSms(CONTACT, '恢复')).ok).toBe(true);
    await waitForPdus(fake, n + 1);
    expect(decodeSubmit(fake.pdus[n]!.hex).text).toBe('恢复');
  });
});

describe('SIM PIN', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modem-pin-'));
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the configured PIN unlocks the SIM', async () => {
    const fake = await createFakeModem(dir, 'pin-ok');
    stops.push(() => fake.stop());
    fake.set({ sim: 'pin', pin: '4321' });
    const { m } = channel(fake, { pin: '4321' });
    stops.push(() => m.stop());
    m.start();
    await ready(m);
    expect(fake.commands.filter((c) => c.startsWith('AT+CPIN='))).toEqual(['AT+CPIN="4321"']);
  });

  it('a wrong PIN: sim_pin_required, tried once only (never locks the SIM), and not in the detail', async () => {
    const fake = await createFakeModem(dir, 'pin-bad');
    stops.push(() => fake.stop());
    fake.set({ sim: 'pin', pin: '4321' });
    const { m } = channel(fake, { pin: '9999' });
    stops.push(() => m.stop());
    m.start();
    await waitFor('sim_pin_required', () => m.status().state === 'sim_pin_required' && fake.commands.filter((c) => c === 'AT+CPIN?').length >= 3);
    expect(fake.commands.filter((c) => c.startsWith('AT+CPIN='))).toHaveLength(1);
    expect(fake.state.sim).toBe('pin');
    expect(m.status().detail).not.toContain('9999');
    expect(await m.sendSms(CONTACT, 'x')).toMatchObject({ ok: false, code: 'sim_pin_required' });
  });
});

describe('a module that stops answering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modem-silent-'));
  let fake: FakeModem;
  let m: Modem;
  afterAll(async () => {
    await m?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reopened after three unanswered commands, not waited on forever', async () => {
    fake = await createFakeModem(dir, 'silent');
    // Short command timeouts here only: unanswered commands are what this test is about.
    ({ m } = channel(fake, { command_timeout_s: 0.5 }));
    m.start();
    await ready(m);
    const opens = m.stats().opens;
    fake.set({ silent: true });
    await waitFor('the port closed and reopened after commands went unanswered', () => m.stats().opens > opens, undefined, () => JSON.stringify(m.stats()));
    expect(m.stats().at.timeouts).toBeGreaterThanOrEqual(3);
    fake.set({ silent: false });
    await ready(m, 'ready once it answers again');
  });
});

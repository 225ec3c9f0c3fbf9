/**
 * Issue 15's main acceptance, end to end through the BUILT daemon with the real paths: a radar on a
 * socat pty whose breathing stops (the real apnea detector raises alarm.apnea), the cloud's broker
 * down, the siren through the home's Zigbee2MQTT broker, the prompt played by the real aplay into an
 * ALSA `file` PCM, the SMS and the call through the modem transport on a fake modem (pty), a reply
 * SMS "1" that stops the ladder, then the cloud's broker back: every event reaches the cloud, in order.
 *
 * The cloud is a subscriber with a persistent session (clean start off, a session expiry) on a broker
 * that keeps sessions across a restart, as a cloud consumer and broker do: it subscribes before the
 * outage, so what the hub publishes when the broker returns waits for it, whoever connects first.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonStatus, serialPortsOpen } from '../helpers/control.js';
import { spawnDaemon, ROOT } from '../helpers/daemon-process.js';
import { createFakeModem, deliverPdu } from '../helpers/fake-modem.js';
import { feedUntil } from '../helpers/hub.js';
import { createMosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Message } from '../helpers/mqtt-subscriber.js';
import { requireBinary } from '../helpers/peers.js';
import { createPtyPair } from '../helpers/pty.js';
import { decodeSubmit } from '../helpers/submit-pdu.js';
import { waitFor } from '../helpers/wait.js';
import { breath, noBreath, presence } from './frames.js';

const HUB = 'hub-esc-e2e';
const DAUGHTER = '+8613800000001';
const NEIGHBOUR = '+8613800000002';
const PROMPTS = join(ROOT, 'prompts');
const EVENTS = `anju/v1/${HUB}/events`;

/** The PCM samples of a WAV file (after its 44-byte header: espeak-ng writes the canonical one). */
const pcmOf = (file: string) => readFileSync(file).subarray(44);
const warningMode = (m: Message) => (m.body.warning as { mode?: string } | undefined)?.mode;

describe('escalation end to end through the built daemon (issue 15 acceptance)', () => {
  requireBinary('aplay', 'alsa-utils');
  const dir = mkdtempSync(join(tmpdir(), 'anju-esc-e2e-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The cloud's consumer: one persistent MQTT session, its messages in arrival order. */
  const cloudSession = async (url: string, messages: Message[]) => {
    const client = connect(url, { protocolVersion: 5, clientId: `cloud-${HUB}`, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 0 });
    client.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await waitFor('the cloud consumer connected', () => client.connected, 10_000);
    return client;
  };

  it('broker down: apnea from the radar -> siren -> prompt -> SMS to contact 1 -> call to contact 2; a reply SMS stops it; the cloud gets every event in order', async () => {
    // The ALSA configuration the daemon's aplay reads: one PCM, `anjutest`, writing what is played to a file.
    const played = join(dir, 'played.raw');
    const asoundrc = join(dir, 'asoundrc');
    writeFileSync(asoundrc, `pcm.anjutest {\n  type file\n  slave.pcm { type null }\n  file "${played}"\n  format "raw"\n}\n`);

    // The cloud subscribes (persistent session), then its broker goes down for the whole ladder.
    const cloud = await createMosquitto(undefined, { persistence: true });
    cleanup.push(() => cloud.stop());
    await cloud.start();
    const received: Message[] = [];
    const first = await cloudSession(cloud.url, received);
    await first.subscribeAsync(EVENTS, { qos: 1 });
    await first.endAsync();
    await cloud.stop();

    const home = await startMosquitto(); // the home's Zigbee2MQTT broker
    cleanup.push(() => home.stop());
    const siren = await mqttSub(home.url, 'zigbee2mqtt/Hall siren/set');
    cleanup.push(() => siren.close());
    const modem = await createFakeModem(dir);
    cleanup.push(() => modem.stop());
    modem.set({ call: 'ring' }); // nobody answers the neighbour's phone: it rings until the network gives up
    const radar = await createPtyPair(dir, 'bed-radar');
    cleanup.push(() => radar.unplug());

    const state = join(dir, 'state');
    const socket = join(state, 'anjud.sock');
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: ${HUB}, name: 王家, timezone: Asia/Shanghai }
state_dir: "${state}"
control: { socket: "${socket}" }
uplink: { url: "${cloud.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 0.5 }
zigbee2mqtt: { url: "${home.url}" }
modem: { port: "${modem.pty.devicePath}", model: simcom-sim7600, check_s: 0.5, status_settle_s: 0 }
devices:
  - { id: bed-radar, model: seeed-mr60bha1, room: bedroom, serial: { path: "${radar.devicePath}" } }
  - { id: hall-siren, model: heiman-hs2wd-e, room: hall, z2m: { friendly_name: "Hall siren" } }
detectors:
  apnea: { min_pause_s: 1, alarm_after_s: 2 }
  vital_signs_lost: { enabled: false }
escalation:
  cloud_confirm_s: 1
  ack_within_s: 2
  uplink_down_s: 1
  step_interval_s: 0.5
  retry_s: 0.5
  call_ring_s: 120 # the network ends the unanswered call first (below): the test, not a timer, says when
  contacts:
    - { name: 女儿, phone: "${DAUGHTER}", call: false }
    - { name: Neighbour, phone: "${NEIGHBOUR}", sms: false }
  siren: { device: hall-siren, duration_s: 120 }
  prompts: { alsa_device: anjutest, languages: [zh, en] }
`);
    const daemon = spawnDaemon(['--config', cfg], { env: { ALSA_CONFIG_PATH: asoundrc } });
    cleanup.push(async () => { if (daemon.proc.exitCode === null) { daemon.proc.kill('SIGKILL'); await daemon.exited; } });
    const status = () => daemonStatus(socket);
    await waitFor('the radar port open', () => serialPortsOpen(socket));
    await waitFor('the modem ready and the siren reachable', async () => {
      const s = await status();
      return s.escalation?.channel?.state === 'ready' && s.zigbee2mqtt?.state === 'connected';
    }, undefined, () => JSON.stringify(daemon.logs.slice(-30)));

    // Presence and breathing, then the breathing stops: the apnea detector raises the alarm, and with
    // the uplink down the ladder sounds the home first.
    await feedUntil(radar, () => [presence(true), breath(14)], 'the radar seen breathing', async () => (await status()).devices.find((d) => d.id === 'bed-radar')?.ingest?.lastSeenTs);
    await feedUntil(radar, () => [presence(true), noBreath()], 'the siren warning', () => siren.messages.some((m) => warningMode(m) === 'emergency'));
    const warn = siren.messages.find((m) => warningMode(m) === 'emergency')!;
    expect(warn.body).toEqual({ warning: { mode: 'emergency', level: 'very_high', strobe: true, duration: 120 } });

    // The prompt "你还好吗？..." then "Are you all right? ..." was really played: its samples reached the sink.
    const zh = pcmOf(join(PROMPTS, 'are-you-ok.zh.wav'));
    await waitFor('the Mandarin prompt played to the ALSA file sink', () => existsSync(played) && statSync(played).size >= zh.length && readFileSync(played).indexOf(zh.subarray(0, 4096)) >= 0);
    await waitFor('the English prompt played after it', () => readFileSync(played).indexOf(pcmOf(join(PROMPTS, 'are-you-ok.en.wav')).subarray(0, 4096)) > 0);

    // The SMS to contact 1 through the modem, then contact 2 dialled; nobody acknowledges yet.
    await waitFor('contact 2 dialled', () => modem.dialled.length > 0, undefined, () => modem.commands.slice(-30).join('\n'));
    expect(modem.dialled).toEqual([NEIGHBOUR]);
    const smsParts = modem.pdus.length;
    const parts = modem.pdus.map((p) => decodeSubmit(p.hex));
    expect(new Set(parts.map((p) => p.to))).toEqual(new Set([DAUGHTER]));
    const smsText = parts.sort((a, b) => (a.concat?.seq ?? 1) - (b.concat?.seq ?? 1)).map((p) => p.text).join('');

    // While the neighbour's phone rings, the daughter replies "1": the ladder stops, the siren too.
    modem.deliver(deliverPdu(DAUGHTER, '1'));
    await siren.waitFor('the siren stopped', (m) => warningMode(m) === 'stop');
    // The neighbour's phone stops ringing: the hub hangs up the call nobody needs any more.
    const dialAt = modem.commands.findIndex((c) => c.startsWith('ATD'));
    await waitFor('the ringing call hung up', () => modem.commands.slice(dialAt).includes('ATH'), undefined, () => modem.commands.slice(dialAt).join('\n'));
    await waitFor('the ladder ended', async () => (await status()).escalation?.ladders.length === 0);
    expect(modem.pdus).toHaveLength(smsParts); // no SMS after the reply
    expect(modem.dialled).toEqual([NEIGHBOUR]); // no call after it
    expect((await status()).uplink?.connected).toBe(false); // the cloud has heard nothing so far

    // The cloud's broker returns; the running daemon delivers its outbox to the waiting session.
    await cloud.start();
    const again = await cloudSession(cloud.url, received);
    cleanup.push(() => again.endAsync(true));
    await waitFor('the last escalation event at the cloud', () => received.some((m) => m.body.type === 'hub.escalation_call_failed'), undefined,
      () => received.map((m) => JSON.stringify(m.body)).join('\n'));
    // The cloud's side of the contract (docs/uplink.md, "Ordering"): dedup by id, order by seq, not by
    // arrival (pending alarms are published before events, so alarm.apnea may overtake older events).
    const got = [...new Map(received.map((m) => [m.body.id as string, m.body])).values()].sort((a, b) => (a.seq as number) - (b.seq as number));
    expect(got.map((b) => b.seq)).toEqual(Array.from({ length: got.length }, (_, i) => i + 1)); // from the first, none missing
    expect(received[0]!.body.type).toBe('alarm.apnea'); // the alarm first: the outbox's priority
    const data = (b: Record<string, unknown>) => b.data as Record<string, unknown>;
    const ladder = got.filter((b) => /^(alarm\.|hub\.escalation_|hub\.alarm_)/.test(String(b.type)));
    expect(ladder.map((b) => `${String(b.type)}${data(b).action ? `:${String(data(b).action)}` : ''}`)).toEqual([
      'alarm.apnea',
      'hub.escalation_started',
      'hub.escalation_step:sound',
      'hub.escalation_sounded',
      'hub.escalation_step:sms',
      'hub.escalation_sms_sent',
      'hub.escalation_step:call',
      'hub.alarm_acknowledged',
      'hub.escalation_stopped',
      'hub.escalation_call_failed',
    ]);
    const by = (t: string) => data(got.find((b) => b.type === t)!);
    const alarm = got.find((b) => b.type === 'alarm.apnea')!;
    expect(alarm).toMatchObject({ severity: 'critical', device: 'bed-radar', state: 'raised', data: { source: 'breathStatus', alarmAfterS: 2 } });
    expect(by('hub.escalation_started')).toMatchObject({ alarm_type: 'alarm.apnea', reason: 'uplink_down' });
    expect(by('hub.escalation_sounded')).toMatchObject({ ok: true, siren: 'ok', prompt: 'ok' });
    expect(by('hub.escalation_sms_sent')).toMatchObject({ contact: '女儿', phone: DAUGHTER, parts: smsParts });
    expect(by('hub.alarm_acknowledged')).toMatchObject({ by: 'sms:女儿' });
    expect(by('hub.escalation_stopped')).toMatchObject({ reason: 'acknowledged', by: 'sms:女儿', still_sounding: false });
    expect(by('hub.escalation_call_failed')).toMatchObject({ contact: 'Neighbour', phone: NEIGHBOUR, code: 'cancelled', final: true });

    // The SMS, read back by the independent decoder, is the exact text, at the alarm's local time.
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(alarm.ts as number);
    expect(smsText).toBe(`【安居】紧急：王家 呼吸暂停（${hhmm}）。回复1表示您来处理。Anju ALERT: breathing stopped at 王家, ${hhmm}. Reply 1 if you are handling it.`);

    daemon.proc.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});

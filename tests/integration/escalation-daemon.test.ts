/**
 * The escalation ladder through the daemon (issue 15 acceptance), in process so the contact channel
 * can be an in-memory one at the ContactChannel seam (the modem branch swaps in its fake modem on a
 * pty): real Mosquittos (the cloud's, stopped; the home's Zigbee2MQTT one, up), the siren reached
 * through Zigbee2MQTT, the prompt played by the real aplay into an ALSA `file` PCM.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { openSystemPort } from '../../src/transports/serial/serial-transport.js';
import { createMemoryChannel } from '../helpers/memory-channel.js';
import { createMosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { requireBinary } from '../helpers/peers.js';
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/daemon-process.js';
import { waitFor } from '../helpers/wait.js';

const DAUGHTER = '+8613800000001';
const NEIGHBOUR = '+8613800000002';
const PROMPTS = join(import.meta.dirname, '../../prompts');

/** The PCM samples of a WAV file (after its 44-byte header: espeak-ng writes the canonical one). */
const pcmOf = (file: string) => readFileSync(file).subarray(44);

describe('escalation ladder through the daemon', () => {
  requireBinary('aplay', 'alsa-utils');
  const dir = mkdtempSync(join(tmpdir(), 'anju-esc-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    delete process.env.ALSA_CONFIG_PATH; // set below for the daemon's aplay: not for the next file of this worker
    rmSync(dir, { recursive: true, force: true });
  });

  /** A test ALSA configuration with one PCM, `anjutest`, that writes what is played to `file`. */
  const alsaSink = (name: string) => {
    const played = join(dir, `${name}.raw`);
    const conf = join(dir, `${name}.asoundrc`);
    writeFileSync(conf, `pcm.anjutest {\n  type file\n  slave.pcm { type null }\n  file "${played}"\n  format "raw"\n}\n`);
    process.env.ALSA_CONFIG_PATH = conf; // aplay is the daemon's child: it reads this
    return played;
  };

  const startDaemon = (yaml: string, channel: ReturnType<typeof createMemoryChannel>): Daemon => {
    const r = parseConfig(yaml);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const daemon = createDaemon({
      config: r.config, log: pino({ level: 'silent' }), clock: systemClock, version: 'test', openPort: openSystemPort,
      configHash: r.hash, contactChannel: channel.channel,
    });
    daemon.start();
    return daemon;
  };

  it('broker down: apnea -> siren -> prompt -> SMS to contact 1 -> call to contact 2; a reply stops it; the cloud gets every event in order', async () => {
    const played = alsaSink('apnea');
    const cloud = await createMosquitto(); // down until the end
    cleanup.push(() => cloud.stop());
    const home = await startMosquitto(); // the home's Zigbee2MQTT broker
    cleanup.push(() => home.stop());
    const siren = await mqttSub(home.url, 'zigbee2mqtt/Hall siren/set');
    cleanup.push(() => siren.close());
    const ch = createMemoryChannel();
    ch.holdCalls = true;
    const state = join(dir, 'state-apnea');
    const yaml = `hub: { id: hub-esc, name: "Wang home" }
state_dir: "${state}"
control: { socket: "${join(state, 'anjud.sock')}" }
uplink: { url: "${cloud.url}", reconnect_min_s: 0.2, reconnect_max_s: 0.5 }
zigbee2mqtt: { url: "${home.url}" }
devices:
  - { id: hall-siren, model: heiman-hs2wd-e, room: hall, z2m: { friendly_name: "Hall siren" } }
escalation:
  cloud_confirm_s: 1
  ack_within_s: 2
  uplink_down_s: 1
  step_interval_s: 0.5
  retry_s: 0.5
  contacts:
    - { name: Daughter, phone: "${DAUGHTER}", call: false }
    - { name: Neighbour, phone: "${NEIGHBOUR}", sms: false }
  siren: { device: hall-siren, duration_s: 120 }
  prompts: { alsa_device: anjutest, languages: [zh, en] }
`;
    let daemon = startDaemon(yaml, ch);
    let stopped = false;
    cleanup.push(() => (stopped ? undefined : daemon.stop()));
    await waitFor('the siren reachable through Zigbee2MQTT', () => daemon.status().zigbee2mqtt?.state === 'connected');

    // A critical apnea alarm, as the apnea detector commits it (its own tests cover the radar path).
    daemon.raise({ type: 'alarm.apnea', severity: 'critical', device: 'bed-radar', state: 'raised', data: { pauseS: 25 } });
    const warn = await siren.waitFor('the siren warning', (m) => (m.body.warning as { mode?: string } | undefined)?.mode === 'emergency');
    expect(warn.body).toEqual({ warning: { mode: 'emergency', level: 'very_high', strobe: true, duration: 120 } });
    // The prompt "你还好吗？..." then "Are you all right? ..." was really played: its samples reached the sink.
    await waitFor('the prompt played to the ALSA file sink', () => existsSync(played) && statSync(played).size >= pcmOf(join(PROMPTS, 'are-you-ok.zh.wav')).length);
    const sink = readFileSync(played);
    expect(sink.indexOf(pcmOf(join(PROMPTS, 'are-you-ok.zh.wav')).subarray(0, 4096))).toBeGreaterThanOrEqual(0);
    await waitFor('the English prompt played after the Mandarin one', () => readFileSync(played).indexOf(pcmOf(join(PROMPTS, 'are-you-ok.en.wav')).subarray(0, 4096)) > 0);

    await waitFor('an SMS to contact 1', () => ch.sms.length > 0);
    expect(ch.sms).toEqual([{ to: DAUGHTER, text: expect.stringContaining('呼吸暂停') as unknown as string }]);
    expect(ch.sms[0]!.text).toContain('Reply 1');
    await waitFor('a call to contact 2', () => ch.calls.length > 0);
    expect(ch.calls.map((c) => c.to)).toEqual([NEIGHBOUR]);
    expect(ch.calls[0]!.promptFile).toMatch(/are-you-ok\.zh\.wav$/);

    // The daughter replies "1" while the neighbour's phone rings: the ladder stops, the siren too.
    ch.reply(DAUGHTER, ' 1 ');
    await siren.waitFor('the siren stopped', (m) => (m.body.warning as { mode?: string } | undefined)?.mode === 'stop');
    ch.calls[0]!.finish({ ok: true, answered: false, promptPlayed: false });
    await waitFor('the ladder ended', () => daemon.status().escalation?.ladders.length === 0);
    expect(ch.sms).toHaveLength(1); // nothing more after the reply
    expect(ch.calls).toHaveLength(1);

    // The broker returns: the cloud gets every escalation event, in order, no seq missing.
    expect(daemon.status().uplink?.connected).toBe(false); // the cloud has heard nothing so far
    // The cloud comes back to a hub restarted meanwhile (so its subscriber is there before the hub
    // connects): the outbox holds every event, and the ended ladder does not run again.
    await daemon.stop();
    await cloud.start();
    const sub = await mqttSub(cloud.url, 'anju/v1/hub-esc/events');
    cleanup.push(() => sub.close());
    daemon = startDaemon(yaml, ch);
    await sub.waitFor('the last escalation event', (m) => m.body.type === 'hub.escalation_call_made');
    const got = [...new Map(sub.messages.map((m) => [m.body.id as string, m.body])).values()].filter((b) => typeof b.seq === 'number'); // deduped by id, as the cloud does
    const seqs = got.map((b) => b.seq as number);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expect(got.map((b) => `${String(b.type)}${b.data && (b.data as Record<string, unknown>).action ? `:${String((b.data as Record<string, unknown>).action)}` : ''}`)).toEqual([
      'alarm.apnea',
      'hub.escalation_started',
      'hub.escalation_step:sound',
      'hub.escalation_sounded',
      'hub.escalation_step:sms',
      'hub.escalation_sms_sent',
      'hub.escalation_step:call',
      'hub.alarm_acknowledged',
      'hub.escalation_stopped',
      'hub.escalation_call_made',
    ]);
    const by = (t: string) => got.find((b) => b.type === t)!.data as Record<string, unknown>;
    expect(by('hub.escalation_started')).toMatchObject({ alarm_type: 'alarm.apnea', reason: 'uplink_down' });
    expect(by('hub.escalation_sounded')).toMatchObject({ ok: true, siren: 'ok', prompt: 'ok' });
    expect(by('hub.escalation_sms_sent')).toMatchObject({ contact: 'Daughter', phone: DAUGHTER, parts: 1 });
    expect(by('hub.alarm_acknowledged')).toMatchObject({ by: 'sms:Daughter' });
    expect(by('hub.escalation_stopped')).toMatchObject({ reason: 'acknowledged', by: 'sms:Daughter', still_sounding: false });
    expect(by('hub.escalation_call_made')).toMatchObject({ contact: 'Neighbour', answered: false });
    expect(daemon.status().escalation?.ladders).toEqual([]);
    expect([ch.sms.length, ch.calls.length]).toEqual([1, 1]);
    stopped = true;
    await daemon.stop();
  });

  it('anjuctl escalation test walks the ladder for real, in Chinese and English, printing each step and its result', async () => {
    const played = alsaSink('walk');
    const home = await startMosquitto();
    cleanup.push(() => home.stop());
    const siren = await mqttSub(home.url, 'zigbee2mqtt/Hall siren/set');
    cleanup.push(() => siren.close());
    const ch = createMemoryChannel();
    ch.smsResults.push({ ok: false, code: 'no_network', detail: '+CREG: 0,2 (searching)' }); // the first try fails, the retry goes
    const state = join(dir, 'state-walk');
    const socket = join(state, 'anjud.sock');
    const daemon = startDaemon(`hub: { id: hub-walk, name: "Li home" }
state_dir: "${state}"
control: { socket: "${socket}" }
uplink: { url: "${home.url}", delivery: puback }
zigbee2mqtt: { url: "${home.url}" }
devices:
  - { id: hall-siren, model: heiman-hs2wd-e, room: hall, z2m: { friendly_name: "Hall siren" } }
escalation:
  retry_s: 0.2
  contacts:
    - { name: 女儿, phone: "${DAUGHTER}" }
    - { name: Neighbour, phone: "${NEIGHBOUR}", call: false }
  siren: { device: hall-siren }
  prompts: { alsa_device: anjutest, languages: [en] }
`, ch);
    cleanup.push(() => daemon.stop());
    await waitFor('the siren reachable', () => daemon.status().zigbee2mqtt?.state === 'connected');
    const ctl = (...args: string[]) => new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [join(ROOT, 'dist/src/cli/anjuctl.js'), ...args, '--socket', socket], { env: { ...process.env, LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      p.once('exit', (code) => resolve({ code, out }));
    });
    const zh = await ctl('escalation', 'test', '--lang', 'zh', '--by', 'technician:wang');
    expect(zh.code, zh.out).toBe(0);
    const lines = zh.out.trim().split('\n').map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d {2}/, ''));
    expect(lines[0]).toMatch(/^报警升级测试 test-\d+-1：共 4 步/);
    expect(lines.slice(1)).toEqual([
      '家中警报器与语音提示：成功（警报器：成功，语音提示：成功）', // was "(siren ok, prompt ok)" (issue 16 point 4)
      `短信给 女儿（${DAUGHTER}）：成功`,
      `短信给 Neighbour（${NEIGHBOUR}）：成功`,
      `呼叫 女儿（${DAUGHTER}）：成功`,
      '报警升级测试完成：4 步中 4 步成功',
    ]);
    // Each contact got the test text, the daughter twice (a failed try, then the retry), and a call.
    expect(ch.sms.map((m) => m.to)).toEqual([DAUGHTER, DAUGHTER, NEIGHBOUR]);
    for (const m of ch.sms) expect(m.text).toMatch(/测试.*test/);
    expect(ch.calls.map((c) => c.to)).toEqual([DAUGHTER]);
    expect(ch.calls[0]!.promptFile).toMatch(/test\.en\.wav$/);
    await waitFor('the test prompt played', () => existsSync(played) && readFileSync(played).indexOf(pcmOf(join(PROMPTS, 'test.en.wav')).subarray(0, 2048)) >= 0);
    // The siren chirped (burglar tone, low, 2 s) and was stopped.
    await siren.waitFor('the siren stopped after the walk', (m) => (m.body.warning as { mode?: string }).mode === 'stop');
    expect(siren.messages[0]!.body).toEqual({ warning: { mode: 'burglar', level: 'low', strobe: true, duration: 2 } });

    const en = await ctl('escalation', 'test', '--lang', 'en');
    expect(en.code, en.out).toBe(0);
    expect(en.out).toContain(`SMS to 女儿 (${DAUGHTER}): ok`);
    expect(en.out).toContain('sound and prompt in the home: ok (siren ok, prompt ok)');
    expect(en.out).toContain('escalation test walk finished: 4 of 4 steps ok');
    // A test walk does not count against the rate limit of real alarms, and leaves no ladder behind.
    await waitFor('no ladder left', () => daemon.status().escalation?.ladders.length === 0);

    // The walk test walks the ladder too, last, when the hub has a contact channel (issue 15 point 5).
    const smsBefore = ch.sms.length;
    const wt = await ctl('walktest', '--device', 'hall-siren', '--timeout-s', '1', '--no-uplink-test', '--json', '--lang', 'en');
    const report = JSON.parse(wt.out.slice(wt.out.lastIndexOf('\n{') + 1)) as { escalation: { ok: boolean; steps: number; stepsOk: number; error: string | null } | null };
    expect(report.escalation, wt.out).toEqual({ ok: true, steps: 4, stepsOk: 4, error: null });
    expect(ch.sms.length - smsBefore).toBeGreaterThanOrEqual(2); // a test SMS to each contact
    const skipped = await ctl('walktest', '--device', 'hall-siren', '--timeout-s', '1', '--no-uplink-test', '--no-escalation-test', '--json', '--lang', 'en');
    expect((JSON.parse(skipped.out.slice(skipped.out.lastIndexOf('\n{') + 1)) as { escalation: unknown }).escalation).toBeNull();
  });
});

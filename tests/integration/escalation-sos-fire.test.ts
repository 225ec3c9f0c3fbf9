/**
 * Issue 15 acceptance, with the uplink up: a fire (a Zigbee2MQTT smoke detector) sounds the siren
 * at once (our coordinator: IAS WD Start Warning at the fake controller port, as the Zigbee tests do)
 * and an acknowledgement does not silence it, only the smoke clearing does; an SOS button raises
 * alarm.sos through both Zigbee paths (an IAS personal emergency zone at our coordinator, a Zigbee2MQTT
 * action), and the cancel gesture within the window clears it as cancelled.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { openSystemPort } from '../../src/transports/serial/serial-transport.js';
import { connectCloud } from '../helpers/cloud-commands.js';
import { createFakeCoordinator } from '../helpers/fake-zigbee-controller.js';
import { createMemoryChannel } from '../helpers/memory-channel.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { requireBinary } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';

const SIREN = '0x000d6f000aa1b2c3';
const BUTTON = '0x000d6f0012061ee7';
const PROMPTS = join(import.meta.dirname, '../../prompts');

describe('escalation with the uplink up: fire sounds at once, the SOS button', () => {
  requireBinary('aplay', 'alsa-utils');
  const dir = mkdtempSync(join(tmpdir(), 'anju-esc-sos-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    delete process.env.ALSA_CONFIG_PATH; // set below for the daemon's aplay: not for the next file of this worker
    rmSync(dir, { recursive: true, force: true });
  });

  it('fire: siren and prompt at once, ack keeps it sounding, clear silences; SOS raised and cancelled on both paths', async () => {
    const played = join(dir, 'played.raw');
    writeFileSync(join(dir, 'asoundrc'), `pcm.anjutest {\n  type file\n  slave.pcm { type null }\n  file "${played}"\n  format "raw"\n}\n`);
    process.env.ALSA_CONFIG_PATH = join(dir, 'asoundrc');
    const broker = await startMosquitto(); // the cloud's and the home's Zigbee2MQTT broker
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-sos/events');
    cleanup.push(() => events.close());
    const fake = createFakeCoordinator();
    fake.devices.set(SIREN, { ieee: SIREN, endpoints: { 1: ['genBasic', 'genPowerCfg', 'ssIasZone', 'ssIasWd'] } });
    fake.devices.set(BUTTON, { ieee: BUTTON, endpoints: { 1: ['genBasic', 'genPowerCfg', 'ssIasZone'] }, ias: { zoneType: 0x002c } });
    const ch = createMemoryChannel();
    const state = join(dir, 'state');
    const r = parseConfig(`hub: { id: hub-sos }
state_dir: "${state}"
control: { socket: "${join(state, 'anjud.sock')}" }
uplink: { url: "${broker.url}", reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee: { serial: { path: /dev/anju-zigbee, adapter: zstack } }
zigbee2mqtt: { url: "${broker.url}" }
devices:
  - { id: hall-siren, model: heiman-hs2wd-e, room: hall, zigbee: { ieee: "${SIREN}" } }
  - { id: bed-sos, model: heiman-hs1eb, room: bedroom, zigbee: { ieee: "${BUTTON}" } }
  - { id: pendant, model: heiman-hs1eb, room: bedroom, z2m: { friendly_name: "Pendant" } }
  - { id: kitchen-smoke, model: heiman-hs1sa, room: kitchen, z2m: { friendly_name: "Kitchen smoke" } }
escalation:
  cloud_confirm_s: 600
  ack_within_s: 600
  step_interval_s: 600
  contacts: [{ name: Son, phone: "+8613900000009" }]
  siren: { device: hall-siren, duration_s: 240 }
  prompts: { alsa_device: anjutest, languages: [zh] }
detectors:
  sos: { double_press_s: 0.3, cancel_s: 60 }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const daemon = createDaemon({
      config: r.config, log: pino({ level: 'silent' }), clock: systemClock, version: 'test', openPort: openSystemPort,
      configHash: r.hash, zigbeeControllerFactory: fake.factory, contactChannel: ch.channel,
    });
    daemon.start();
    cleanup.push(() => daemon.stop());
    await waitFor('coordinator, Zigbee2MQTT and uplink up', () => fake.running && daemon.status().uplink?.connected && daemon.status().zigbee2mqtt?.state === 'connected');
    const z2m = connect(broker.url, { protocolVersion: 5 });
    cleanup.push(() => z2m.endAsync());
    await waitFor('the test z2m client connected', () => z2m.connected);
    const publish = (friendly: string, body: object) => z2m.publishAsync(`zigbee2mqtt/${friendly}`, JSON.stringify(body), { qos: 1 });
    const warnings = () => fake.calls.filter((c) => c.startsWith('startWarning'));
    const of = (type: string, st: string) => events.messages.filter((m) => m.body.type === type && m.body.state === st);

    // Fire with the uplink up and the cloud there: no waiting for the cloud, the siren sounds the fire tone now.
    await publish('Kitchen smoke', { smoke: true, battery: 100 });
    // info 0x27: warning mode 2 (fire) << 4 | strobe 1 << 2 | siren level 3 (very high); 240 s.
    await waitFor('the fire warning at the siren', () => warnings().length >= 1);
    expect(warnings()).toEqual([`startWarning ${SIREN}/1 info=0x27 duration=240 duty=50 strobelevel=0`]);
    const started = await events.waitFor('escalation started', (m) => m.body.type === 'hub.escalation_started');
    expect(started.body.data).toMatchObject({ alarm_type: 'alarm.smoke', reason: 'immediate' });
    const fireZh = readFileSync(join(PROMPTS, 'fire.zh.wav')).subarray(44, 44 + 4096);
    await waitFor('the fire prompt played', () => existsSync(played) && readFileSync(played).indexOf(fireZh) >= 0);

    // The cloud's operator takes it: the contacts are not called, but the siren keeps sounding.
    const smoke = of('alarm.smoke', 'raised')[0]!.body;
    const cloud = await connectCloud(broker.url);
    cleanup.push(() => cloud.close());
    const ack = await cloud.send('hub-sos', 'ack-alarm', { id: smoke.id, by: 'operator-7' }, 'ack-1');
    expect(ack).toMatchObject({ ok: true });
    const stopped = await events.waitFor('escalation stopped', (m) => m.body.type === 'hub.escalation_stopped');
    expect(stopped.body.data).toMatchObject({ reason: 'acknowledged', by: 'operator-7', still_sounding: true });
    expect(warnings()).toHaveLength(1); // no stop sent
    // Only the smoke clearing silences it (mode 0, no strobe, level 0).
    await publish('Kitchen smoke', { smoke: false, battery: 100 });
    await waitFor('the stop warning', () => warnings().length === 2);
    expect(warnings()[1]).toBe(`startWarning ${SIREN}/1 info=0x00 duration=0 duty=0 strobelevel=0`);

    // SOS through our coordinator: the HS1EB's IAS zone alarm1.
    const press = () => fake.emit().message({ ieee: BUTTON, endpoint: 1, cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 0x31, extendedstatus: 0, zoneid: 5, delay: 0 }, linkquality: 80 });
    press();
    const sos = await events.waitFor('alarm.sos from the IAS button', (m) => m.body.type === 'alarm.sos' && m.body.state === 'raised');
    expect(sos.body).toMatchObject({ severity: 'critical', device: 'bed-sos', data: { source: 'ias' } });
    await waitFor('the SOS sounds at once', () => warnings().length === 3);
    expect(warnings()[2]).toBe(`startWarning ${SIREN}/1 info=0x37 duration=240 duty=50 strobelevel=0`); // emergency
    // The cancel: a double press, later than double_press_s after the press that raised it.
    await waitFor('past the double-press window of the first press', () => Date.now() - (sos.body.ts as number) > 400, 5000);
    press();
    press();
    const cancelled = await events.waitFor('alarm.sos cancelled', (m) => m.body.type === 'alarm.sos' && m.body.state === 'cleared');
    expect(cancelled.body).toMatchObject({ device: 'bed-sos', data: { reason: 'cancelled', source: 'ias:double_press' } });
    await waitFor('the siren silenced after the cancel', () => warnings().length === 4);

    // SOS through Zigbee2MQTT: the pendant's action.
    await publish('Pendant', { action: 'emergency', battery: 90 });
    await events.waitFor('alarm.sos from the z2m action', (m) => m.body.type === 'alarm.sos' && m.body.state === 'raised' && m.body.device === 'pendant');
    await publish('Pendant', { action: 'double', battery: 90 });
    const c2 = await events.waitFor('z2m cancel', (m) => m.body.type === 'alarm.sos' && m.body.state === 'cleared' && m.body.device === 'pendant');
    expect(c2.body.data).toMatchObject({ reason: 'cancelled', source: 'action:double' });
    expect(daemon.status().alarms).toEqual([]);
    // Every ladder started reached the SMS rung? No: step_interval_s 600 holds them; the contacts were never bothered.
    expect(ch.sms).toEqual([]);
  });
});

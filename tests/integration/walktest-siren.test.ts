/**
 * The walk test's step for a siren (profile role `siren`): a siren reports almost nothing by itself,
 * so the hub sounds it with the test tone (local command siren-test) and the technician says whether
 * it was heard. Through the built daemon and anjuctl, the siren on Zigbee2MQTT (what the hub sends it
 * is read off the broker).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../src/cli/client.js';
import { daemonStatus } from '../helpers/control.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { spawnCli } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';

interface Report { ok: boolean; devices: Array<{ id: string; kind: string; result: string; evidence: string; hintCode: string | null; hint: string | null }> }

const TEST_TONE = { warning: { mode: 'burglar', level: 'low', strobe: true, duration: 2 } };

describe('anjuctl walktest: a siren', () => {
  const cleanup: Array<() => unknown> = [];
  let hub: Hub;
  let siren: Subscriber;
  beforeAll(async () => {
    hub = await startHub({
      name: 'walk-siren', radars: [], subscribe: false,
      yaml: (h) => `hub: { id: hub-walk-siren }
state_dir: "${h.stateDir}"
control: { socket: "${h.socket}" }
uplink: { url: "${h.brokerUrl}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee2mqtt: { url: "${h.brokerUrl}" }
devices:
  - { id: hall-siren, model: heiman-hs2wd-e, room: hall, z2m: { friendly_name: "Hall siren" } }
  - { id: pendant, model: heiman-hs1eb, room: bedroom, z2m: { friendly_name: "Pendant" } }
escalation:
  contacts:
    - { name: Daughter, phone: "+8613800000001" }
  siren: { device: hall-siren }
`,
    });
    siren = await mqttSub(hub.broker.url, 'zigbee2mqtt/Hall siren/set');
    cleanup.push(() => siren.close());
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  const walk = (reportFile: string) => {
    const cli = spawnCli(['walktest', '--socket', hub.socket, '--config', hub.cfgPath, '--device', 'hall-siren', '--no-uplink-test', '--no-escalation-test', '--report', reportFile]);
    cleanup.push(() => cli.proc.kill());
    return cli;
  };

  it('sounds the test tone on Enter, again on r, and passes when the technician heard it', async () => {
    const reportFile = join(hub.dir, 'heard.json');
    const cli = walk(reportFile);
    await cli.waitForOutput(/\[1\/1\] hall-siren/);
    await cli.waitForOutput(/The hub will sound the siren for 2 s/);
    await cli.waitForOutput(/Press Enter when ready/);
    expect(siren.messages).toEqual([]); // nothing sounds before the technician is ready
    cli.answer('');
    await cli.waitForOutput(/The siren took the command\. Did you hear it\?/);
    await waitFor('the test tone', () => siren.messages.length === 1);
    expect(siren.messages.map((m) => m.body)).toEqual([TEST_TONE]);
    cli.answer('r'); // "again": the technician was in the wrong room
    await cli.waitForOutput(/The siren took the command\. Did you hear it\?/, 2);
    await waitFor('the second test tone', () => siren.messages.length === 2);
    expect(siren.messages.map((m) => m.body)).toEqual([TEST_TONE, TEST_TONE]);
    cli.answer('y');

    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain('PASS: the siren sounded and was heard');
    expect(cli.stdout()).toMatch(/hall-siren\s+heiman-hs2wd-e\s+hall\s+PASS/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.ok).toBe(true);
    expect(report.devices).toEqual([expect.objectContaining({ id: 'hall-siren', kind: 'siren', result: 'pass', evidence: 'sounded, heard', hintCode: null })]);
  });

  it('fails with a hint when the siren took the command but nobody heard it, exit 1', async () => {
    const reportFile = join(hub.dir, 'not-heard.json');
    const before = siren.messages.length;
    const cli = walk(reportFile);
    await cli.waitForOutput(/Press Enter when ready/);
    cli.answer('');
    await cli.waitForOutput(/Did you hear it\?/);
    cli.answer('maybe'); // not an answer: asked again, not taken for "no"
    cli.answer('n');

    expect(await cli.exited).toBe(1);
    await waitFor('the test tone', () => siren.messages.length === before + 1);
    expect(cli.stdout()).toContain('FAIL: the siren took the command but was not heard: check its volume setting');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.ok).toBe(false);
    expect(report.devices).toEqual([expect.objectContaining({ id: 'hall-siren', result: 'fail', evidence: 'sounded', hintCode: 'wtHintSirenNotHeard' })]);
  });

  it('with no one to answer (input ended) the siren is sounded but not passed, and the walk goes on', async () => {
    const reportFile = join(hub.dir, 'no-answer.json');
    const before = siren.messages.length;
    const cli = walk(reportFile);
    cli.proc.stdin!.end();
    expect(await cli.exited).toBe(1);
    await waitFor('the test tone', () => siren.messages.length === before + 1);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.devices).toEqual([expect.objectContaining({ id: 'hall-siren', result: 'not-tested', evidence: 'sounded', hintCode: 'wtHintSirenNoAnswer' })]);
  });

  it('siren-test sounds only a configured siren: another device or an unknown id is refused', async () => {
    const before = siren.messages.length;
    for (const device of ['pendant', 'no-such-device']) {
      const r = await request(hub.socket, 'siren-test', { device });
      expect(r).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
      expect(r.message).toContain(`"${device}" is not a siren of this hub`);
    }
    expect(await request(hub.socket, 'siren-test', { device: 'hall-siren', seconds: 11 })).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
    expect(siren.messages.length).toBe(before);
    expect(await request(hub.socket, 'siren-test', { device: 'hall-siren', seconds: 1 })).toMatchObject({ ok: true, data: { device: 'hall-siren', seconds: 1 } });
    await siren.waitFor('the one-second tone', (m) => (m.body.warning as { duration?: number } | undefined)?.duration === 1);
  });

  it('never cuts short a siren sounding for a real alarm (siren-test, escalation-test): refused until the alarm is acknowledged and the siren silenced', async () => {
    const z2m = await connect(hub.broker.url, { protocolVersion: 5 }); // the pendant, on Zigbee2MQTT
    cleanup.push(() => z2m.endAsync());
    await z2m.publishAsync('zigbee2mqtt/Pendant', JSON.stringify({ action: 'emergency' }), { qos: 1 });
    await siren.waitFor('the siren sounding for alarm.sos', (m) => (m.body.warning as { mode?: string } | undefined)?.mode === 'emergency');
    await waitFor('the ladder marked sounding', async () => (await daemonStatus(hub.socket)).escalation?.ladders.some((l) => l.sounding) === true);
    const refused = await request(hub.socket, 'siren-test', { device: 'hall-siren' });
    expect(refused).toMatchObject({ ok: false, code: 'ANJU_CMD_FAILED' });
    expect(refused.message).toMatch(/^the siren is sounding for alarm\.sos \(alarm \S+\): a test tone now would silence it/);
    // Nor a whole escalation test walk: its tone, its "test" texts to the same contacts, its silence at the end.
    const walk = await request(hub.socket, 'escalation-test', { by: 'test' });
    expect(walk).toMatchObject({ ok: false, code: 'ANJU_CMD_FAILED' });
    expect(walk.message).toMatch(/^the escalation of alarm\.sos \(alarm \S+\) is running: a test walk now would sound over it/);
    const modes = siren.messages.map((m) => (m.body.warning as { mode: string }).mode);
    expect(modes.slice(modes.indexOf('emergency'))).toEqual(['emergency']); // no test tone over the alarm

    const alarm = (await daemonStatus(hub.socket)).alarms.find((a) => a.type === 'alarm.sos')!;
    expect(await request(hub.socket, 'ack-alarm', { id: alarm.id, by: 'test' })).toMatchObject({ ok: true });
    await siren.waitFor('the siren silenced', (m) => (m.body.warning as { mode?: string } | undefined)?.mode === 'stop');
    await waitFor('no ladder sounding', async () => !(await daemonStatus(hub.socket)).escalation?.ladders.some((l) => l.sounding));
    expect(await request(hub.socket, 'siren-test', { device: 'hall-siren' })).toMatchObject({ ok: true });
  });
});

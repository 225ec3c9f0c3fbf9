/**
 * The walk test's step for an SOS button (profile role `sos-button`): the technician presses it once,
 * the hub raises alarm.sos, the cloud confirms it, and the walk test acknowledges it (which stops the
 * escalation ladder it started). Through the built daemon and anjuctl, the button on Zigbee2MQTT.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.js';
import { spawnCli } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';

describe('anjuctl walktest: an SOS button', () => {
  const cleanup: Array<() => unknown> = [];
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub({
      name: 'walk-sos', radars: [], subscribe: false,
      yaml: (h) => `hub: { id: hub-walk-sos }
state_dir: "${h.stateDir}"
control: { socket: "${h.socket}" }
uplink: { url: "${h.brokerUrl}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee2mqtt: { url: "${h.brokerUrl}" }
devices:
  - { id: pendant, model: heiman-hs1eb, room: bedroom, z2m: { friendly_name: "Pendant" } }
`,
    });
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  it('asks for one press; the press raises alarm.sos, the broker takes it, the walk test acknowledges it', async () => {
    const z2m = connect(hub.broker.url, { protocolVersion: 5 });
    cleanup.push(() => z2m.endAsync());
    await waitFor('z2m test client', () => z2m.connected);
    const reportFile = join(hub.dir, 'report.json');
    const cli = spawnCli(['walktest', '--socket', hub.socket, '--config', hub.cfgPath, '--timeout-s', '20', '--no-uplink-test', '--no-escalation-test', '--report', reportFile]);
    cleanup.push(() => cli.proc.kill());
    await cli.waitForOutput(/\[1\/1\] pendant/);
    await cli.waitForOutput(/Press the SOS button once/);
    await cli.waitForOutput(/Press Enter when ready/);
    cli.answer('');
    await cli.waitForOutput(/Waiting up to 20 s for the SOS alarm/);
    await z2m.publishAsync('zigbee2mqtt/Pendant', JSON.stringify({ action: 'emergency' }), { qos: 1 });

    expect(await cli.exited).toBe(0);
    const out = cli.stdout();
    expect(out).toMatch(/raised \(seq \d+\); waiting for the cloud/);
    expect(out).toMatch(/the cloud confirmed it \(puback\)/);
    expect(out).toMatch(/PASS in \d+\.\d s: button emergency/);
    expect(out).toMatch(/test alarm \S+ acknowledged as/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { ok: boolean; devices: Array<{ id: string; result: string; alarm: { type: string } | null; evidence: string }> };
    expect(report.ok).toBe(true);
    expect(report.devices).toEqual([expect.objectContaining({ id: 'pendant', result: 'pass', alarm: expect.objectContaining({ type: 'alarm.sos' }), evidence: 'buttonAction=emergency' })]);
  });
});

/**
 * When may the cloud (or a test) send the hub a command? Not at 'uplink connected': the hub sends
 * its SUBSCRIBE right after CONNACK, and a command the broker gets before that SUBSCRIBE has no
 * subscriber and is dropped. Under load that window is long enough to lose a test's first command
 * (set-config-hostile timed out waiting for its reply). The daemon says when it is subscribed; here
 * its SUBSCRIBE is held up 1.5 s on a slow link, and a command sent at that log line is answered.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectCloud } from '../helpers/cloud-commands.js';
import { testConfig } from '../helpers/daemon-process.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { startSlowLink } from '../helpers/slow-link.js';

describe('the uplink says when commands reach it', () => {
  const hubs: Hub[] = [];
  const undo: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const u of undo.reverse()) await u();
    for (const h of hubs) await h.stop();
  });

  it('a command sent when the daemon logs that it subscribed is answered, though its SUBSCRIBE reached the broker late', async () => {
    const hub = await startHub({ name: 'ready', start: false });
    hubs.push(hub);
    const slow = await startSlowLink(hub.broker.port, 1500);
    undo.push(() => slow.close());
    hub.writeConfig(testConfig({ hubId: hub.hubId, stateDir: hub.stateDir, brokerUrl: slow.url, devices: [{ id: 'radar', path: hub.pty.devicePath }] }));
    const cloud = await connectCloud(hub.broker.url);
    undo.push(() => cloud.close());

    const d = await hub.start(); // returns at 'uplink subscribed to acks and commands'
    const connectedAt = d.logs.findIndex((l) => l.msg === 'uplink connected');
    const subscribedAt = d.logs.findIndex((l) => l.msg === 'uplink subscribed to acks and commands');
    expect(connectedAt).toBeGreaterThanOrEqual(0);
    expect(subscribedAt).toBeGreaterThan(connectedAt);
    expect(await cloud.send(hub.hubId, 'ping', {}, 'first', 10_000)).toMatchObject({ ok: true, cmd: 'ping' });
  });
});

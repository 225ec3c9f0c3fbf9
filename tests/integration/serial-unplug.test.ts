/** The radar's USB adapter is pulled and plugged back: the daemon reopens the port and keeps going. */
import { afterAll, describe, expect, it } from 'vitest';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { sleep } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('serial unplug and replug', () => {
  let hub: Hub;
  afterAll(() => hub?.stop());

  it('survives the port vanishing, reopens it, and still raises alarms', async () => {
    hub = await startHub({ name: 'unplug', sustainS: 2 });
    const d = hub.daemon;

    await hub.pty.unplug();
    await d.waitForLog('port lost', (l) => l.msg === 'serial port lost; reopening');
    await sleep(1500); // it keeps retrying while the port is gone, without crashing
    expect(d.proc.exitCode).toBeNull();

    await hub.pty.plug();
    const reopened = await d.waitForLog('port reopened', (l) => l.msg === 'serial port open' && l.reconnects === 1, 5000);
    expect(reopened.path).toBe(hub.pty.devicePath);

    const from = hub.sub.messages.length;
    await feedUntil(hub.pty, () => [presence(true), breath(30)], 'alarm after replug', () => hub.on('events', from).some((m) => m.body.state === 'raised'));
  });
});

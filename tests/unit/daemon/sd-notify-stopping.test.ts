/**
 * STOPPING=1 is said before anjud exits (src/daemon/sd-notify.ts): `stopping()` resolves only once
 * the datagram that holds it was handed to systemd-notify, also when a ping was still in flight.
 * Before, anjud exited right after queueing it, and a slow systemd-notify for an earlier ping held
 * it back until the process was gone (systemd.test.ts, "timed out waiting for STOPPING=1", under load).
 */
import { describe, expect, it } from 'vitest';
import { createSdNotify, type NotifySender } from '../../../src/daemon/sd-notify.js';

describe('sd-notify stopping()', () => {
  it('resolves after the datagram with STOPPING=1 was sent, not while an earlier one is in flight', async () => {
    const sent: string[][] = [];
    const done: Array<(err: Error | null) => void> = [];
    const send: NotifySender = (_socket, assignments, cb) => { sent.push([...assignments]); done.push(cb); };
    const n = createSdNotify({ env: { NOTIFY_SOCKET: '/run/test.sock' }, send });
    n.status('busy');
    await Promise.resolve();
    expect(sent).toEqual([['STATUS=busy']]); // in flight: systemd-notify has not returned yet

    let said = false;
    const stopping = n.stopping().then(() => { said = true; });
    await new Promise((r) => setImmediate(r));
    expect(said).toBe(false);
    done[0]!(null); // the earlier one returns: STOPPING=1 goes out next
    await new Promise((r) => setImmediate(r));
    expect(sent[1]).toEqual(['STOPPING=1']);
    expect(said).toBe(false);
    done[1]!(null);
    await stopping;
    expect(said).toBe(true);
  });

  it('a failed send still resolves (the exit is not held), and outside systemd it resolves at once', async () => {
    const n = createSdNotify({ env: { NOTIFY_SOCKET: '/run/test.sock' }, send: (_s, _a, cb) => cb(new Error('no such socket')) });
    await expect(n.stopping()).resolves.toBeUndefined();
    await expect(createSdNotify({ env: {} }).stopping()).resolves.toBeUndefined();
  });
});

/**
 * The fake bluetoothd (tests/helpers/fake-bluez.ts) dies like the real one: a call that reaches it
 * as it dies gets no answer (dbus-daemon tells the caller NoReply), and nothing throws in the test
 * process. It used to answer on its closed connection from inside dbus-next's socket handler: an
 * uncaught "Cannot send message, stream is closed" that vitest pinned on whatever test ran then.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dbus, type MessageBus } from '../../src/transports/ble/node-ble.js';
import { startFakeBluez, type FakeBluez } from '../helpers/fake-bluez.js';
import { withTimeout } from '../helpers/fake-bluez-objects.js';

describe('fake BlueZ crash', () => {
  let bluez: FakeBluez;
  let client: MessageBus;
  afterAll(async () => {
    client?.disconnect();
    await bluez?.stop();
  });

  const getPowered = () => client.call(new dbus.Message({
    destination: 'org.bluez', path: '/org/bluez/hci0', interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: ['org.bluez.Adapter1', 'Powered'],
  }));

  it('dying with calls on the way: they get no answer, nothing throws here; back, it answers again', async () => {
    bluez = await startFakeBluez();
    client = dbus.sessionBus({ busAddress: bluez.busAddress });
    client.on('error', () => undefined);
    expect((await withTimeout(getPowered(), 5000, 'Get Powered'))!.body[0].value).toBe(true);

    bluez.crashOnNextCall();
    const calls = await Promise.allSettled(Array.from({ length: 5 }, () => withTimeout(getPowered(), 10_000, 'Get Powered at the crash')));
    for (const c of calls) {
      expect(c.status).toBe('rejected');
      expect(String((c as PromiseRejectedResult).reason?.type ?? (c as PromiseRejectedResult).reason)).toMatch(/NoReply|ServiceUnknown/);
    }

    await bluez.restart();
    expect((await withTimeout(getPowered(), 5000, 'Get Powered after the restart'))!.body[0].value).toBe(true);
  });
});

import type { BleCharacteristicUse, BleModelEntry } from '../../drivers/ble-registry.js';
import { fullUuid } from '../../drivers/ble-registry.js';
import { LinkFailure } from './link-failure.js';
import type { GattCharacteristic } from './node-ble.js';
import type { Session } from './session.js';

type GattServer = Awaited<ReturnType<import('./node-ble.js').BleDevice['gatt']>>;

export type ValueSource = 'notification' | 'read';
export type OnValue = (use: BleCharacteristicUse, value: Buffer, source: ValueSource) => void;

/**
 * BlueZ updates a characteristic's cached Value on every ReadValue and emits PropertiesChanged for
 * it after the reply, which node-ble reports as a notification. For a characteristic we both read
 * and subscribe to (battery level), a notification equal to what a read returned within this
 * window is that echo, not news.
 */
const READ_ECHO_MS = 1000;

/**
 * Subscribes to and reads the characteristics the model uses, as the device offers them (Flags:
 * notify/indicate, read). Returns the 16-bit UUIDs in use. Fails when the device offers none of
 * the model's primary characteristics: the wrong device, or the wrong model in the config.
 */
export async function setupCharacteristics(
  s: Session, gatt: GattServer, model: BleModelEntry, modelName: string, address: string,
  onValue: OnValue, opTimeoutMs: number, now: () => number,
): Promise<string[]> {
  const inUse: string[] = [];
  let primaries = 0;
  for (const use of model.characteristics) {
    const ch = await findCharacteristic(gatt, use);
    if (!ch) continue;
    const flags = await s.step(ch.getFlags(), 'gatt-failed', `reading the flags of ${use.name}`);
    const canRead = flags.includes('read');
    const canNotify = flags.includes('notify') || flags.includes('indicate');
    // The echo of a read: expected once, within READ_ECHO_MS after the read returned. Values
    // notified while a read is in flight are held back and compared once it returns: the reply
    // and the echo can arrive in one socket chunk, and dbus-next then emits the signal before
    // the awaited read resumes.
    let echo: { hex: string; at: number } | null = null;
    let held: Buffer[] | null = null;
    const isEcho = (value: Buffer): boolean => {
      if (!echo || echo.hex !== value.toString('hex') || now() - echo.at >= READ_ECHO_MS) return false;
      echo = null;
      return true;
    };
    let subscribed = false;
    if (use.subscribe && canNotify) {
      s.listen(ch as never, 'valuechanged', (value: unknown) => {
        if (s.closed || !Buffer.isBuffer(value)) return;
        if (held) { held.push(value); return; }
        if (!isEcho(value)) onValue(use, value, 'notification');
      });
      // StartNotify is BlueZ's: it writes the CCCD (notify or indicate, whichever the device offers).
      await s.step(ch.startNotifications(), 'gatt-failed', `enabling notifications of ${use.name}`);
      subscribed = true;
    }
    const read = async (timeoutMs?: number) => {
      if (subscribed) held = [];
      try {
        const value = await s.step(ch.readValue(), 'gatt-failed', `reading ${use.name}`, timeoutMs);
        if (subscribed) echo = { hex: value.toString('hex'), at: now() };
        onValue(use, value, 'read');
      } finally {
        const pending = held ?? [];
        held = null;
        for (const v of pending) if (!s.closed && !isEcho(v)) onValue(use, v, 'notification');
      }
    };
    if (use.readOnConnect && canRead) await read();
    if (use.readEveryS !== null && canRead && !subscribed) {
      const t = setInterval(() => { if (!s.closed) read(opTimeoutMs).catch(() => undefined); }, use.readEveryS * 1000);
      t.unref();
      s.timers.push(t);
    }
    if (subscribed || canRead) {
      inUse.push(use.characteristic);
      if (use.role === 'primary') primaries++;
    }
  }
  if (primaries === 0) {
    const wanted = model.characteristics.filter((c) => c.role === 'primary').map((c) => `${c.name} 0x${c.characteristic.toUpperCase()}`).join(', ');
    throw new LinkFailure('gatt-failed', `${address} offers none of ${modelName}'s characteristics (${wanted}): is it the right device, and the right model in the config?`);
  }
  return inUse;
}

/** node-ble looks services and characteristics up in what it enumerated; a missing one is a rejection. */
async function findCharacteristic(gatt: GattServer, use: BleCharacteristicUse): Promise<GattCharacteristic | null> {
  try {
    const service = await gatt.getPrimaryService(fullUuid(use.service));
    return await service.getCharacteristic(fullUuid(use.characteristic));
  } catch {
    return null;
  }
}

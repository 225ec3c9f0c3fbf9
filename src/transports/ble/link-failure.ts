import { ErrorCodes, type ErrorCode } from '../../core/errors.js';
import type { BleAdapterState, BleProblem } from './types.js';

/** Why one connection attempt or one established link ended; a value inside the transport, never thrown out of it. */
export class LinkFailure extends Error {
  constructor(readonly problem: BleProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkFailure';
  }
}

export const problemCode: Readonly<Record<BleProblem, ErrorCode>> = {
  'bus-unavailable': ErrorCodes.BLE_BUS_UNAVAILABLE,
  'bluez-unavailable': ErrorCodes.BLE_BLUEZ_UNAVAILABLE,
  'adapter-missing': ErrorCodes.BLE_ADAPTER_MISSING,
  'adapter-powered-off': ErrorCodes.BLE_ADAPTER_OFF,
  'device-not-found': ErrorCodes.BLE_DEVICE_NOT_FOUND,
  'connect-failed': ErrorCodes.BLE_CONNECT,
  'gatt-failed': ErrorCodes.BLE_GATT,
  timeout: ErrorCodes.BLE_TIMEOUT,
  lost: ErrorCodes.BLE_LOST,
};

/** What a problem says about the adapter; null: nothing (the adapter was fine as far as we got). */
export function adapterStateOf(problem: BleProblem): BleAdapterState | null {
  switch (problem) {
    case 'bus-unavailable': return 'bus-unavailable';
    case 'bluez-unavailable': return 'bluez-unavailable';
    case 'adapter-missing': return 'missing';
    case 'adapter-powered-off': return 'powered-off';
    default: return null;
  }
}

/** dbus-next's DBusError carries the D-Bus error name in `type` and the text in `text`. */
export function dbusErrorName(err: unknown): string | null {
  const t = (err as { type?: unknown } | null)?.type;
  return typeof t === 'string' ? t : null;
}

export function describeError(err: unknown): string {
  const name = dbusErrorName(err);
  const text = (err as { text?: unknown } | null)?.text;
  if (name) return `${name}: ${typeof text === 'string' ? text : String((err as Error).message ?? '')}`;
  return err instanceof Error ? err.message : String(err);
}

/** A D-Bus error that means bluetoothd, or the object, is gone: more specific than the step's own problem. */
export function problemFromDbusError(err: unknown): BleProblem | null {
  switch (dbusErrorName(err)) {
    case 'org.freedesktop.DBus.Error.ServiceUnknown':
    case 'org.freedesktop.DBus.Error.NameHasNoOwner':
      return 'bluez-unavailable';
    case 'org.bluez.Error.NotReady':
      return 'adapter-powered-off';
    default:
      return null;
  }
}

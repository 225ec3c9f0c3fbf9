/**
 * node-ble, and the dbus-next it is built on, loaded so that we choose the bus.
 *
 * node-ble's only public entry, `createBluetooth()`, takes no arguments and calls dbus-next's
 * `systemBus()`, which reads `DBUS_SYSTEM_BUS_ADDRESS` (else /var/run/dbus/system_bus_socket).
 * We build the same two objects ourselves (a dbus-next MessageBus and node-ble's `Bluetooth` class
 * on it), so that:
 * - the bus address is an option, not process-global environment (tests run a private bus);
 * - we own the MessageBus and listen to its 'error' event: an EventEmitter 'error' nobody listens
 *   to (bus socket gone, bluetoothd restarted) would throw and take the daemon down;
 * - each device link gets its own bus connection, closed when the link goes down. node-ble adds
 *   signal listeners and match rules for every object it touches and never removes them unless
 *   you call disconnect() on a still-connected device; a connection per link lets dbus-daemon
 *   drop them all at once, so a wristband that comes and goes all day does not leak.
 *
 * dbus-next is node-ble's dependency, not ours: it is resolved from node-ble's own location so we
 * use the exact copy node-ble uses. `unix:path=` addresses only: dbus-next needs the native
 * `usocket` for `unix:abstract=`, and its build is not allowed here (see package.json).
 */
import { createRequire } from 'node:module';
import type * as DBus from 'dbus-next';
import type NodeBle from 'node-ble';

const requireHere = createRequire(import.meta.url);
const requireFromNodeBle = createRequire(requireHere.resolve('node-ble'));

export const dbus = requireFromNodeBle('dbus-next') as typeof DBus;
const BluetoothClass = requireFromNodeBle('./Bluetooth.js') as new (bus: DBus.MessageBus) => NodeBle.Bluetooth;

export type MessageBus = DBus.MessageBus;
export type Bluetooth = NodeBle.Bluetooth;
export type BleAdapter = NodeBle.Adapter;
export type BleDevice = NodeBle.Device;
export type GattCharacteristic = NodeBle.GattCharacteristic;

/** The system bus path BlueZ listens on, as dbus-next's systemBus() chooses it. */
export function defaultSystemBusAddress(): string {
  return process.env.DBUS_SYSTEM_BUS_ADDRESS || 'unix:path=/var/run/dbus/system_bus_socket';
}

export function openBus(busAddress: string): MessageBus {
  // sessionBus({ busAddress }) is dbus-next's plain "connect to this address" (systemBus() is the
  // same call with the address fixed).
  return dbus.sessionBus({ busAddress: netSocketAddress(busAddress) });
}

/**
 * dbus-next opens a `unix:path=` address with the native `usocket` module when that loads, and with
 * node's net otherwise. Whether it loads depends on the npm that installed the tree (npm before
 * `allowScripts` builds it when a compiler is there), so the same hub code would run on either
 * socket. `unix:socket=` is dbus-next's own key for "the same path, with net": always the one the
 * tests run (tests/unit/transports/ble-bus-socket.test.ts).
 */
export function netSocketAddress(busAddress: string): string {
  return busAddress.split(';').map((a) => a.replace(/^unix:path=/, 'unix:socket=')).join(';');
}

export function bluetoothOn(bus: MessageBus): Bluetooth {
  return new BluetoothClass(bus);
}

import type { Logger } from 'pino';
import { AnjuError, ErrorCodes } from '../../core/errors.js';
import { bleModels } from '../../drivers/ble-registry.js';
import { createBleLink, type BleLink } from './ble-link.js';
import { defaultSystemBusAddress } from './node-ble.js';
import { DEFAULT_BLE_TIMING, type BleAdapterState, type BleDeviceOptions, type BleManagerStats, type BleTiming, type OnMeasurements } from './types.js';

export interface BleManagerOptions {
  devices: readonly BleDeviceOptions[];
  /** Decoded measurements of one notification or read, in wire order. Exceptions are counted, not propagated. */
  onMeasurements: OnMeasurements;
  log: Logger;
  /** D-Bus address of the bus BlueZ is on (unix:path=... only); default: the system bus. */
  busAddress?: string;
  timing?: Partial<BleTiming>;
  /** Monotonic ms clock for backoff bookkeeping; default performance.now. */
  now?: () => number;
}

export interface BleManager {
  /** Starts every link; returns at once (connecting happens in the background). */
  start(): void;
  /** Stops retrying, disconnects the devices (best effort, bounded) and closes the D-Bus connections. */
  stop(): Promise<void>;
  stats(): BleManagerStats;
}

const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/**
 * BLE health devices through BlueZ (node-ble over D-Bus): one independent link per device (its own
 * D-Bus connection, state and backoff), so one device out of range never delays another.
 * Throws only on invalid options (a programming or config error at start-up); afterwards every
 * failure is a status, never an exception.
 */
export function createBleManager(o: BleManagerOptions): BleManager {
  const timing: BleTiming = { ...DEFAULT_BLE_TIMING, ...o.timing };
  const busAddress = o.busAddress ?? defaultSystemBusAddress();
  if (!busAddress.startsWith('unix:path=')) {
    throw new AnjuError(ErrorCodes.CONFIG_INVALID, `BLE bus address ${busAddress}: only unix:path= addresses are supported (abstract sockets need the native usocket module)`);
  }
  const ids = new Set<string>();
  const addresses = new Set<string>();
  for (const d of o.devices) {
    if (!(d.entry ?? bleModels[d.model])) throw new AnjuError(ErrorCodes.DEVICE_MODEL_UNKNOWN, `device ${d.id}: unknown BLE model ${String(d.model)}`);
    const address = d.address.toUpperCase();
    if (!MAC.test(address)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `device ${d.id}: ${d.address} is not a Bluetooth address`);
    if (ids.has(d.id)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `BLE device id ${d.id} appears twice`);
    // BlueZ has one Device1 per address: two links on it would fight over one connection.
    const key = `${d.adapter ?? 'hci0'}/${address}`;
    if (addresses.has(key)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `device ${d.id}: ${address} is configured twice`);
    ids.add(d.id);
    addresses.add(key);
  }
  const adapters: Record<string, BleAdapterState> = {};
  const links: BleLink[] = o.devices.map((d) => {
    const adapter = d.adapter ?? 'hci0';
    adapters[adapter] = 'unknown';
    return createBleLink({
      id: d.id, model: d.model, entry: (d.entry ?? bleModels[d.model])!, address: d.address.toUpperCase(), adapter, busAddress, timing,
      log: o.log, now: o.now ?? (() => performance.now()), onMeasurements: o.onMeasurements,
      onAdapterState: (name, state) => {
        if (adapters[name] !== state) o.log.info({ adapter: name, state }, 'BLE adapter state');
        adapters[name] = state;
      },
    });
  });
  return {
    start() { for (const l of links) l.start(); },
    async stop() { await Promise.all(links.map((l) => l.stop())); },
    stats: () => ({ adapters: { ...adapters }, devices: links.map((l) => ({ ...l.stats(), characteristics: [...l.stats().characteristics] })) }),
  };
}

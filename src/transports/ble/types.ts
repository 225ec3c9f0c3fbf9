import type { ErrorCode } from '../../core/errors.js';
import type { Measurement } from '../../core/reading.js';
import type { BleModel, BleModelEntry } from '../../drivers/ble-registry.js';
import type { LinkRetryStatus } from '../link-supervisor.js';

export interface BleTiming {
  /** One connection attempt (bus, adapter, connect, services resolved, subscriptions), at most. */
  connectTimeoutMs: number;
  /** Extra time for an LE scan when BlueZ does not know the device; 0 = never scan. */
  discoveryTimeoutMs: number;
  /** First retry delay; doubles per failed attempt up to reconnectMaxMs. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** While connected, ask BlueZ whether the device still is, this often. */
  livenessMs: number;
  /** A link that stayed up this long counts as healthy: the next outage starts the backoff over. */
  stableMs: number;
  /** A single D-Bus call while connected (liveness check, periodic read), at most. */
  opTimeoutMs: number;
}

export const DEFAULT_BLE_TIMING: Readonly<BleTiming> = Object.freeze({
  connectTimeoutMs: 30_000,
  discoveryTimeoutMs: 30_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 60_000,
  livenessMs: 10_000,
  stableMs: 30_000,
  opTimeoutMs: 10_000,
});

export type BleLinkState = 'idle' | 'connecting' | 'connected' | 'retrying' | 'stopped';

/** Why a device is not connected (or what went wrong last); null while all is well. */
export type BleProblem =
  | 'bus-unavailable' // no D-Bus system bus
  | 'bluez-unavailable' // bluetoothd is not running
  | 'adapter-missing' // no hciN (dongle unplugged, controller resetting)
  | 'adapter-powered-off'
  | 'device-not-found' // BlueZ does not know the address, and a scan did not find it
  | 'connect-failed' // out of range, switched off, or connected to another central
  | 'gatt-failed' // services/characteristics missing, or subscribing/reading failed
  | 'timeout'
  | 'lost'; // an established link went down

export type BleAdapterState = 'unknown' | 'ok' | 'missing' | 'powered-off' | 'bluez-unavailable' | 'bus-unavailable';

export interface BleLinkStats {
  id: string;
  model: BleModel;
  address: string;
  adapter: string;
  state: BleLinkState;
  connected: boolean;
  problem: BleProblem | null;
  /** Successful connections (services subscribed), including the first. */
  connects: number;
  /** Established links that went down (out of range, adapter gone, device off). */
  disconnects: number;
  /** Attempts that did not end connected. */
  connectFailures: number;
  /** Notifications/indications that decoded. */
  notifications: number;
  /** Reads that decoded (battery, spot check on connect). */
  reads: number;
  /** Values that did not decode: counted, never passed on. */
  malformed: number;
  /** onMeasurements threw (a bug downstream); logged with ANJU_ERR_INGEST_FAILED. */
  handlerErrors: number;
  lastError: string | null;
  lastErrorCode: ErrorCode | null;
  lastMalformed: string | null;
  /** The delay of the retry now scheduled, while retrying. */
  retryDelayMs: number | null;
  /** The link supervisor's bookkeeping (src/transports/link-supervisor.ts), as every link shows it. */
  retry: Readonly<LinkRetryStatus>;
  /** Characteristics in use on the current (or last) link, 16-bit UUIDs. */
  characteristics: string[];
}

export interface BleManagerStats {
  /** Per local adapter, as the last attempt or event on it saw it. */
  adapters: Record<string, BleAdapterState>;
  devices: BleLinkStats[];
}

export type OnMeasurements = (deviceId: string, measurements: Measurement[]) => void;

export interface BleDeviceOptions {
  id: string;
  model: BleModel;
  /** The model's characteristics, from the catalogue (a local profile too); default the shipped model's. */
  entry?: BleModelEntry;
  /** Bluetooth address, AA:BB:CC:DD:EE:FF. */
  address: string;
  /** Default hci0. */
  adapter?: string;
}

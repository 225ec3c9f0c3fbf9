import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventDraft } from '../core/event.js';
import type { Measurement } from '../core/reading.js';
import type { Catalogue } from '../drivers/catalogue.js';
import type { BleLinkStats, BleManagerStats } from './ble/types.js';
import type { ModbusBusStats, ModbusDeviceStats } from './modbus/types.js';
import type { OpenPort, SerialStats } from './serial/serial-transport.js';
import type { PermitJoinResult, ZigbeeNetworkStats } from './zigbee/types.js';
import type { ZigbeeControllerFactory } from './zigbee/controller-port.js';
import type { Zigbee2MqttStats } from './zigbee2mqtt/z2m-source.js';
import type { Warning } from '../escalation/ias-wd.js';
import type { PartResult } from '../escalation/sounders.js';
import type { ModemStats } from './modem/types.js';
import type { ContactChannel } from '../escalation/contact-channel.js';

/**
 * The one interface of a transport (serial, modbus, zigbee, zigbee2mqtt, ble): the daemon loops over
 * the transports its config uses (src/daemon/transports.ts), creating each with the same context and
 * starting, stopping and asking each for its status the same way. Each transport retries its links
 * through the link supervisor (link-supervisor.ts) and shows its bookkeeping as `retry`.
 */

/** Where a transport hands what it reads. The daemon registered every device, in config order, before. */
export interface DeviceSink {
  /** The measurements of a device the transport decodes itself (BLE, Modbus, Zigbee). */
  feed(deviceId: string): (measurements: readonly Measurement[]) => void;
  /** The bytes of a device whose stream driver runs in ingest (serial): the catalogue chose the driver. */
  stream(deviceId: string): (chunk: Uint8Array) => void;
  /** A transport-level event (a Modbus unit that stopped answering). */
  raise(draft: EventDraft): void;
}

export interface TransportContext {
  config: Readonly<Config>;
  catalogue: Catalogue;
  sink: DeviceSink;
  clock: Clock;
  log: Logger;
  /** How serial ports are opened (the demo's simulated home passes its own). */
  openPort: OpenPort;
  /** The Zigbee coordinator stack (tests pass a fake). */
  zigbeeControllerFactory?: ZigbeeControllerFactory | undefined;
}

/** What a transport adds to get-status: per device, and its own section. */
export interface TransportStatus {
  devices: ReadonlyArray<{ id: string; up: boolean; serial?: SerialStats; ble?: BleLinkStats; modbus?: ModbusDeviceStats }>;
  modbusBuses?: Array<Omit<ModbusBusStats, 'devices'> & { devices: undefined }>;
  bleAdapters?: BleManagerStats['adapters'];
  zigbee?: ZigbeeNetworkStats;
  zigbee2mqtt?: Zigbee2MqttStats;
  /** The cellular modem (src/transports/modem/). */
  modem?: ModemStats;
}

export interface Transport {
  start(): void;
  stop(): Promise<void>;
  status(): TransportStatus;
  /** Opens the network for joining (Zigbee only). */
  permitJoin?(seconds: number): Promise<PermitJoinResult>;
  /**
   * Sends an IAS WD warning (start or stop) to one of its devices, a siren (issue 15, the escalation
   * ladder); null when the device is not on this transport. Resolves, never rejects.
   */
  warn?(deviceId: string, w: Warning): Promise<PartResult> | null;
  /** The way to reach people outside the home (the modem only): what the escalation ladder uses. */
  channel?(): ContactChannel;
}

export type CreateTransport = (ctx: TransportContext) => Transport;

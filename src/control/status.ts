import { WAITING_STATE } from '../config/provisioned.js';
import type { ChannelStatus } from '../escalation/contact-channel.js';
import type { ConfigProblem } from '../config/result.js';
import type { EventClass } from '../core/event.js';
import type { DriverStats } from '../drivers/types.js';
import type { DeviceLink } from '../config/devices.js';
import type { DeviceRole } from '../drivers/catalogue.js';
import type { Attempt } from '../release/journal.js';
import type { OpenAlarm } from '../store/alarm-store.js';
import type { StorageStatus } from '../store/storage-health.js';
import type { BleLinkStats, BleManagerStats } from '../transports/ble/types.js';
import type { ModbusBusStats, ModbusDeviceStats } from '../transports/modbus/index.js';
import type { SerialTransport } from '../transports/serial/serial-transport.js';
import type { ZigbeeNetworkStats } from '../transports/zigbee/index.js';
import type { Zigbee2MqttStats } from '../transports/zigbee2mqtt/index.js';
import type { ModemStats } from '../transports/modem/types.js';
import type { UpdateStatus } from '../update/update-manager.js';
import type { UplinkStatus } from '../uplink/mqtt-uplink.js';

/**
 * What `get-status` answers (src/control/protocol.ts): the shapes the daemon fills in
 * (src/daemon/daemon.ts, waiting.ts) and anjuctl, diagnose and the walk test read. They live here,
 * not in the daemon, so the CLI can read them without importing the daemon.
 */
export interface DaemonStatus {
  hub: string;
  version: string;
  /** config_hash of the file this daemon runs (birth message): edits must start from that file. */
  configHash: string;
  /** hub.timezone of the config in force (IANA), or null: anjuctl shows times in it (src/cli/local-time.ts). */
  timezone: string | null;
  uplink: UplinkStatus | null;
  outbox: { depth: Record<EventClass, number>; oldestPendingTs: number | null; lastSeq: number };
  alarms: readonly OpenAlarm[];
  devices: Array<{
    id: string; model: string; room: string;
    /** From the model's profile (src/drivers/catalogue.ts): what the walk test and diagnose ask of it. */
    supervisionClass: string; roles: readonly DeviceRole[];
    /** How the daemon reaches it (the catalogue's transport; zigbee through our coordinator or Zigbee2MQTT). */
    transport: DeviceLink;
    serial: ReturnType<SerialTransport['stats']> | null; ble: BleLinkStats | null;
    modbus: ModbusDeviceStats | null; ingest: DeviceIngestStats | undefined;
  }>;
  /** Modbus buses (port or connection state and counters); their devices are under `devices`. */
  modbusBuses: Array<Omit<ModbusBusStats, 'devices'> & { devices: undefined }>;
  /** BlueZ adapters as the BLE links see them (hci0: ok / missing / powered-off ...); {} without BLE devices. */
  bleAdapters: BleManagerStats['adapters'];
  /** The coordinator network (state, permit-join, devices), or null without zigbee: devices. */
  zigbee: ZigbeeNetworkStats | null;
  /** The Zigbee2MQTT source (connection, per device availability), or null without z2m: devices. */
  zigbee2mqtt: Zigbee2MqttStats | null;
  /**
   * The cellular modem (src/transports/modem/): its ChannelStatus (`status.state`: ready, searching,
   * no_network, sim_missing, sim_pin_required, unavailable), counters, the port's retry bookkeeping;
   * null without a `modem:` section. Optional: a daemon before issue 15 does not send it.
   */
  modem?: ModemStats | null;
  /**
   * The store's health (src/store/storage-health.ts): state, free space, the reserve, failures by
   * kind, the last error; events held in memory because they could not be committed; the store's
   * size as the quota counts it. null before the store is open.
   */
  storage: (StorageStatus & { held: HeldStats; usedBytes: number | null; quotaBytes: number }) | null;
  /**
   * This process and the release manager's last attempt (issue 13): what the health gate checks
   * (same pid across its settle time) and what `anjuctl status` shows after a rollback.
   */
  release: { pid: number; startedTs: number; lastAttempt: Attempt | null };
  /** The over-the-air update in progress (src/update/update-manager.ts), or null. */
  update: UpdateStatus | null;
  /** The escalation ladder (issue 15): null when the config has no escalation: block. */
  escalation?: EscalationStatus | null;
}

/** Each ladder now, and the contact channel (the modem) as it reports itself. */
export interface EscalationStatus {
  ladders: Array<{ alarm_id: string; alarm_type: string; phase: 'watching' | 'running' | 'done'; rung: number; attempt: number; inflight: boolean; sounding: boolean; test: boolean }>;
  channel: ChannelStatus | null;
}

/** A device's counters in the ingest (src/daemon/ingest.ts). */
export interface DeviceIngestStats {
  readings: number;
  events: number;
  /** Numbers outside their metric's plausible range (src/core/plausibility.ts): dropped, never stored or detected on. */
  implausible: number;
  lastSeenTs: number | null;
  /** Framing counters of byte-stream devices; null for sources that deliver decoded values (BLE, Modbus). */
  driver: Readonly<DriverStats> | null;
}

/** Events held in memory because their commit failed (src/daemon/held-events.ts). */
export interface HeldStats {
  events: number;
  alarms: number;
  /** Events (never alarms or reports) dropped since start because more than MAX_HELD were held. */
  dropped: number;
}

/** What a daemon waiting for provisioning (src/daemon/waiting.ts) answers to get-status instead. */
export interface WaitingStatus {
  state: typeof WAITING_STATE;
  version: string;
  /** The config file anjud waits for. */
  config: string;
  sinceTs: number;
  /** Problems of the config found there, when one is there but not valid; else null. */
  problems: ConfigProblem[] | null;
}

/** Which of the two get-status answers this is. */
export function isWaiting(s: DaemonStatus | WaitingStatus): s is WaitingStatus {
  return (s as Partial<WaitingStatus>).state === WAITING_STATE;
}

import type { Logger } from 'pino';
import type { BootClock, Clock } from '../core/clock.js';
import { ErrorCodes } from '../core/errors.js';
import { classOf, type EventClass, type EventDraft, type StoredEvent } from '../core/event.js';
import type { Config } from '../config/schema.js';
import { serialModels } from '../drivers/registry.js';
import { openDatabase, type Db } from '../store/database.js';
import { createDetectorStateStore } from '../store/detector-state.js';
import { createQuotaKeeper } from '../store/quota.js';
import { createAlarmStore, type OpenAlarm } from '../store/alarm-store.js';
import { createAlarms, type Alarms } from '../alarms/alarms.js';
import { createTelemetryOutbox } from '../store/telemetry-outbox.js';
import { createOutbox, type Outbox } from '../store/outbox.js';
import { createReadingStore, type ReadingStore } from '../store/readings.js';
import { createSerialTransport, type OpenPort, type SerialTransport } from '../transports/serial/serial-transport.js';
import { createCommandDispatcher } from '../uplink/commands.js';
import { createMqttUplink, type Uplink, type UplinkStatus } from '../uplink/mqtt-uplink.js';
import { hubCommands, localOnlyCommands } from './commands.js';
import { createClockSyncProbe, type ClockSyncProbe } from '../transports/clock/clock-sync.js';
import { systemBootClock } from '../transports/clock/boot-clock.js';
import { detectorBindings } from './detectors.js';
import type { Measurement } from '../core/reading.js';
import type { BleManager } from '../transports/ble/index.js';
import type { BleDeviceOptions, BleLinkStats, BleManagerStats } from '../transports/ble/types.js';
import type { ModbusBus, ModbusBusStats, ModbusDeviceStats } from '../transports/modbus/index.js';
import { allDevices } from '../config/devices.js';
import type { ZigbeeControllerFactory, ZigbeeNetwork, ZigbeeNetworkStats } from '../transports/zigbee/index.js';
import type { Zigbee2MqttSource, Zigbee2MqttStats } from '../transports/zigbee2mqtt/index.js';
import type { ZigbeeModel } from '../drivers/zigbee-models.js';
import { createControlSocket, type ControlSocket } from './control-socket.js';
import { createIngest, flushReadingsAndStates, type DeviceIngestStats, type Ingest } from './ingest.js';
import { sdNotify } from './sd-notify.js';

/** How often time-driven detectors look at the clock ("no activity for 12 h", "silent device"). */
const DETECTOR_TICK_MS = 5000;
/** How often the daemon looks whether the clock became synchronised, to correct earlier timestamps. */
const TS_CORRECTION_CHECK_MS = 1000;

export interface DaemonDeps {
  config: Readonly<Config>;
  log: Logger;
  clock: Clock;
  version: string;
  /** How serial ports are opened: the real one, or the demo's simulated home. */
  openPort: OpenPort;
  /** Hash of the config file, announced in the birth message so the cloud sees what runs. */
  configHash: string;
  /**
   * How the Zigbee coordinator stack is made: zigbee-herdsman by default; tests pass a fake at our
   * own port (src/transports/zigbee/controller-port.ts), as the demo passes a simulated serial port.
   */
  zigbeeControllerFactory?: ZigbeeControllerFactory;
  /** The remote set-config command; without it the hub does not offer that command. */
  applyConfig?: (yamlText: string) => unknown;
  /** Whether the wall clock is synchronised: the system's (timesyncd, timedatectl) by default; tests pass their own. */
  clockSync?: ClockSyncProbe;
  /** Monotonic clock and boot id stored with each event: the system's by default; tests pass their own. */
  bootClock?: BootClock;
}

export interface DaemonStatus {
  hub: string;
  version: string;
  /** config_hash of the file this daemon runs (birth message): edits must start from that file. */
  configHash: string;
  uplink: UplinkStatus | null;
  outbox: { depth: Record<EventClass, number>; oldestPendingTs: number | null; lastSeq: number };
  alarms: readonly OpenAlarm[];
  devices: Array<{
    id: string; model: string; room: string; serial: ReturnType<SerialTransport['stats']> | null; ble: BleLinkStats | null;
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
}

export interface Daemon {
  /** Throws (after releasing what it opened) if the store cannot open or a component cannot start. */
  start(): void;
  stop(): Promise<void>;
  status(): DaemonStatus;
  /** Commits a hub-level event, e.g. hub.config_applied. */
  raise(draft: EventDraft): void;
}

/**
 * Composition root: constructs everything, starts in dependency order (store, uplink, devices)
 * and stops in reverse. One failing device never stops the others; a store that cannot open
 * throws, and the entry point exits non-zero so systemd restarts us.
 */
export function createDaemon(deps: DaemonDeps): Daemon {
  const { config, log, clock } = deps;
  let db: Db | null = null;
  let outbox: Outbox | null = null;
  let readings: ReadingStore | null = null;
  let uplink: Uplink | null = null;
  let ingest: Ingest | null = null;
  let alarms: Alarms | null = null;
  let control: ControlSocket | null = null;
  let ble: BleManager | null = null;
  let stopped = false;
  const starting: Array<Promise<void>> = [];
  let zigbee: ZigbeeNetwork | null = null;
  let z2m: Zigbee2MqttSource | null = null;
  const modbusBuses: ModbusBus[] = [];
  const transports = new Map<string, SerialTransport>();
  // No hub runs before this code was written: a wall clock earlier than that is certainly wrong.
  const clockSync = deps.clockSync ?? createClockSyncProbe({ now: () => clock.now(), notBeforeTs: Date.UTC(2026, 10, 1) });
  const timers: NodeJS.Timeout[] = [];

  const onEvent = (e: StoredEvent): void => {
    // A report's seq is its own sequence (report_seq on the wire), not the events' seq.
    const seq = classOf(e.type) === 'report' ? { reportSeq: e.seq } : { seq: e.seq };
    const line = { event: { id: e.id, ...seq, type: e.type, state: e.state, device: e.device, data: e.data } };
    if (e.severity === 'critical' && e.state === 'raised') log.warn(line, `ALARM ${e.type} raised`);
    else log.info(line, `${e.type} ${e.state}`);
    uplink?.onEvent(e);
    control?.event(e);
  };

  const flushReadings = (): void => {
    try {
      flushReadingsAndStates(db, readings, ingest); // one transaction: one fsync a flush for both
      sdNotify().progress(); // the store commits: the watchdog may keep pinging (sd-notify.ts)
    } catch (err) {
      log.error({ err }, 'cannot commit readings or detector state; will retry');
    }
  };

  const deviceCounts = () => {
    const recent = clock.now() - 5 * 60_000;
    let open = 0;
    let seen = 0;
    const polled = modbusBuses.flatMap((m) => m.stats().devices);
    for (const d of allDevices(config)) {
      if (transports.get(d.id)?.stats().open || ble?.stats().devices.find((b) => b.id === d.id)?.connected || polled.find((m) => m.id === d.id)?.state === 'ok') open++;
      const last = ingest?.stats(d.id)?.lastSeenTs;
      if (last !== undefined && last !== null && last >= recent) seen++;
    }
    return { total: allDevices(config).length, open, seen_last_5min: seen };
  };

  function startAll(): void {
    db = openDatabase(config.state_dir);
    clockSync.start();
    outbox = createOutbox(db, clock, {
      doneWhen: config.uplink.delivery, clockUnsynced: () => clockSync.state() === 'unsynced', bootClock: deps.bootClock ?? systemBootClock(),
    });
    readings = createReadingStore(db, clock);
    log.info({ stateDir: config.state_dir, pending: outbox.depth(), lastSeq: outbox.lastSeq() }, 'store open');
    const commandDeps = {
      clock, uplink: () => uplink, status: () => daemon.status(), ...(deps.applyConfig ? { applyConfig: deps.applyConfig } : {}),
      permitJoin: (seconds: number) => zigbee?.permitJoin(seconds) ?? null,
      bleScan: async (seconds: number, adapter: string | undefined) => {
        const { scanBle } = await import('../transports/ble/ble-scan.js');
        const { defaultSystemBusAddress } = await import('../transports/ble/node-ble.js');
        const configuredAdapter = config.devices.find((d) => 'ble' in d)?.ble?.adapter;
        return scanBle({ busAddress: config.ble.bus_address ?? defaultSystemBusAddress(), adapter: adapter ?? configuredAdapter ?? 'hci0', seconds });
      },
      raiseEvent: (draft: EventDraft) => ingest?.raise(draft),
      bleConfigured: () => new Map(config.devices.flatMap((d) => ('ble' in d && d.ble ? [[`${d.ble.adapter}/${d.ble.address}`, d.id] as const] : []))),
      ackAlarm: (id: string, by: string) => {
        const r = alarms!.ack(id, by, clock.now());
        if (r.ok && r.event) ingest?.raise(r.event);
        return r;
      },
    };
    const commands = createCommandDispatcher(config.hub.id, hubCommands(commandDeps), log.child({ mod: 'cmd' }));
    // The local socket (anjuctl on site) has the cloud's commands plus the ones that must only be
    // given by someone in the home: opening the Zigbee network lets any device join.
    const localCommands = createCommandDispatcher(config.hub.id, { ...hubCommands(commandDeps), ...localOnlyCommands(commandDeps) }, log.child({ mod: 'cmd' }));
    uplink = createMqttUplink({
      hubId: config.hub.id, config: config.uplink, outbox, clock, log: log.child({ mod: 'uplink' }), version: deps.version,
      configHash: deps.configHash, commands, devices: deviceCounts, clockState: () => clockSync.state(), telemetry: createTelemetryOutbox(db),
    });
    alarms = createAlarms(createAlarmStore(db), { renotifyMs: config.alarms.renotify_s * 1000 });
    ingest = createIngest({
      clock, readings, outbox, states: createDetectorStateStore(db, clock), detectors: detectorBindings(config), onEvent, gate: alarms,
      tap: (r) => { if (control?.hasReadingSubscribers) control.reading(r); },
      transact: (fn) => db!.transaction(fn)(),
      onStoreError: (err, held) => log.error({ code: ErrorCodes.STORE_WRITE, err, held }, 'cannot commit an event; holding it in memory and retrying'),
    });

    timers.push(setInterval(flushReadings, config.store.readings_flush_ms));
    // Once the clock is synchronised, events and reports of this boot stamped before are corrected
    // (those not yet published with their wrong ts). Costs nothing while there is none.
    timers.push(setInterval(() => {
      if (clockSync.state() !== 'synced' || !outbox) return;
      try {
        const { events, reports } = outbox.correctUnsyncedTs();
        if (events.length + reports.length === 0) return;
        log.info({
          corrected: events.length, firstSeq: events[0], lastSeq: events.at(-1),
          correctedReports: reports.length, firstReportSeq: reports[0], lastReportSeq: reports.at(-1),
        }, 'clock synchronised: corrected the ts of events and reports stamped before');
        uplink?.onTsCorrected();
      } catch (err) {
        log.error({ code: ErrorCodes.STORE_WRITE, err }, 'cannot correct event and report timestamps; will retry');
      }
    }, TS_CORRECTION_CHECK_MS));
    timers.push(setInterval(() => {
      ingest?.tick();
      for (const reminder of alarms?.tick(clock.now()) ?? []) ingest?.raise(reminder);
    }, DETECTOR_TICK_MS));
    const quota = createQuotaKeeper(db, { quotaBytes: Math.round(config.store.quota_mb * 1024 * 1024), doneColumn: config.uplink.delivery === 'cloud_ack' ? 'acked_ts' : 'delivered_ts' });
    const enforceQuota = (): void => {
      try {
        const q = quota.enforce();
        if (q.evictedReadings + q.evictedHistory > 0) log.warn({ ...q }, 'store over quota: evicted readings and delivered history');
        if (q.evictedReports > 0) log.error({ ...q }, 'store over quota: evicted undelivered reports (the next report tells the cloud which)');
        if (q.change) {
          const raised = q.change === 'became_full';
          if (raised) log.error({ ...q }, 'store full of undelivered events: keeping every one of them, over quota');
          ingest?.raise({
            type: 'hub.storage_full', severity: 'critical', device: null, state: raised ? 'raised' : 'cleared',
            data: { usedBytes: q.usedBytes, quotaBytes: q.quotaBytes, queue: outbox?.depth() ?? null },
          });
        }
      } catch (err) {
        log.error({ code: ErrorCodes.STORE_WRITE, err }, 'cannot enforce the store quota');
      }
    };
    timers.push(setInterval(enforceQuota, config.store.quota_check_s * 1000));
    enforceQuota();
    const retentionMs = config.store.readings_retention_h * 3600_000;
    timers.push(setInterval(() => { flushReadings(); readings?.prune(retentionMs); }, 10 * 60_000));

    control = createControlSocket({ path: config.control.socket, group: config.control.group, commands: localCommands, log: log.child({ mod: 'control' }) });
    control.start();
    uplink.start();
    const bleDevices: BleDeviceOptions[] = [];
    const zigbeeDevices: Array<{ id: string; model: ZigbeeModel; ieee: string }> = [];
    const z2mDevices: Array<{ id: string; friendlyName: string }> = [];
    const zigbeeFeeds = new Map<string, (m: readonly Measurement[]) => void>();
    const onZigbee = (id: string, ms: Measurement[]): void => zigbeeFeeds.get(id)?.(ms);
    const bleFeeds = new Map<string, (m: readonly Measurement[]) => void>();
    for (const d of config.devices) {
      if ('ble' in d) {
        bleDevices.push({ id: d.id, model: d.model, address: d.ble.address, adapter: d.ble.adapter });
        bleFeeds.set(d.id, ingest.addSource(d.id));
        continue;
      }
      if (!('serial' in d)) {
        const feed = ingest.addSource(d.id);
        zigbeeFeeds.set(d.id, feed);
        if (d.zigbee) zigbeeDevices.push({ id: d.id, model: d.model, ieee: d.zigbee.ieee });
        else if (d.z2m) z2mDevices.push({ id: d.id, friendlyName: d.z2m.friendly_name });
        continue;
      }
      const model = serialModels[d.model];
      const feed = ingest.addDevice(d.id, model.createDriver());
      const t = createSerialTransport({
        path: d.serial.path,
        baudRate: d.serial.baudRate ?? model.defaultBaudRate,
        openPort: deps.openPort,
        onData: feed,
        log: log.child({ device: d.id }),
      });
      transports.set(d.id, t);
      t.start();
    }
    // Transports a home does not use are not even loaded (node-ble, modbus-serial and friends cost
    // megabytes of RSS on a Pi): each is imported when the config has a device for it, with its
    // config helpers (their modules hold the zod schemas: a radar-only home never loads zod).
    const later = (what: string, load: () => Promise<void>): void => {
      starting.push(load().catch((err: unknown) => log.error({ err, transport: what }, 'cannot start a transport')));
    };
    if (config.modbus.length > 0) later('modbus', async () => {
      const modbus = await import('../transports/modbus/index.js');
      if (stopped) return;
      for (const bus of config.modbus) startBus(modbus, bus);
    });
    const startBus = ({ createModbusBus, modbusBusOptions }: typeof import('../transports/modbus/index.js'), bus: Config['modbus'][number]): void => {
      const feeds = new Map(bus.devices.map((d) => [d.id, ingest!.addSource(d.id)]));
      const m = createModbusBus({
        ...modbusBusOptions(bus),
        onMeasurements: (id, ms) => feeds.get(id)?.(ms),
        // The link-level fault (no answer, exception) of a polled device: its own event, so it is
        // not confused with the sensor's own fault bit (device.fault, from device supervision).
        onDeviceFault: (id, fault) => ingest?.raise({
          type: 'device.link_fault', severity: 'warning', device: id, state: fault ? 'raised' : 'cleared',
          data: fault ? { code: fault.code, message: fault.message, bus: bus.id } : { bus: bus.id },
        }),
        log: log.child({ bus: bus.id }),
      });
      modbusBuses.push(m);
      m.start();
    };
    const zc = config.zigbee;
    if (zigbeeDevices.length > 0 && zc) later('zigbee', async () => {
      const { createZigbeeNetwork, zigbeeNetworkSettings } = await import('../transports/zigbee/index.js');
      if (stopped) return;
      zigbee = createZigbeeNetwork({
        stateDir: config.state_dir, ...zigbeeNetworkSettings(zc), devices: zigbeeDevices, onMeasurements: onZigbee, log: log.child({ mod: 'zigbee' }),
        ...(deps.zigbeeControllerFactory ? { controllerFactory: deps.zigbeeControllerFactory } : {}),
      });
      zigbee.start();
    });
    const z = config.zigbee2mqtt;
    if (z2mDevices.length > 0 && z) later('zigbee2mqtt', async () => {
      const { createZigbee2MqttSource } = await import('../transports/zigbee2mqtt/index.js');
      if (stopped) return;
      z2m = createZigbee2MqttSource({
        url: z.url, baseTopic: z.base_topic, ...(z.username ? { username: z.username } : {}), ...(z.password_file ? { passwordFile: z.password_file } : {}),
        batteryIntervalMs: z.battery_interval_min * 60_000, reconnectMs: z.reconnect_s * 1000,
        devices: z2mDevices, onMeasurements: onZigbee, log: log.child({ mod: 'zigbee2mqtt' }),
      });
      z2m.start();
    });
    if (bleDevices.length > 0) later('ble', async () => {
      const { createBleManager, bleTimingFromSettings } = await import('../transports/ble/index.js');
      if (stopped) return;
      ble = createBleManager({
        devices: bleDevices,
        onMeasurements: (id, ms) => bleFeeds.get(id)?.(ms),
        log: log.child({ mod: 'ble' }),
        ...(config.ble.bus_address ? { busAddress: config.ble.bus_address } : {}),
        timing: bleTimingFromSettings(config.ble),
      });
      ble.start();
    });
    // node: the runtime actually running (package.json pins Node 24; a system node could differ).
    log.info({ hub: config.hub.id, devices: config.devices.length, version: deps.version, node: process.version }, 'anjud started');
  }

  const daemon: Daemon = {
    start() {
      try {
        startAll();
      } catch (err) {
        void daemon.stop(); // release the store and ports before the caller decides what next
        throw err;
      }
    },
    raise(draft) {
      ingest?.raise(draft);
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      clockSync.stop();
      stopped = true;
      await Promise.all(starting); // a transport still loading must not start after the stop
      await Promise.all([...transports.values()].map((t) => t.stop()));
      try { ingest?.snapshot(true); } catch (err) { log.error({ err }, 'cannot save detector state at stop'); }
      await ble?.stop();
      ble = null;
      await zigbee?.stop();
      zigbee = null;
      await z2m?.stop();
      z2m = null;
      await Promise.all(modbusBuses.map((m) => m.stop()));
      modbusBuses.length = 0;
      flushReadings();
      await control?.stop();
      await uplink?.stop();
      db?.close();
      db = null;
      log.info('anjud stopped');
    },

    status() {
      const bleStats = ble?.stats();
      const modbusStats = modbusBuses.map((m) => m.stats());
      return {
        hub: config.hub.id,
        version: deps.version,
        configHash: deps.configHash,
        uplink: uplink?.status() ?? null,
        alarms: alarms?.open() ?? [],
        outbox: { depth: outbox?.depth() ?? { alarm: 0, event: 0, report: 0 }, oldestPendingTs: outbox?.oldestPendingTs() ?? null, lastSeq: outbox?.lastSeq() ?? 0 },
        devices: allDevices(config).map((d) => ({
          id: d.id, model: d.model, room: d.room, serial: transports.get(d.id)?.stats() ?? null,
          ble: bleStats?.devices.find((b) => b.id === d.id) ?? null,
          modbus: modbusStats.flatMap((b) => b.devices).find((m) => m.id === d.id) ?? null,
          ingest: ingest?.stats(d.id),
        })),
        modbusBuses: modbusStats.map((b) => ({ ...b, devices: undefined })),
        bleAdapters: bleStats?.adapters ?? {},
        zigbee: zigbee?.stats() ?? null,
        zigbee2mqtt: z2m?.stats() ?? null,
      };
    },
  };
  return daemon;
}

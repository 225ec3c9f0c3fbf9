import type { Config } from '../config/schema.js';
import type { Warning } from '../escalation/ias-wd.js';
import type { PartResult } from '../escalation/sounders.js';
import { allDevices, devicesOn } from '../config/devices.js';
import type { Catalogue } from '../drivers/catalogue.js';
import { serialModelOf } from '../drivers/registry.js';
import { createSerialLinks } from '../transports/serial/transport.js';
import type { CreateTransport, DeviceSink, Transport, TransportContext, TransportStatus } from '../transports/transport.js';
import type { Ingest } from './ingest.js';

/**
 * The transports the daemon knows, in start order, and when a config uses each. Serial is in the
 * daemon from the start (every home has a radar); the others are imported when the config has a
 * device for them (node-ble, modbus-serial, zigbee-herdsman and their zod schemas cost megabytes of
 * RSS on a Pi: a radar-only home never loads them). Adding a transport is one entry here
 * (docs/pipeline.md, "Adding a transport").
 */
const TRANSPORTS: ReadonlyArray<{ name: string; used: (c: Readonly<Config>) => boolean; load: () => CreateTransport | Promise<CreateTransport> }> = [
  { name: 'serial', used: (c) => devicesOn(c, 'serial').length > 0, load: () => createSerialLinks },
  { name: 'modbus', used: (c) => c.modbus.length > 0, load: async () => (await import('../transports/modbus/transport.js')).createModbusTransport },
  { name: 'zigbee', used: (c) => !!c.zigbee && devicesOn(c, 'zigbee').length > 0, load: async () => (await import('../transports/zigbee/transport.js')).createZigbeeTransport },
  { name: 'zigbee2mqtt', used: (c) => !!c.zigbee2mqtt && devicesOn(c, 'z2m').length > 0, load: async () => (await import('../transports/zigbee2mqtt/transport.js')).createZigbee2MqttTransport },
  { name: 'ble', used: (c) => devicesOn(c, 'ble').length > 0, load: async () => (await import('../transports/ble/transport.js')).createBleTransport },
  { name: 'modem', used: (c) => !!c.modem, load: async () => (await import('../transports/modem/transport.js')).createModemTransport },
];

/**
 * Registers every configured device with ingest in config order (the order detectors see devices,
 * whatever order the transports load in): a serial device with the stream driver its catalogue
 * entry names, the others as sources their transport decodes for.
 */
export function deviceSink(config: Readonly<Config>, catalogue: Catalogue, ingest: Ingest): DeviceSink {
  const streams = new Map<string, (chunk: Uint8Array) => void>();
  const feeds = new Map<string, ReturnType<Ingest['addSource']>>();
  const serial = new Set(devicesOn(config, 'serial').map((d) => d.id));
  for (const d of allDevices(config)) {
    if (serial.has(d.id)) streams.set(d.id, ingest.addDevice(d.id, serialModelOf(catalogue.get(d.model)!).createDriver()));
    else feeds.set(d.id, ingest.addSource(d.id));
  }
  const missing = (id: string): never => { throw new Error(`device ${id} was not registered with ingest`); };
  return {
    feed: (id) => feeds.get(id) ?? missing(id),
    stream: (id) => streams.get(id) ?? missing(id),
    raise: (draft) => ingest.raise(draft),
  };
}

export interface RunningTransports {
  /** Resolves when every transport that was loading has started (or failed to). */
  readonly loading: Promise<void>;
  byName(name: string): Transport | undefined;
  /** An IAS WD warning to a siren device, through whichever transport has it (Transport.warn). */
  warn(deviceId: string, w: Warning): Promise<PartResult>;
  stop(): Promise<void>;
  status(): TransportStatus[];
}

/** Creates and starts every transport the config uses; one that cannot start is logged, the others run. */
export function startTransports(ctx: TransportContext, stopped: () => boolean): RunningTransports {
  const running = new Map<string, Transport>();
  const loads: Array<Promise<void>> = [];
  const start = (name: string, create: CreateTransport): void => {
    const t = create(ctx);
    running.set(name, t);
    t.start();
  };
  for (const t of TRANSPORTS) {
    if (!t.used(ctx.config)) continue;
    const create = t.load();
    if (!(create instanceof Promise)) { start(t.name, create); continue; }
    loads.push(create.then((c) => { if (!stopped()) start(t.name, c); })
      .catch((err: unknown) => ctx.log.error({ err, transport: t.name }, 'cannot start a transport')));
  }
  return {
    loading: Promise.all(loads).then(() => undefined),
    byName: (name) => running.get(name),
    async warn(deviceId, w) {
      for (const t of running.values()) {
        const r = t.warn?.(deviceId, w);
        if (r) return r;
      }
      return { ok: false, detail: `no running transport reaches the siren ${deviceId} (its transport is still starting, or failed)` };
    },
    async stop() { await Promise.all([...running.values()].map((t) => t.stop())); running.clear(); },
    status: () => [...running.values()].map((t) => t.status()),
  };
}

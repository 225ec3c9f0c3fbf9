import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { systemClock } from '../../src/core/clock.js';
import type { Config } from '../../src/config/schema.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createOutbox, type Outbox } from '../../src/store/outbox.js';
import { createReadingStore, type ReadingStore } from '../../src/store/readings.js';
import { createTelemetryOutbox } from '../../src/store/telemetry-outbox.js';
import { createMqttUplink, type Uplink } from '../../src/uplink/mqtt-uplink.js';

/**
 * One simulated hub: the hub's REAL store and uplink (its own SQLite file with its own seq and
 * epoch, src/store/outbox.ts; the MQTT session, drainers, cloud acks, telemetry and heartbeat of
 * src/uplink/mqtt-uplink.ts), wired as src/daemon/daemon.ts wires them, without sensors and
 * detectors: alarms, events and readings are raised by the fleet's schedule instead. An alarm
 * counts as raised once committed (append), then the uplink hears of it, as in src/daemon/ingest.ts.
 */
export interface SimHub {
  readonly id: string;
  start(): void;
  raise(kind: 'alarm' | 'event', now: number): void;
  /** One reading (a vitals summary), committed as the daemon's 1 s readings flush would. */
  reading(now: number): void;
  connected(): boolean;
  /** Publishes and resends of alarms and events since start (the uplink's drainer). */
  sent(): { published: number; resent: number };
  outbox: Outbox;
  db: Db;
  stop(): Promise<void>;
}

export interface SimHubEvents {
  /** The uplink (re)connected at `ts`. */
  onConnect(hub: string, ts: number): void;
  onDisconnect(hub: string, ts: number): void;
}

/**
 * The uplink's logger, reduced to what the fleet counts: a real pino logger per hub would cost
 * more than the hub itself and write 6,000 log streams nobody reads. The uplink's connect and
 * disconnect lines are its own signals (the same lines tests wait for in the daemon's log).
 */
function fleetLogger(hub: string, ev: SimHubEvents, warn: (hub: string, msg: string) => void): Logger {
  const log = {
    level: 'info',
    info(_obj: unknown, msg?: string) {
      if (msg === 'uplink connected') ev.onConnect(hub, Date.now());
    },
    warn(_obj: unknown, msg?: string) {
      if (msg?.startsWith('uplink disconnected')) ev.onDisconnect(hub, Date.now());
      else if (msg !== undefined && msg !== 'uplink error') warn(hub, msg);
    },
    error(_obj: unknown, msg?: string) { if (msg !== undefined) warn(hub, msg); },
    debug() {},
    trace() {},
    fatal() {},
    child: () => log,
  };
  return log as unknown as Logger;
}

export function createSimHub(o: {
  id: string;
  stateRoot: string;
  uplink: Config['uplink'];
  events: SimHubEvents;
  warn: (hub: string, msg: string) => void;
}): SimHub {
  const dir = join(o.stateRoot, o.id);
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(dir);
  const outbox = createOutbox(db, systemClock, { doneWhen: o.uplink.delivery });
  const readings: ReadingStore = createReadingStore(db, systemClock);
  let connected = false;
  const events: SimHubEvents = {
    onConnect: (hub, ts) => { connected = true; o.events.onConnect(hub, ts); },
    onDisconnect: (hub, ts) => { connected = false; o.events.onDisconnect(hub, ts); },
  };
  const uplink: Uplink = createMqttUplink({
    hubId: o.id,
    config: o.uplink,
    outbox,
    clock: systemClock,
    log: fleetLogger(o.id, events, o.warn),
    version: 'fleet-sim',
    configHash: 'fleet-sim',
    devices: () => ({ total: 1, open: 1, seen_last_5min: 1 }),
    telemetry: createTelemetryOutbox(db),
  });
  let n = 0;
  return {
    id: o.id,
    outbox,
    db,
    start: () => uplink.start(),
    raise(kind, now) {
      n++;
      const e = kind === 'alarm'
        ? outbox.append({ type: 'alarm.inactivity', severity: 'critical', device: null, state: 'raised', data: { fleet: true, n, raisedAt: now } })
        : outbox.append({ type: 'device.online', severity: 'info', device: 'radar', state: 'info', data: { fleet: true, n } });
      uplink.onEvent(e);
    },
    reading(now) {
      readings.add({ device: 'radar', ts: now, metric: 'heartRatePerMin', value: 60 + (n % 20) });
      readings.flush();
    },
    connected: () => connected,
    sent() {
      const st = uplink.status();
      return { published: st.published, resent: st.resent };
    },
    async stop() {
      await uplink.stop(1000);
      db.close();
    },
  };
}

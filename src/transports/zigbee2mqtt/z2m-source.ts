import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { brokerConnectOptions } from '../../core/broker-url.js';
import type { Logger } from 'pino';
import { AnjuError, ErrorCodes, type ErrorCode } from '../../core/errors.js';
import { createLogLimiter } from '../../core/log-limiter.js';
import { createLinkSupervisor, type LinkRetryStatus } from '../link-supervisor.js';
import type { Measurement } from '../../core/reading.js';
import { mapZ2mState, newZ2mDeviceMemory, parseZ2mAvailability, type Z2mDeviceMemory } from './payload-map.js';

/**
 * Largest Zigbee2MQTT message we read, bytes. A device's state is a few hundred bytes, a
 * thermostat's or a light's with every attribute a few kB; 64 KiB leaves a wide margin. Anything
 * larger is counted and dropped unread: JSON.parse of a 16.8 MB object (issue 12, finding 7)
 * allocated past the unit's 128 MB heap cap and aborted the daemon at every start (retained).
 */
export const Z2M_MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * MQTT 5 Maximum Packet Size announced in CONNECT (MQTT 5.0, 3.1.2.11.4): the broker then never
 * sends us a larger packet, so a huge message is not even read into memory. The payload limit plus
 * room for the topic and properties, so a message just over the payload limit still reaches us and
 * is counted.
 */
export const Z2M_MAX_PACKET_BYTES = Z2M_MAX_PAYLOAD_BYTES + 8 * 1024;

export type OnMeasurements = (deviceId: string, measurements: Measurement[]) => void;

export interface Zigbee2MqttDeviceOptions {
  id: string;
  friendlyName: string;
}

export interface Zigbee2MqttSourceOptions {
  url: string;
  baseTopic?: string;
  username?: string;
  /** Read at start (and again at each retry while it fails); the first line is the password. */
  passwordFile?: string;
  devices: readonly Zigbee2MqttDeviceOptions[];
  onMeasurements: OnMeasurements;
  log: Logger;
  /** `battery` passes at most this often per device (default 60 min). */
  batteryIntervalMs?: number;
  reconnectMs?: number;
  /** Wall clock for the stats (lastMessageAtMs), ms; default Date.now (injected by tests). */
  now?: () => number;
  /**
   * The clock the battery interval is measured on, ms; default the monotonic clock: a step of the wall
   * clock (NTP) must not hold battery and linkQuality back by the step (a mains detector whose state never
   * changes would then look silent to device supervision), nor let them through at once (issue 12).
   */
  monoNow?: () => number;
}

export type Zigbee2MqttState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'stopped';

export interface Zigbee2MqttDeviceStats {
  id: string;
  friendlyName: string;
  /** From `<base>/<name>/availability`; null until Zigbee2MQTT said. */
  available: boolean | null;
  messages: number;
  malformed: number;
  /** Messages over Z2M_MAX_PAYLOAD_BYTES, dropped unread. */
  oversized: number;
  lastMessageAtMs: number | null;
}

export interface Zigbee2MqttStats {
  state: Zigbee2MqttState;
  lastError: string | null;
  lastErrorCode: ErrorCode | null;
  /** The link supervisor's bookkeeping (src/transports/link-supervisor.ts), as every link shows it. */
  retry: LinkRetryStatus;
  connects: number;
  disconnects: number;
  /** MQTT protocol of the current connection: 5, or 4 when the broker refused 5 (then the broker does not know our size limit). */
  protocolVersion: 4 | 5;
  /** State and availability messages of configured devices. */
  messages: number;
  /** Not JSON, not an object, an unknown availability payload, or a known key with a wrong-typed value. */
  malformed: number;
  lastMalformed: string | null;
  /** Messages over Z2M_MAX_PAYLOAD_BYTES, dropped before parsing (`ANJU_ERR_Z2M_OVERSIZED`). */
  oversized: number;
  /** onMeasurements threw (a bug downstream). */
  handlerErrors: number;
  devices: Zigbee2MqttDeviceStats[];
}

export interface Zigbee2MqttSource {
  /** Connects in the background and returns at once; failures are status, retried. */
  start(): void;
  stop(): Promise<void>;
  stats(): Zigbee2MqttStats;
  /** Publishes `<base>/<friendly>/set` (QoS 1, resolved on the PUBACK): a command to a device, e.g. a siren's warning. */
  set(friendlyName: string, payload: Readonly<Record<string, unknown>>): Promise<{ ok: true } | { ok: false; detail: string }>;
}

interface Entry { stats: Zigbee2MqttDeviceStats; mem: Z2mDeviceMemory }

/**
 * Zigbee sensors of a home that already runs Zigbee2MQTT: our own MQTT client on the hub's local
 * broker, subscribed to exactly the configured devices' state and availability topics, mapping
 * their payloads to the same metrics as the native Zigbee transport. Throws only on invalid options
 * (start-up); afterwards every failure is a status.
 */
export function createZigbee2MqttSource(o: Zigbee2MqttSourceOptions): Zigbee2MqttSource {
  const base = o.baseTopic ?? 'zigbee2mqtt';
  const batteryIntervalMs = o.batteryIntervalMs ?? 60 * 60_000;
  const reconnectMs = o.reconnectMs ?? 5_000;
  const now = o.now ?? Date.now;
  const monoNow = o.monoNow ?? (() => performance.now());
  const byTopic = new Map<string, { entry: Entry; kind: 'state' | 'availability' }>();
  const entries: Entry[] = [];
  for (const d of o.devices) {
    if (entries.some((e) => e.stats.id === d.id)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `Zigbee2MQTT device id ${d.id} appears twice`);
    const entry: Entry = { stats: { id: d.id, friendlyName: d.friendlyName, available: null, messages: 0, malformed: 0, oversized: 0, lastMessageAtMs: null }, mem: newZ2mDeviceMemory() };
    for (const [topic, kind] of [[`${base}/${d.friendlyName}`, 'state'], [`${base}/${d.friendlyName}/availability`, 'availability']] as const) {
      if (byTopic.has(topic)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `device ${d.id}: Zigbee2MQTT topic ${topic} is already used by ${byTopic.get(topic)!.entry.stats.id}`);
      byTopic.set(topic, { entry, kind });
    }
    entries.push(entry);
  }
  const topics = [...byTopic.keys()];

  const st: Omit<Zigbee2MqttStats, 'devices' | 'retry'> = {
    state: 'idle', lastError: null, lastErrorCode: null, connects: 0, disconnects: 0, protocolVersion: 5, messages: 0, malformed: 0, lastMalformed: null, oversized: 0, handlerErrors: 0,
  };
  // A device (or something posing as Zigbee2MQTT) can send thousands of bad messages a minute.
  const limited = createLogLimiter(o.log);
  let client: MqttClient | null = null;
  // The one retry loop (src/transports/link-supervisor.ts), full jitter up to reconnect_s: mqtt.js's
  // own fixed-period reconnect is off. An attempt reconnects the client, or makes it (password file).
  const sup = createLinkSupervisor({
    policy: { minMs: reconnectMs, maxMs: reconnectMs, jitter: 'full' }, now: monoNow,
    attempt: () => { if (client) client.reconnect(); else void connectNow(); },
  });
  let stopped = false;
  let errorLogged = false;
  let fellBack = false;

  function fail(code: ErrorCode, message: string): void {
    st.lastError = message;
    st.lastErrorCode = code;
    // One warning per outage, not one per retry.
    if (!errorLogged) o.log.warn({ code, url: o.url }, `Zigbee2MQTT source: ${message}`);
    errorLogged = true;
  }

  function malformed(e: Entry, what: string): void {
    st.malformed++;
    e.stats.malformed++;
    st.lastMalformed = `${e.stats.friendlyName}: ${what}`;
    limited.log('warn', `malformed:${e.stats.id}`, { code: ErrorCodes.Z2M_MALFORMED, device: e.stats.id }, `Zigbee2MQTT payload: ${what}`);
  }

  function deliver(id: string, ms: Measurement[]): void {
    if (ms.length === 0) return;
    try { o.onMeasurements(id, ms); } catch (err) {
      st.handlerErrors++;
      o.log.error({ err, code: ErrorCodes.INGEST_FAILED, device: id }, 'Zigbee2MQTT measurements handler failed');
    }
  }

  function onMessage(topic: string, payload: Buffer): void {
    const route = byTopic.get(topic);
    if (!route) return; // a retained message of a topic we no longer want, or a broker quirk
    const { entry, kind } = route;
    st.messages++;
    entry.stats.messages++;
    entry.stats.lastMessageAtMs = now();
    // Before anything reads it: a payload's size is the only thing we trust about it yet.
    if (payload.length > Z2M_MAX_PAYLOAD_BYTES) {
      st.oversized++;
      entry.stats.oversized++;
      limited.log('warn', `oversized:${entry.stats.id}`, { code: ErrorCodes.Z2M_OVERSIZED, device: entry.stats.id, topic, bytes: payload.length, limitBytes: Z2M_MAX_PAYLOAD_BYTES },
        'Zigbee2MQTT message over the size limit; dropped unread');
      return;
    }
    const text = payload.toString('utf8');
    if (kind === 'availability') {
      const available = parseZ2mAvailability(text);
      if (available === null) return malformed(entry, `availability ${JSON.stringify(text.slice(0, 60))}`);
      entry.stats.available = available;
      // Retained, and resent by Z2M on its restart: pass it only when it changes.
      if (entry.mem.available === available) return;
      entry.mem.available = available;
      return deliver(entry.stats.id, [{ metric: 'available', value: available }]);
    }
    // An empty retained message clears a topic; it is not a device state.
    if (text.length === 0) return;
    let json: unknown;
    try { json = JSON.parse(text); } catch { return malformed(entry, `not JSON: ${JSON.stringify(text.slice(0, 60))}`); }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return malformed(entry, 'not a JSON object');
    const r = mapZ2mState(json as Record<string, unknown>, entry.mem, monoNow(), batteryIntervalMs);
    if (r.badKeys.length > 0) malformed(entry, `wrong type for ${r.badKeys.join(', ')}`);
    deliver(entry.stats.id, r.measurements);
  }

  async function connectNow(): Promise<void> {
    if (stopped) return;
    let password: string | undefined;
    if (o.passwordFile) {
      try { password = (await readFile(o.passwordFile, 'utf8')).split(/\r?\n/)[0]; } catch (err) {
        fail(ErrorCodes.Z2M_CONNECT, `cannot read password_file ${o.passwordFile}: ${(err as Error).message}`);
        sup.failed('password-file', st.lastError ?? '');
        return;
      }
    }
    if (stopped) return;
    const opts: IClientOptions = {
      // Unique per run: a second anjud (or a restart racing the old session) must not kick us off.
      clientId: `anjud-z2m-${randomBytes(4).toString('hex')}`,
      protocolVersion: st.protocolVersion,
      ...(st.protocolVersion === 5 ? { properties: { maximumPacketSize: Z2M_MAX_PACKET_BYTES } } : {}),
      clean: true,
      reconnectPeriod: 0, // the link supervisor reconnects, with jitter
      // A refused CONNECT (bad credentials, or MQTT 5 on a 3.1.1 broker: see 'error' below) is
      // retried too; without this mqtt.js gives up after the first refusal.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      // No 65,536-Buffer number cache in mqtt-packet (~6 MB of heap); see mqtt-uplink.ts.
      writeCache: false,
      // We subscribe on every connect ourselves: after a broker restart without persistence the
      // broker has forgotten our subscriptions, and mqtt.js's resubscribe list is not ours to rely on.
      resubscribe: false,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(password !== undefined ? { password } : {}),
    };
    st.state = 'connecting';
    const c = connect({ ...brokerConnectOptions(o.url), ...opts }); // the endpoint the config check judged
    client = c;
    c.on('connect', () => {
      sup.up();
      st.state = 'connected';
      st.connects++;
      if (errorLogged) o.log.info({ url: o.url }, 'Zigbee2MQTT source: connected');
      errorLogged = false;
      // QoS 1 so a state published while we are subscribed is not lost between broker and us.
      c.subscribe(topics, { qos: 1 }, (err) => {
        if (err && !stopped) fail(ErrorCodes.Z2M_CONNECT, `subscribe failed: ${err.message}`);
      });
    });
    c.on('message', (topic, payload) => {
      try { onMessage(topic, payload); } catch (err) {
        // mapZ2mState and parse are total; this is a bug, and must not reach mqtt.js's emitter.
        st.malformed++;
        o.log.error({ err, topic }, 'Zigbee2MQTT message handling failed');
      }
    });
    // Every close is retried by the link supervisor (mqtt.js's own reconnect, and with it its
    // 'offline' event, is off). Recorded before the state changes, so status never shows a
    // disconnected source without its reason.
    c.on('close', () => {
      if (st.state === 'connected') st.disconnects++;
      if (stopped) return;
      if (fellBack) fellBack = false; // refused MQTT 5 a moment ago: not an outage
      else if (st.state === 'connected' || st.lastErrorCode === null) fail(ErrorCodes.Z2M_CONNECT, 'broker unreachable');
      st.state = 'disconnected';
      sup.failed('broker-unreachable', st.lastError ?? 'connection closed');
    });
    // mqtt.js emits 'error' for refused connections (bad credentials); an unheard 'error' would crash us.
    c.on('error', (err) => {
      if (stopped) return;
      // A broker without MQTT 5 (Mosquitto before 1.6, aedes) refuses the version: 1 in an MQTT
      // 3.1.1 CONNACK, 0x84 in an MQTT 5 one. Speak 3.1.1 from the next attempt on (mqtt.js builds
      // each CONNECT from these options); the payload limit above still holds, in this process.
      const rc = (err as { code?: unknown }).code;
      if (c.options.protocolVersion === 5 && (rc === 1 || rc === 0x84)) {
        st.protocolVersion = 4;
        fellBack = true;
        c.options.protocolVersion = 4;
        delete c.options.properties;
        o.log.info({ url: o.url }, 'Zigbee2MQTT source: the broker does not speak MQTT 5; using MQTT 3.1.1');
        return;
      }
      fail(ErrorCodes.Z2M_CONNECT, err.message);
    });
  }

  return {
    start() {
      if (stopped || client || sup.pending) return;
      void connectNow();
    },
    async stop() {
      stopped = true;
      st.state = 'stopped';
      sup.stop();
      const c = client;
      client = null;
      if (c) await c.endAsync(true).catch(() => undefined);
      limited.flush();
    },
    stats: () => ({ ...st, retry: { ...sup.status() }, devices: entries.map((e) => ({ ...e.stats })) }),
    set(friendlyName, payload) {
      const c = client;
      if (!c?.connected) return Promise.resolve({ ok: false, detail: `Zigbee2MQTT broker not connected (${st.lastError ?? st.state})` });
      return new Promise((resolve) => {
        c.publish(`${base}/${friendlyName}/set`, JSON.stringify(payload), { qos: 1 }, (err) => resolve(err ? { ok: false, detail: err.message } : { ok: true }));
      });
    },
  };
}

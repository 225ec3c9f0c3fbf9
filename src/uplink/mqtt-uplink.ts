import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { connect, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { ErrorCodes } from '../core/errors.js';
import { CLASS_PRIORITY, classOf, type PendingEvent, type StoredEvent } from '../core/event.js';
import type { Outbox, OutboxRow } from '../store/outbox.js';
import type { Config } from '../config/schema.js';
import { fullJitterDelayMs } from '../core/backoff.js';
import { redactUrl } from './redact-url.js';
import { brokerConnectOptions } from '../core/broker-url.js';
import type { CommandDispatcher } from './commands.js';
import { topics, unstoredMessage, UPLINK_MAX_PACKET_BYTES, wireFormat, type HeartbeatMessage, type HeartbeatStorage, type StatusMessage, type UnstoredMessage } from './contract.js';
import { createInbound, type InboundStats } from './inbound.js';
import { createDrainer, type DrainStats } from './drain.js';
import { createDrainReader, type WrittenRow } from './drain-reader.js';
import type { TelemetryOutbox } from '../store/telemetry-outbox.js';
import { createTelemetrySender, type TelemetrySender } from './telemetry.js';

export interface UplinkStatus extends DrainStats {
  /** The report class's drainer (its own window and report_seq). */
  reports: DrainStats & { lastCloudAck: { seq: number; ts: number } | null };
  telemetry: ReturnType<TelemetrySender['stats']> | null;
  connected: boolean;
  /** Alarms, events and reports the broker acknowledged (PUBACK) since start. */
  delivered: number;
  publishErrors: number;
  connects: number;
  lastPubackTs: number | null;
  lastCloudAck: { seq: number; ts: number } | null;
  /** What the cloud sent that was too large, malformed or not ours (src/uplink/inbound.ts). */
  inbound: InboundStats;
}

export interface Uplink {
  start(): void;
  /** A new event or report was committed: publish what the window allows. Called on the hot path; cheap. */
  onEvent(e: StoredEvent): void;
  /** The store corrected the ts of events or reports not yet published (Outbox.correctUnsyncedTs): publish the corrected rows. */
  onTsCorrected(): void;
  /**
   * An event could not be committed and is held (src/daemon/held-events.ts): published at once on
   * the unstored topic, without a seq, and again after each reconnect until it is committed (its
   * committed copy, `onEvent`, has the same id) or dropped (`onHeldDropped`).
   */
  onHeld(e: PendingEvent, reason: UnstoredMessage['reason']): void;
  onHeldDropped(ids: readonly string[]): void;
  status(): UplinkStatus;
  /**
   * Publishes again every event with seq > `sinceSeq` (done or not), at most `limit`, oldest first,
   * outside the drain window: the cloud's `resync` command. Returns how many and the last seq.
   */
  resync(sinceSeq: number, limit: number): { count: number; lastSeq: number | null };
  /**
   * The same for reports: publishes again on the reports topic every report with report_seq >
   * `sinceReportSeq` the hub still has, at most `limit`, oldest first, outside the window. Returns
   * how many and the last report_seq (`resync` with `since_report_seq`).
   */
  resyncReports(sinceReportSeq: number, limit: number): { count: number; lastSeq: number | null };
  /**
   * Keeps `payload` as the retained message of `topic` (the inventory, a device's availability):
   * published now when connected and again at every connection, after the birth, so a broker that
   * lost its retained store (restart without persistence) has it back. null clears it: an empty
   * retained payload once (now, or at the next connection), then forgotten.
   */
  retain(topic: string, payload: string | null): void;
  /** Publishes the retained offline status and disconnects; resolves within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface UplinkDeps {
  hubId: string;
  config: Config['uplink'];
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  version: string;
  configHash: string;
  /** Device counts for the heartbeat. */
  devices: () => HeartbeatMessage['devices'];
  commands?: CommandDispatcher;
  /** Readings to upload as telemetry; omitted: no telemetry. */
  telemetry?: TelemetryOutbox;
  clockState?: () => HeartbeatMessage['clock'];
  /** The store's health for the heartbeat (src/store/storage-health.ts); omitted: not sent. */
  storage?: () => HeartbeatStorage;
  /**
   * Runs what an MQTT or timer callback does with the store and never throws (the daemon's records
   * the failure in the storage state: src/store/storage-health.ts); default: catches and logs. A
   * store error must never end the process from a callback (issue 12, finding 1).
   */
  safely?: (where: string, fn: () => void) => void;
  random?: () => number;
}

/** Options of every event publish (mqtt.js copies them, never changes them): one object, not one per event. */
const EVENT_PUBLISH: IClientPublishOptions = Object.freeze({ qos: 1 });

/** MQTT credentials and TLS files from config (also used by the cloud side, ingest/service.ts). */
export function credentials(cfg: Pick<Config['uplink'], 'username' | 'password' | 'password_file' | 'tls'>): Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  const password = cfg.password_file !== undefined ? readFileSync(cfg.password_file, 'utf8').split(/\r?\n/)[0] : cfg.password;
  return {
    ...(cfg.username !== undefined ? { username: cfg.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(cfg.tls.ca ? { ca: readFileSync(cfg.tls.ca) } : {}),
    ...(cfg.tls.cert ? { cert: readFileSync(cfg.tls.cert) } : {}),
    ...(cfg.tls.key ? { key: readFileSync(cfg.tls.key) } : {}),
    rejectUnauthorized: cfg.tls.reject_unauthorized,
  };
}

/**
 * The MQTT session: connects (TLS and credentials from config), announces itself (retained birth,
 * will for a lost connection), drains the outbox through the drainer, takes cloud acks and
 * commands from its own topics only, publishes a heartbeat, and reconnects with full-jitter
 * exponential backoff. The durable session is the SQLite outbox, so the broker session is clean.
 */
export function createMqttUplink(deps: UplinkDeps): Uplink {
  const { hubId, config: cfg, outbox, clock, log } = deps;
  const t = topics(hubId);
  const startedTs = clock.now();
  // Durations (uptime, resend timers) on the monotonic clock: a wall-clock step (NTP) must neither
  // hold a resend back by the step nor make everything due at once (issue 12).
  const monotonic: Clock = { now: () => performance.now() };
  const startedMono = monotonic.now();
  const v5 = cfg.protocol_version === 5;
  let client: MqttClient | null = null;
  let stopping = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  const timers: NodeJS.Timeout[] = [];
  const st = { connected: false, delivered: 0, publishErrors: 0, connects: 0, lastPubackTs: null as number | null };

  const safely = deps.safely ?? ((where: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      log.error({ code: ErrorCodes.STORE_WRITE, where, err }, 'uplink: a store call failed; carrying on');
    }
  });
  /** A callback that never throws (MQTT handlers, timers). */
  const guarded = <A extends unknown[]>(where: string, fn: (...args: A) => void) => (...args: A): void => safely(where, () => fn(...args));
  /** The queue for a log line; null when the store cannot be read (the line, and what follows it, still happen). */
  const queueForLog = () => {
    try { return outbox.depth(); } catch { return null; }
  };
  /** Retained descriptions (inventory, availability) by topic; '' = clear it at the next chance. */
  const retained = new Map<string, string>();
  /** Held events' unstored messages, by id, until committed or dropped: sent again after a reconnect. */
  const unstored = new Map<string, string>();

  const uptimeS = () => Math.round((monotonic.now() - startedMono) / 1000);
  const status = (state: 'online' | 'offline', reason?: StatusMessage['reason']): Buffer => {
    const msg: StatusMessage = {
      v: 1, hub: hubId, state, ts: clock.now(), ...(reason ? { reason } : {}), version: deps.version, started_ts: startedTs,
      ...(state === 'online' ? { uptime_s: uptimeS(), config_hash: deps.configHash, epoch: outbox.epoch() } : {}),
    };
    return Buffer.from(JSON.stringify(msg));
  };
  const publishRetained = (c: MqttClient, topic: string, payload: string): void => {
    c.publish(topic, payload, { qos: 1, retain: true });
    if (payload === '') retained.delete(topic); // cleared: nothing to repeat
  };
  const will = () => ({ topic: t.status, payload: status('offline', 'connection_lost'), qos: 1 as const, retain: true });

  const onPublished = (what: 'event' | 'report', seq: number, done: (err?: Error) => void, err?: Error | null): void => {
    if (err) {
      st.publishErrors++;
      if (!stopping) log.warn({ code: ErrorCodes.UPLINK_PUBLISH, [what === 'event' ? 'seq' : 'reportSeq']: seq, err: err.message }, `${what} publish not acknowledged; will resend`);
    } else {
      st.delivered++;
      st.lastPubackTs = clock.now();
    }
    done(err ?? undefined);
  };
  const connected = () => !stopping && client?.connected === true;
  const drainOpts = { clock: monotonic, window: cfg.inflight_window, doneWhen: cfg.delivery, retryMs: cfg.retry_s * 1000, ackTimeoutMs: cfg.ack_timeout_s * 1000 };

  /**
   * The wire form of an event. One published with its uncorrected ts is recorded as such first, so
   * it is never corrected later: every copy the cloud gets of an event is the same.
   */
  const wire = wireFormat(hubId, outbox.epoch());
  const eventPayload = (e: OutboxRow | WrittenRow): string => {
    if (e.tsUnsynced) outbox.markSentUnsynced(e.seq);
    return 'payload' in e ? e.payload : wire.event(e);
  };

  /**
   * The wire form of a report, marked first like an event's (`eventPayload`). Its `gap` is what the
   * hub knows at this publish: report_seqs evicted unsent, until the cloud acknowledged past them.
   */
  const reportPayload = (r: OutboxRow): string => {
    if (r.tsUnsynced) outbox.reports.markSentUnsynced(r.seq);
    return wire.report(r, outbox.reports.gapBefore(r.seq));
  };

  // A backlog's pages are read, and its PUBACKs recorded, on a second thread (drain-reader.ts).
  const reader = outbox.file === null ? null : createDrainReader({
    file: outbox.file, hubId, epoch: outbox.epoch(), doneWhen: cfg.delivery, markHere: (seqs) => outbox.markPubacked(seqs), now: () => clock.now(), log,
  });

  const drainer = createDrainer<WrittenRow>({
    ...drainOpts,
    outbox,
    reader,
    canPublish: connected,
    publish(e, done) {
      let payload: string;
      try {
        payload = eventPayload(e);
      } catch (err) {
        done(err as Error); // its sent-unsynced mark could not be written: sent again later
        return;
      }
      client!.publish(t.events, payload, EVENT_PUBLISH, (err) => {
        onPublished('event', e.seq, done, err);
        // The last alarm or event of a backlog was acknowledged: reports next, before telemetry's tick.
        if (drainer.inFlight() === 0) reportDrainer.drain();
      });
    },
  });

  // Reports: after alarms and events (only while none of them awaits its PUBACK), before telemetry.
  // Their own drainer, so an alarm committed meanwhile still goes out at once through the first.
  const reportDrainer = createDrainer({
    ...drainOpts,
    outbox: outbox.reports,
    position: (r) => ({ prio: CLASS_PRIORITY.report, seq: r.seq }),
    canPublish: () => connected() && drainer.inFlight() === 0,
    publish(r, done) {
      let payload: string;
      try {
        payload = reportPayload(r);
      } catch (err) {
        done(err as Error);
        return;
      }
      client!.publish(t.reports, payload, { qos: 1 }, (err) => onPublished('report', r.seq, done, err));
    },
  });
  const drainAll = (): void => {
    drainer.drain();
    reportDrainer.drain();
  };

  const telemetry: TelemetrySender | null = deps.telemetry && cfg.telemetry.enabled
    ? createTelemetrySender({
      hubId,
      outbox: deps.telemetry,
      maxBytes: cfg.telemetry.max_message_bytes,
      now: () => clock.now(),
      // Lowest class: only while no alarm, event or report waits for its PUBACK.
      canSend: () => connected() && drainer.inFlight() === 0 && reportDrainer.inFlight() === 0,
      publish(payload, done) {
        const opts: IClientPublishOptions = { qos: 1, ...(v5 ? { properties: { messageExpiryInterval: Math.ceil(cfg.telemetry.expiry_s) } } : {}) };
        client!.publish(t.telemetry, payload, opts, (err) => done(err ?? undefined));
      },
    })
    : null;

  function heartbeat(): void {
    const c = client;
    if (!c?.connected || stopping) return;
    const depth = outbox.depth();
    const oldestAlarm = outbox.oldestPendingTs('alarm');
    const ack = outbox.lastCloudAck();
    const msg: HeartbeatMessage = {
      v: 1, hub: hubId, ts: clock.now(), uptime_s: uptimeS(), queue: depth,
      oldest_unsent_alarm_age_s: oldestAlarm === null ? null : Math.max(0, Math.round((clock.now() - oldestAlarm) / 1000)),
      last_cloud_ack_seq: ack?.seq ?? null, last_cloud_ack_ts: ack?.ts ?? null, last_seq: outbox.lastSeq(), last_report_seq: outbox.reports.lastSeq(), epoch: outbox.epoch(),
      devices: deps.devices(),
      clock: deps.clockState?.() ?? 'unknown',
      ...(deps.storage ? { storage: deps.storage() } : {}),
    };
    // A stale heartbeat is worse than none: let the broker drop it after two periods (MQTT 5).
    const opts: IClientPublishOptions = { qos: 0, ...(v5 ? { properties: { messageExpiryInterval: Math.ceil(cfg.heartbeat_s * 2) } } : {}) };
    c.publish(t.heartbeat, JSON.stringify(msg), opts);
  }

  function scheduleReconnect(): void {
    if (stopping || reconnectTimer || !client) return;
    const delay = fullJitterDelayMs(attempt++, cfg.reconnect_min_s * 1000, cfg.reconnect_max_s * 1000, deps.random);
    log.debug({ attempt, delayMs: delay }, 'reconnecting');
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (stopping || !client || client.connected) return;
      client.options.will = will(); // the will is fixed per CONNECT: its ts is this session's
      client.reconnect();
    }, delay);
  }

  const inbound = createInbound({
    hubId, topics: t, epoch: () => outbox.epoch(), commands: deps.commands, log,
    onAck(seq, reportSeq) {
      // Recorded on a full disk too, or not at all: an ack not applied is applied with the cloud's next one.
      if (seq !== null) safely('cloud_ack', () => log.debug({ seq, acked: drainer.onCloudAck(seq) }, 'cloud ack'));
      if (reportSeq !== null) safely('cloud_ack', () => log.debug({ reportSeq, acked: reportDrainer.onCloudAck(reportSeq) }, 'cloud ack of reports'));
      drainAll();
    },
    respond(topic, payload, correlationData) {
      client?.publish(topic, payload, { qos: 1, properties: { ...(correlationData ? { correlationData } : {}) } });
    },
  });

  return {
    start() {
      const opts: IClientOptions = {
        protocolVersion: cfg.protocol_version,
        clientId: cfg.client_id ?? `anju-${hubId}`,
        clean: true, // the durable session is our outbox, not the broker's
        keepalive: cfg.keepalive_s,
        connectTimeout: cfg.connect_timeout_s * 1000,
        reconnectPeriod: 0, // we reconnect ourselves, with jitter
        // Without this, mqtt-packet pre-builds a 2-byte Buffer for every number 0..65535 on the
        // first packet: 65,536 live objects, ~6 MB of heap for the life of the daemon (seen in heap
        // snapshots of the memory bench), to save allocating 2 bytes per packet id.
        writeCache: false,
        // The broker never sends a packet larger than this (MQTT 5 only; 3.1.1 has no such property).
        ...(v5 ? { properties: { maximumPacketSize: UPLINK_MAX_PACKET_BYTES } } : {}),
        ...credentials(cfg),
        will: will(),
      };
      // The parsed endpoint, not the string: the client connects to exactly what the config check judged.
      const c = connect({ ...brokerConnectOptions(cfg.url), ...opts });
      client = c;
      c.on('connect', guarded('uplink_connect', () => {
        attempt = 0;
        st.connected = true;
        st.connects++;
        log.info({ url: redactUrl(cfg.url), queue: queueForLog() }, 'uplink connected');
        c.publish(t.status, status('online'), { qos: 1, retain: true });
        // rap (retain as published, MQTT 5): the hub sees the retain flag on live messages too, so
        // a retained command is never executed (it would run again at every reconnect).
        c.subscribe([t.ack, `${t.cmdPrefix}+`], { qos: 1, ...(v5 ? { rap: true } : {}) }, (err) => {
          if (err) log.error({ err: err.message }, 'cannot subscribe to the ack and command topics');
          // Only from the broker's SUBACK on does a command reach the hub: one the cloud sends between
          // 'uplink connected' and here is dropped by the broker (no subscriber yet). Tests wait for this.
          else log.info('uplink subscribed to acks and commands');
        });
        for (const payload of unstored.values()) c.publish(t.unstored, payload, { qos: 1 });
        for (const [topic, payload] of retained) publishRetained(c, topic, payload);
        drainAll();
      }));
      c.on('message', guarded('uplink_message', inbound.onMessage));
      c.on('close', () => {
        const wasConnected = st.connected;
        st.connected = false;
        if (wasConnected && !stopping) log.warn({ queue: queueForLog() }, 'uplink disconnected; events stay in the outbox');
        scheduleReconnect();
      });
      c.on('error', (err) => log.warn({ code: ErrorCodes.UPLINK_CONNECT, err: err.message }, 'uplink error'));
      timers.push(setInterval(guarded('drain_sweep', () => { drainer.sweep(); reportDrainer.sweep(); }), Math.min(cfg.retry_s, cfg.ack_timeout_s) * 1000));
      // Also how reports follow once the events' window is empty (their drainer waits for that).
      timers.push(setInterval(guarded('drain_flush', () => { drainer.flush(); reportDrainer.flush(); drainAll(); }), 250));
      timers.push(setInterval(guarded('heartbeat', heartbeat), cfg.heartbeat_s * 1000));
      if (telemetry) timers.push(setInterval(guarded('telemetry', () => telemetry.tick()), cfg.telemetry.interval_s * 1000));
      for (const x of timers) x.unref();
    },
    onEvent(e) {
      unstored.delete(e.id); // committed: the events topic has it now, with its seq
      safely('drain', () => (classOf(e.type) === 'report' ? reportDrainer : drainer).onNewEvent(e));
    },
    onHeld(e, reason) {
      const payload = JSON.stringify(unstoredMessage(hubId, outbox.epoch(), e, reason));
      unstored.set(e.id, payload);
      if (connected()) client!.publish(t.unstored, payload, { qos: 1 });
    },
    retain(topic, payload) {
      retained.set(topic, payload ?? '');
      if (connected()) publishRetained(client!, topic, payload ?? '');
    },
    onHeldDropped(ids) {
      for (const id of ids) unstored.delete(id);
    },
    onTsCorrected() {
      drainer.reread();
      reportDrainer.reread();
      drainAll();
    },
    resync(sinceSeq, limit) {
      const c = client;
      if (!c?.connected) return { count: 0, lastSeq: null };
      const events = outbox.since(sinceSeq, limit);
      for (const e of events) c.publish(t.events, eventPayload(e), EVENT_PUBLISH);
      return { count: events.length, lastSeq: events.at(-1)?.seq ?? null };
    },
    resyncReports(sinceReportSeq, limit) {
      const c = client;
      if (!c?.connected) return { count: 0, lastSeq: null };
      const reports = outbox.reports.since(sinceReportSeq, limit);
      for (const r of reports) c.publish(t.reports, reportPayload(r), { qos: 1 });
      return { count: reports.length, lastSeq: reports.at(-1)?.seq ?? null };
    },
    status: () => ({
      ...st, ...drainer.stats(), lastCloudAck: outbox.lastCloudAck(),
      reports: { ...reportDrainer.stats(), lastCloudAck: outbox.reports.lastCloudAck() },
      telemetry: telemetry?.stats() ?? null,
      inbound: inbound.stats(),
    }),
    async stop(timeoutMs = 2000) {
      stopping = true;
      for (const x of timers) clearInterval(x);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      drainer.flush();
      reportDrainer.flush();
      await reader?.close(); // commits the PUBACK records it holds
      inbound.flush();
      const c = client;
      if (!c) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => c.end(true, {}, () => resolve()), timeoutMs);
        const end = () => c.end(false, {}, () => { clearTimeout(timer); resolve(); });
        if (c.connected) c.publish(t.status, status('offline', 'shutdown'), { qos: 1, retain: true }, end);
        else c.end(true, {}, () => { clearTimeout(timer); resolve(); });
      });
    },
  };
}

import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { ErrorCodes } from '../core/errors.js';
import type { Outbox } from '../store/outbox.js';
import type { Config } from '../config/schema.js';
import { eventMessage, topics, type StatusMessage } from './contract.js';

export interface UplinkStatus {
  connected: boolean;
  inFlight: number;
  delivered: number;
  publishErrors: number;
  lastAckTs: number | null;
}

export interface Uplink {
  start(): void;
  /** New events are in the outbox: publish what the window allows. Called on the hot path; cheap. */
  kick(): void;
  status(): UplinkStatus;
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
}

function readTls(tls: Config['uplink']['tls']): Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  return {
    ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
    ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls.key ? { key: readFileSync(tls.key) } : {}),
    rejectUnauthorized: tls.reject_unauthorized,
  };
}

/**
 * MQTT v5 session that drains the outbox at QoS 1, oldest first, with at most
 * `inflight_window` unacknowledged publishes. A row is marked delivered only in the PUBACK
 * callback. mqtt.js resends unacknowledged publishes itself after a reconnect; on top of that a
 * publish still unacknowledged after `retry_s` (or refused by the broker) is sent again. Resends
 * carry the same `id`, which is the cloud's dedup key.
 */
export function createMqttUplink(deps: UplinkDeps): Uplink {
  const { hubId, config: cfg, outbox, clock, log } = deps;
  const t = topics(hubId);
  const startedTs = clock.now();
  const inFlight = new Map<number, number>(); // seq -> time handed to mqtt.js
  let cursor = 0; // highest seq handed to mqtt.js since the last reset
  let client: MqttClient | null = null;
  let stopping = false;
  let retryTimer: NodeJS.Timeout | null = null;
  const st: UplinkStatus = { connected: false, inFlight: 0, delivered: 0, publishErrors: 0, lastAckTs: null };

  const status = (state: 'online' | 'offline', reason?: StatusMessage['reason']): Buffer => {
    const msg: StatusMessage = { v: 1, hub: hubId, state, ts: clock.now(), ...(reason ? { reason } : {}), version: deps.version, started_ts: startedTs };
    return Buffer.from(JSON.stringify(msg));
  };

  const onAck = (seq: number, err?: Error): void => {
    inFlight.delete(seq);
    if (err) {
      st.publishErrors++;
      if (!stopping) log.warn({ code: ErrorCodes.UPLINK_PUBLISH, seq, err: err.message }, 'publish not acknowledged; will resend');
      return; // the retry timer resends it
    }
    if (outbox.markDelivered(seq)) st.delivered++;
    st.lastAckTs = clock.now();
    drain();
  };

  function drain(): void {
    const c = client;
    if (!c || !c.connected || stopping) return;
    while (inFlight.size < cfg.inflight_window) {
      const batch = outbox.pending(cursor, cfg.inflight_window - inFlight.size);
      if (batch.length === 0) return;
      for (const ev of batch) {
        cursor = ev.seq;
        if (inFlight.has(ev.seq)) continue;
        inFlight.set(ev.seq, clock.now());
        c.publish(t.events, JSON.stringify(eventMessage(hubId, ev)), { qos: 1 }, (err) => onAck(ev.seq, err ?? undefined));
      }
    }
  }

  /** Rewinds the cursor so refused or long-unacknowledged events are published again. */
  function retrySweep(): void {
    const staleBefore = clock.now() - cfg.retry_s * 1000;
    for (const [seq, sentAt] of inFlight) if (sentAt < staleBefore) inFlight.delete(seq);
    cursor = 0;
    drain();
  }

  return {
    start() {
      const opts: IClientOptions = {
        protocolVersion: cfg.protocol_version,
        clientId: cfg.client_id ?? `anju-${hubId}`,
        clean: true, // the durable session is our outbox, not the broker's
        keepalive: cfg.keepalive_s,
        connectTimeout: cfg.connect_timeout_s * 1000,
        reconnectPeriod: cfg.reconnect_s * 1000,
        ...(cfg.username !== undefined ? { username: cfg.username } : {}),
        ...(cfg.password !== undefined ? { password: cfg.password } : {}),
        ...readTls(cfg.tls),
        will: { topic: t.status, payload: status('offline', 'connection_lost'), qos: 1, retain: true },
      };
      const c = connect(cfg.url, opts);
      client = c;
      c.on('connect', () => {
        st.connected = true;
        log.info({ url: cfg.url, pending: outbox.depth() }, 'uplink connected');
        c.publish(t.status, status('online'), { qos: 1, retain: true });
        drain();
      });
      c.on('close', () => {
        if (st.connected && !stopping) log.warn({ pending: outbox.depth() }, 'uplink disconnected; events stay in the outbox');
        st.connected = false;
      });
      // The will is fixed in each CONNECT: rebuild it before every reconnect so its ts is when that
      // session started, not when the daemon did.
      c.on('reconnect', () => {
        c.options.will = { topic: t.status, payload: status('offline', 'connection_lost'), qos: 1, retain: true };
      });
      c.on('error', (err) => log.warn({ code: ErrorCodes.UPLINK_CONNECT, err: err.message }, 'uplink error'));
      retryTimer = setInterval(retrySweep, cfg.retry_s * 1000);
      retryTimer.unref();
    },
    kick: drain,
    status: () => ({ ...st, inFlight: inFlight.size }),
    async stop(timeoutMs = 2000) {
      stopping = true;
      if (retryTimer) clearInterval(retryTimer);
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

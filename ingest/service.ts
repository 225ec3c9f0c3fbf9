/**
 * anju-ingest, one instance: MQTT 5 shared subscriptions in, PostgreSQL out, acks back (ingest/README.md).
 *
 * - events, reports, unstored and heartbeats come through `$share/<group>/anju/v1/+/<topic>`: each
 *   message to one instance of the group; when an instance dies, the broker gives its share to the
 *   others at once (clean start, no session kept: the hubs' outboxes are the durable queue);
 * - the retained status comes through a plain subscription (a shared one gets no retained messages),
 *   so every instance sees it; storing it is idempotent;
 * - each batch is one transaction (ingest/store.ts); the acks go out after its commit;
 * - holes that stay open are asked for with `resync` (ingest/resync.ts), answered on this instance's
 *   own reply topic.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { credentials } from '../src/uplink/mqtt-uplink.js';
import { createCommandClient, type CommandClient } from '../examples/cloud-consumer/commands.js';
import type { IngestConfig } from './config.js';
import { parseInbound, topicOf } from './messages.js';
import { startResyncLoop } from './resync.js';
import type { Ack } from './store.js';
import { createWriter, type WriterStats } from './writer.js';

export interface IngestStats extends WriterStats { received: number; malformed: number; oversized: number; acksSent: number; resyncsSent: number; connects: number }

export interface IngestService {
  start(): Promise<void>;
  /** Stops taking messages, commits and acks what it has, disconnects. */
  stop(): Promise<void>;
  stats(): IngestStats;
}

const SHARED_TOPICS = ['events', 'reports', 'unstored', 'heartbeat'] as const;

export function ackBody(a: Ack): string {
  return JSON.stringify({ seq: a.seq, ...(a.reportSeq > 0 ? { report_seq: a.reportSeq } : {}), ...(a.epoch ? { epoch: a.epoch } : {}) });
}

function mqttOptions(cfg: IngestConfig['mqtt']): IClientOptions {
  return {
    protocolVersion: 5, clientId: cfg.client_id, clean: true, keepalive: cfg.keepalive_s, reconnectPeriod: cfg.reconnect_s * 1000,
    // The broker never sends this instance more than it would accept (MQTT 5.0, 3.1.2.11.4).
    properties: { maximumPacketSize: cfg.max_message_kb * 1024 + 1024 },
    ...credentials({ ...cfg, password: undefined }),
  };
}

export function createIngestService(cfg: IngestConfig, pool: Pool, log: Logger): IngestService {
  const st = { received: 0, malformed: 0, oversized: 0, acksSent: 0, resyncsSent: 0, connects: 0 };
  let client: MqttClient | null = null;
  let commands: CommandClient | null = null;
  let stopResync: (() => void) | null = null;
  let rejectedThisMinute = 0;

  const record = (topic: string, problem: string, payload: string) => {
    // Counted always; logged at most 10 and kept (the rejected table) at most 100 times a minute per
    // instance: a flood of garbage must not become a flood of log lines and inserts.
    rejectedThisMinute++;
    if (rejectedThisMinute <= 10) log.warn({ topic, problem }, 'message rejected');
    if (rejectedThisMinute > 100) return;
    pool.query('INSERT INTO rejected (topic, problem, payload) VALUES ($1, $2, $3)', [topic.replaceAll('\0', ''), problem.replaceAll('\0', ''), payload.slice(0, 4096).replaceAll('\0', '')])
      .catch((err: unknown) => log.debug({ err: (err as Error).message }, 'could not record a rejected message'));
  };
  const logReset = setInterval(() => {
    if (rejectedThisMinute > 10) log.warn({ rejected: rejectedThisMinute }, 'messages rejected in the last minute');
    rejectedThisMinute = 0;
  }, 60_000);
  logReset.unref();

  const writer = createWriter(pool, log, {
    batchMax: cfg.ingest.batch_max, batchWaitMs: cfg.ingest.batch_wait_ms, maxPending: cfg.ingest.max_pending, retryMaxMs: cfg.ingest.retry_max_s * 1000,
    onRejected: (topic, problem, payload) => { st.malformed++; record(topic, problem, payload); },
    // Only now, after the commit, may the hub forget these events: QoS 1, never retained (§2).
    onCommitted: (acks) => {
      for (const a of acks) {
        client?.publish(`anju/v1/${a.hub}/ack`, ackBody(a), { qos: 1 });
        st.acksSent++;
      }
    },
  });

  const onMessage = (topic: string, payload: Buffer) => {
    const t = topicOf(topic);
    if (!t) return; // the reply topic (commands.ts), or not ours
    st.received++;
    if (payload.length > cfg.mqtt.max_message_kb * 1024) {
      st.oversized++;
      record(topic, `payload: ${payload.length} bytes, over mqtt.max_message_kb`, '');
      return;
    }
    const p = parseInbound(t.hub, t.kind, payload);
    if (!p.ok) {
      st.malformed++;
      record(topic, p.problem, payload.toString('utf8'));
      return;
    }
    writer.push(p.msg, topic, payload);
  };

  return {
    async start() {
      const c = connect(cfg.mqtt.url, mqttOptions(cfg.mqtt));
      client = c;
      commands = createCommandClient(c, `${cfg.mqtt.reply_topic_prefix}/${cfg.mqtt.client_id}`);
      c.on('message', onMessage);
      c.on('error', (err) => log.warn({ err: err.message }, 'mqtt error'));
      c.on('offline', () => log.warn('broker connection lost; reconnecting'));
      const subscribed = new Promise<void>((resolve, reject) => {
        c.on('connect', () => {
          st.connects++;
          const share = (x: string) => `$share/${cfg.mqtt.group}/anju/v1/+/${x}`;
          c.subscribe([...SHARED_TOPICS.map(share), 'anju/v1/+/status'], { qos: 1 }, (err, granted) => {
            const refused = (granted ?? []).filter((g) => g.qos > 2);
            if (err || refused.length > 0) {
              const e = err ?? new Error(`the broker refused subscriptions: ${refused.map((g) => `${g.topic} (reason ${g.qos})`).join(', ')}`);
              log.error({ err: e.message }, 'subscribe failed');
              reject(e);
              return;
            }
            log.info({ group: cfg.mqtt.group, clientId: cfg.mqtt.client_id, connects: st.connects }, 'subscribed');
            resolve();
          });
        });
      });
      await subscribed;
      stopResync = startResyncLoop(pool, commands, log, {
        afterS: cfg.resync.after_s, repeatS: cfg.resync.repeat_s, checkMs: cfg.resync.check_s * 1000, limit: cfg.resync.limit, timeoutMs: cfg.resync.timeout_s * 1000,
      }, () => { st.resyncsSent++; });
    },
    async stop() {
      stopResync?.();
      clearInterval(logReset);
      const c = client;
      if (c?.connected) await c.unsubscribeAsync([...SHARED_TOPICS.map((x) => `$share/${cfg.mqtt.group}/anju/v1/+/${x}`), 'anju/v1/+/status']).catch(() => undefined);
      await writer.drain();
      commands?.close();
      await c?.endAsync().catch(() => undefined);
      client = null;
    },
    stats: () => ({ ...writer.stats(), ...st }),
  };
}

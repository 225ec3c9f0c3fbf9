/**
 * Reference cloud consumer for the Anju uplink contract (docs/uplink.md): how the cloud side
 * should integrate. It receives events with an MQTT 5 shared subscription (several instances can
 * share the load), stores them in SQLite deduplicated by `id`, tracks per hub the highest
 * contiguous `seq` it has stored, acknowledges that on anju/v1/<hub>/ack, and reports gaps.
 * The tests use it as "the cloud". Copy the idea, not necessarily the code.
 */
import Database from 'better-sqlite3';
import { connect, type MqttClient } from 'mqtt';

export interface ConsumerOptions {
  url: string;
  /** SQLite file for the stored events (':memory:' for tests). Several instances of one group must share it. */
  dbPath: string;
  /** Shared-subscription group (MQTT 5); omit for a plain subscription (e.g. a broker without MQTT 5). */
  group?: string;
  protocolVersion?: 4 | 5;
  clientId?: string;
  /** Acks are sent at most this often per hub. */
  ackDebounceMs?: number;
  onEvent?: (e: ConsumedEvent, duplicate: boolean) => void;
  onStatus?: (hub: string, body: Record<string, unknown>) => void;
}

export interface ConsumedEvent {
  hub: string;
  id: string;
  seq: number;
  ts: number;
  type: string;
  severity: string;
  device: string | null;
  state: string;
  data: unknown;
}

export interface CloudConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stored events of a hub, by seq. */
  events(hub: string): ConsumedEvent[];
  /** Highest seq such that every seq up to it is stored. */
  contiguous(hub: string): number;
  /** Seqs missing below the highest stored one. */
  gaps(hub: string): number[];
  stats(): { received: number; duplicates: number; malformed: number; acksSent: number };
}

const EVENT_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/events$/;
const STATUS_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/status$/;

export function createCloudConsumer(o: ConsumerOptions): CloudConsumer {
  const db = new Database(o.dbPath);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (hub TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,
      type TEXT NOT NULL, severity TEXT NOT NULL, device TEXT, state TEXT NOT NULL, data TEXT NOT NULL,
      received_ts INTEGER NOT NULL, PRIMARY KEY (hub, id));
    CREATE INDEX IF NOT EXISTS events_seq ON events(hub, seq);
    CREATE TABLE IF NOT EXISTS hubs (hub TEXT PRIMARY KEY, contiguous INTEGER NOT NULL DEFAULT 0);
  `);
  const insert = db.prepare('INSERT OR IGNORE INTO events (hub, id, seq, ts, type, severity, device, state, data, received_ts) VALUES (?,?,?,?,?,?,?,?,?,?)');
  const getContig = db.prepare<[string], { contiguous: number }>('SELECT contiguous FROM hubs WHERE hub = ?');
  const hasSeq = db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM events WHERE hub = ? AND seq = ? LIMIT 1');
  const setContig = db.prepare('INSERT INTO hubs (hub, contiguous) VALUES (?, ?) ON CONFLICT (hub) DO UPDATE SET contiguous = excluded.contiguous');
  const allEvents = db.prepare<[string], Record<string, unknown>>('SELECT hub, id, seq, ts, type, severity, device, state, data FROM events WHERE hub = ? ORDER BY seq');
  const seqs = db.prepare<[string], { seq: number }>('SELECT DISTINCT seq FROM events WHERE hub = ? ORDER BY seq');

  const st = { received: 0, duplicates: 0, malformed: 0, acksSent: 0 };
  const ackTimers = new Map<string, NodeJS.Timeout>();
  let client: MqttClient | null = null;

  const contiguous = (hub: string): number => getContig.get(hub)?.contiguous ?? 0;

  /** Stores one event (dedup by id) and advances the hub's contiguous seq, in one transaction. */
  const store = db.transaction((e: ConsumedEvent): boolean => {
    const fresh = insert.run(e.hub, e.id, e.seq, e.ts, e.type, e.severity, e.device, e.state, JSON.stringify(e.data), Date.now()).changes > 0;
    let c = contiguous(e.hub);
    while (hasSeq.get(e.hub, c + 1)) c++;
    setContig.run(e.hub, c);
    return fresh;
  });

  const scheduleAck = (hub: string): void => {
    if (ackTimers.has(hub)) return;
    ackTimers.set(hub, setTimeout(() => {
      ackTimers.delete(hub);
      // Only after the events are committed here do we tell the hub it may forget them.
      client?.publish(`anju/v1/${hub}/ack`, JSON.stringify({ seq: contiguous(hub) }), { qos: 1 });
      st.acksSent++;
    }, o.ackDebounceMs ?? 200));
  };

  const parseEvent = (hub: string, payload: Buffer): ConsumedEvent | null => {
    try {
      const b = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (typeof b.id !== 'string' || !Number.isSafeInteger(b.seq) || b.hub !== hub || typeof b.type !== 'string') return null;
      return {
        hub, id: b.id, seq: b.seq as number, ts: Number(b.ts), type: b.type, severity: String(b.severity),
        device: typeof b.device === 'string' ? b.device : null, state: String(b.state), data: b.data ?? {},
      };
    } catch {
      return null;
    }
  };

  return {
    async start() {
      const c = connect(o.url, { protocolVersion: o.protocolVersion ?? 5, clientId: o.clientId ?? `anju-cloud-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 500, clean: true });
      client = c;
      c.on('message', (topic, payload) => {
        const ev = EVENT_TOPIC.exec(topic);
        if (ev) {
          const e = parseEvent(ev[1]!, payload);
          if (!e) { st.malformed++; return; }
          st.received++;
          const fresh = store(e);
          if (!fresh) st.duplicates++;
          o.onEvent?.(e, !fresh);
          scheduleAck(e.hub);
          return;
        }
        const s = STATUS_TOPIC.exec(topic);
        if (s) {
          try { o.onStatus?.(s[1]!, JSON.parse(payload.toString('utf8')) as Record<string, unknown>); } catch { st.malformed++; }
        }
      });
      const eventsFilter = o.group ? `$share/${o.group}/anju/v1/+/events` : 'anju/v1/+/events';
      await new Promise<void>((resolve, reject) => {
        c.once('error', reject);
        c.on('connect', () => {
          c.subscribe([eventsFilter, 'anju/v1/+/status'], { qos: 1 }, (err) => (err ? reject(err) : resolve()));
        });
      });
    },
    async stop() {
      for (const t of ackTimers.values()) clearTimeout(t);
      ackTimers.clear();
      await client?.endAsync(true);
      client = null;
      db.close();
    },
    events: (hub) => allEvents.all(hub).map((r) => ({ ...r, data: JSON.parse(r.data as string) as unknown }) as ConsumedEvent),
    contiguous,
    gaps(hub) {
      const have = seqs.all(hub).map((r) => r.seq);
      const out: number[] = [];
      let expect = 1;
      for (const s of have) {
        for (; expect < s; expect++) out.push(expect);
        expect = s + 1;
      }
      return out;
    },
    stats: () => ({ ...st }),
  };
}

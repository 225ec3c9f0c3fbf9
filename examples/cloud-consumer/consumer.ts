/**
 * Reference cloud consumer for the Anju uplink contract (docs/uplink.md): how the cloud side
 * should integrate. It receives events with an MQTT 5 shared subscription (several instances can
 * share the load), stores them in SQLite deduplicated by `id`, tracks per hub and epoch (the hub
 * database's identity: a replaced database starts again at seq 1) the highest contiguous `seq` it
 * has stored, acknowledges that with the epoch on anju/v1/<hub>/ack, and reports gaps.
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
  /** The hub database's epoch ('' from hubs that do not send one). */
  epoch: string;
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
  /** Stored events of a hub (of its current epoch unless one is given), by seq. */
  events(hub: string, epoch?: string): ConsumedEvent[];
  /** Highest seq such that every seq up to it is stored (current epoch unless given). */
  contiguous(hub: string, epoch?: string): number;
  /** Seqs missing below the highest stored one (current epoch unless given). */
  gaps(hub: string, epoch?: string): number[];
  /** The epoch the hub's latest event came with. */
  epochOf(hub: string): string | undefined;
  stats(): { received: number; duplicates: number; malformed: number; acksSent: number };
}

const EVENT_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/events$/;
const STATUS_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/status$/;

export function createCloudConsumer(o: ConsumerOptions): CloudConsumer {
  const db = new Database(o.dbPath);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (hub TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, epoch TEXT NOT NULL, ts INTEGER NOT NULL,
      type TEXT NOT NULL, severity TEXT NOT NULL, device TEXT, state TEXT NOT NULL, data TEXT NOT NULL,
      received_ts INTEGER NOT NULL, PRIMARY KEY (hub, id));
    CREATE INDEX IF NOT EXISTS events_seq ON events(hub, epoch, seq);
    CREATE TABLE IF NOT EXISTS epochs (hub TEXT NOT NULL, epoch TEXT NOT NULL, contiguous INTEGER NOT NULL DEFAULT 0,
      last_received_ts INTEGER NOT NULL, PRIMARY KEY (hub, epoch));
  `);
  const insert = db.prepare('INSERT OR IGNORE INTO events (hub, id, seq, epoch, ts, type, severity, device, state, data, received_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
  const getContig = db.prepare<[string, string], { contiguous: number }>('SELECT contiguous FROM epochs WHERE hub = ? AND epoch = ?');
  const hasSeq = db.prepare<[string, string, number], { n: number }>('SELECT 1 AS n FROM events WHERE hub = ? AND epoch = ? AND seq = ? LIMIT 1');
  const setContig = db.prepare('INSERT INTO epochs (hub, epoch, contiguous, last_received_ts) VALUES (?, ?, ?, ?) ON CONFLICT (hub, epoch) DO UPDATE SET contiguous = excluded.contiguous, last_received_ts = excluded.last_received_ts');
  const latestEpoch = db.prepare<[string], { epoch: string }>('SELECT epoch FROM epochs WHERE hub = ? ORDER BY last_received_ts DESC LIMIT 1');
  const allEvents = db.prepare<[string, string], Record<string, unknown>>('SELECT hub, id, seq, epoch, ts, type, severity, device, state, data FROM events WHERE hub = ? AND epoch = ? ORDER BY seq');
  const seqs = db.prepare<[string, string], { seq: number }>('SELECT DISTINCT seq FROM events WHERE hub = ? AND epoch = ? ORDER BY seq');

  const st = { received: 0, duplicates: 0, malformed: 0, acksSent: 0 };
  const ackTimers = new Map<string, NodeJS.Timeout>();
  let client: MqttClient | null = null;

  const epochOf = (hub: string): string | undefined => latestEpoch.get(hub)?.epoch;
  const contiguous = (hub: string, epoch = epochOf(hub) ?? ''): number => getContig.get(hub, epoch)?.contiguous ?? 0;

  /** Stores one event (dedup by id) and advances the contiguous seq of its (hub, epoch), in one transaction. */
  const store = db.transaction((e: ConsumedEvent): boolean => {
    const fresh = insert.run(e.hub, e.id, e.seq, e.epoch, e.ts, e.type, e.severity, e.device, e.state, JSON.stringify(e.data), Date.now()).changes > 0;
    let c = contiguous(e.hub, e.epoch);
    while (hasSeq.get(e.hub, e.epoch, c + 1)) c++;
    setContig.run(e.hub, e.epoch, c, Date.now());
    return fresh;
  });
  const pendingAckEpoch = new Map<string, string>();

  const scheduleAck = (hub: string, epoch: string): void => {
    pendingAckEpoch.set(hub, epoch);
    if (ackTimers.has(hub)) return;
    ackTimers.set(hub, setTimeout(() => {
      ackTimers.delete(hub);
      const ep = pendingAckEpoch.get(hub) ?? '';
      // Only after the events are committed here do we tell the hub it may forget them; the epoch
      // makes sure an ack never applies to another database of the same hub.
      client?.publish(`anju/v1/${hub}/ack`, JSON.stringify(ep ? { seq: contiguous(hub, ep), epoch: ep } : { seq: contiguous(hub, ep) }), { qos: 1 });
      st.acksSent++;
    }, o.ackDebounceMs ?? 200));
  };

  const parseEvent = (hub: string, payload: Buffer): ConsumedEvent | null => {
    try {
      const b = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (typeof b.id !== 'string' || !Number.isSafeInteger(b.seq) || b.hub !== hub || typeof b.type !== 'string') return null;
      return {
        hub, id: b.id, seq: b.seq as number, epoch: typeof b.epoch === 'string' ? b.epoch : '', ts: Number(b.ts), type: b.type, severity: String(b.severity),
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
          scheduleAck(e.hub, e.epoch);
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
    events: (hub, epoch = epochOf(hub) ?? '') => allEvents.all(hub, epoch).map((r) => ({ ...r, data: JSON.parse(r.data as string) as unknown }) as ConsumedEvent),
    contiguous,
    epochOf,
    gaps(hub, epoch = epochOf(hub) ?? '') {
      const have = seqs.all(hub, epoch).map((r) => r.seq);
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

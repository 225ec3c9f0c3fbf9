/**
 * Reference cloud consumer for the Anju uplink contract (docs/uplink.md): how the cloud side
 * should integrate. It receives events with an MQTT 5 shared subscription (several instances can
 * share the load), stores them in SQLite deduplicated by `id`, tracks per hub and epoch (the hub
 * database's identity: a replaced database starts again at seq 1) the highest contiguous `seq` it
 * has stored, acknowledges that with the epoch on anju/v1/<hub>/ack, and reports gaps.
 * Reports (anju/v1/<hub>/reports, the nightly sleep report) the same way with their own sequence,
 * `report_seq`: a report's `gap` names report_seqs the hub evicted before sending them, which are
 * recorded as lost and count as settled for the `report_seq` ack (they will never come).
 * A hole that stays open is asked for with `resync` (`resyncGaps`, MQTT 5 only): when to ask is the
 * operator's policy, so the consumer never does it on its own.
 * The tests use it as "the cloud". Copy the idea, not necessarily the code.
 */
import Database from 'better-sqlite3';
import { connect, type MqttClient } from 'mqtt';
import { createCommandClient, type CommandClient, type HubResponse } from './commands.js';

export type { HubResponse } from './commands.js';

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
  /** Where hubs answer this instance's commands (its own, not shared); default anju-cloud/replies/<clientId>. */
  replyTopic?: string;
  onEvent?: (e: ConsumedEvent, duplicate: boolean) => void;
  onReport?: (r: ConsumedReport, duplicate: boolean) => void;
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

/** A report: an event's fields with `report_seq` instead of `seq`, and the hub's `gap` if any. */
export interface ConsumedReport extends Omit<ConsumedEvent, 'seq'> {
  reportSeq: number;
  gap: { from: number; to: number } | null;
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
  /** The epoch the hub's latest event or report came with. */
  epochOf(hub: string): string | undefined;
  /** Stored reports of a hub (current epoch unless given), by report_seq. */
  reports(hub: string, epoch?: string): ConsumedReport[];
  /** Highest report_seq such that every one up to it is stored or known lost. */
  reportContiguous(hub: string, epoch?: string): number;
  /** report_seqs missing below the highest known one and not named lost by the hub: maybe still coming. */
  reportGaps(hub: string, epoch?: string): number[];
  /** report_seqs the hub said it evicted before sending them (a report's `gap`): lost for good. */
  lostReports(hub: string, epoch?: string): number[];
  stats(): { received: number; duplicates: number; malformed: number; acksSent: number };
  /**
   * Sends `resync` to a hub (docs/uplink.md §10) and resolves with its response; what it publishes
   * again arrives on the event and report subscriptions and is stored (deduplicated) as usual.
   */
  resync(hub: string, args: { since_seq?: number; since_report_seq?: number; limit?: number }): Promise<HubResponse>;
  /**
   * Asks a hub again for what is missing here (current epoch): the events after `contiguous(hub)` if
   * `gaps(hub)` is not empty, the reports after `reportContiguous(hub)` if `reportGaps(hub)` is not
   * (report_seqs the hub named lost are not asked for: it no longer has them). null when nothing is
   * missing. Call it for a hole that stays open longer than the hub's resend time (§9, item 3);
   * `limit` per sequence, so a larger hole takes repeated calls.
   */
  resyncGaps(hub: string, limit?: number): Promise<HubResponse | null>;
}

const EVENT_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/events$/;
const STATUS_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/status$/;
const REPORT_TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/reports$/;
/** A gap longer than this is recorded as its first MAX_GAP seqs only (a hub cannot lose more reports than nights). */
const MAX_GAP = 100_000;

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
    CREATE TABLE IF NOT EXISTS reports (hub TEXT NOT NULL, id TEXT NOT NULL, report_seq INTEGER NOT NULL, epoch TEXT NOT NULL, ts INTEGER NOT NULL,
      type TEXT NOT NULL, severity TEXT NOT NULL, device TEXT, state TEXT NOT NULL, data TEXT NOT NULL, gap TEXT,
      received_ts INTEGER NOT NULL, PRIMARY KEY (hub, id));
    CREATE INDEX IF NOT EXISTS reports_seq ON reports(hub, epoch, report_seq);
    CREATE TABLE IF NOT EXISTS reports_lost (hub TEXT NOT NULL, epoch TEXT NOT NULL, report_seq INTEGER NOT NULL,
      PRIMARY KEY (hub, epoch, report_seq)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS report_epochs (hub TEXT NOT NULL, epoch TEXT NOT NULL, contiguous INTEGER NOT NULL DEFAULT 0,
      last_received_ts INTEGER NOT NULL, PRIMARY KEY (hub, epoch));
  `);
  const insert = db.prepare('INSERT OR IGNORE INTO events (hub, id, seq, epoch, ts, type, severity, device, state, data, received_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
  const getContig = db.prepare<[string, string], { contiguous: number }>('SELECT contiguous FROM epochs WHERE hub = ? AND epoch = ?');
  const hasSeq = db.prepare<[string, string, number], { n: number }>('SELECT 1 AS n FROM events WHERE hub = ? AND epoch = ? AND seq = ? LIMIT 1');
  const setContig = db.prepare('INSERT INTO epochs (hub, epoch, contiguous, last_received_ts) VALUES (?, ?, ?, ?) ON CONFLICT (hub, epoch) DO UPDATE SET contiguous = excluded.contiguous, last_received_ts = excluded.last_received_ts');
  const latestEpoch = db.prepare<[string, string], { epoch: string }>(
    'SELECT epoch FROM (SELECT epoch, last_received_ts FROM epochs WHERE hub = ? UNION ALL SELECT epoch, last_received_ts FROM report_epochs WHERE hub = ?) ORDER BY last_received_ts DESC LIMIT 1',
  );
  const allEvents = db.prepare<[string, string], Record<string, unknown>>('SELECT hub, id, seq, epoch, ts, type, severity, device, state, data FROM events WHERE hub = ? AND epoch = ? ORDER BY seq');
  const seqs = db.prepare<[string, string], { seq: number }>('SELECT DISTINCT seq FROM events WHERE hub = ? AND epoch = ? ORDER BY seq');
  const insertReport = db.prepare('INSERT OR IGNORE INTO reports (hub, id, report_seq, epoch, ts, type, severity, device, state, data, gap, received_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
  const insertLost = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO reports_lost (hub, epoch, report_seq) VALUES (?, ?, ?)');
  const getReportContig = db.prepare<[string, string], { contiguous: number }>('SELECT contiguous FROM report_epochs WHERE hub = ? AND epoch = ?');
  const hasReport = db.prepare<[string, string, number, string, string, number], { n: number }>(
    'SELECT 1 AS n FROM reports WHERE hub = ? AND epoch = ? AND report_seq = ? UNION ALL SELECT 1 FROM reports_lost WHERE hub = ? AND epoch = ? AND report_seq = ? LIMIT 1',
  );
  const setReportContig = db.prepare('INSERT INTO report_epochs (hub, epoch, contiguous, last_received_ts) VALUES (?, ?, ?, ?) ON CONFLICT (hub, epoch) DO UPDATE SET contiguous = excluded.contiguous, last_received_ts = excluded.last_received_ts');
  const allReports = db.prepare<[string, string], Record<string, unknown>>('SELECT hub, id, report_seq, epoch, ts, type, severity, device, state, data, gap FROM reports WHERE hub = ? AND epoch = ? ORDER BY report_seq');
  const reportSeqs = db.prepare<[string, string, string, string], { s: number }>(
    'SELECT report_seq AS s FROM reports WHERE hub = ? AND epoch = ? UNION SELECT report_seq FROM reports_lost WHERE hub = ? AND epoch = ? ORDER BY s',
  );
  const lostSeqs = db.prepare<[string, string], { s: number }>('SELECT report_seq AS s FROM reports_lost WHERE hub = ? AND epoch = ? ORDER BY report_seq');

  const st = { received: 0, duplicates: 0, malformed: 0, acksSent: 0 };
  const ackTimers = new Map<string, NodeJS.Timeout>();
  let client: MqttClient | null = null;
  let commands: CommandClient | null = null;
  const clientId = o.clientId ?? `anju-cloud-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;

  const epochOf = (hub: string): string | undefined => latestEpoch.get(hub, hub)?.epoch;
  const contiguous = (hub: string, epoch = epochOf(hub) ?? ''): number => getContig.get(hub, epoch)?.contiguous ?? 0;

  /** Stores one event (dedup by id) and advances the contiguous seq of its (hub, epoch), in one transaction. */
  const store = db.transaction((e: ConsumedEvent): boolean => {
    const fresh = insert.run(e.hub, e.id, e.seq, e.epoch, e.ts, e.type, e.severity, e.device, e.state, JSON.stringify(e.data), Date.now()).changes > 0;
    let c = contiguous(e.hub, e.epoch);
    while (hasSeq.get(e.hub, e.epoch, c + 1)) c++;
    setContig.run(e.hub, e.epoch, c, Date.now());
    return fresh;
  });
  const reportContiguous = (hub: string, epoch = epochOf(hub) ?? ''): number => getReportContig.get(hub, epoch)?.contiguous ?? 0;

  /** Stores one report (dedup by id), records its gap as lost, advances the contiguous report_seq: one transaction. */
  const storeReport = db.transaction((r: ConsumedReport): boolean => {
    const fresh = insertReport.run(r.hub, r.id, r.reportSeq, r.epoch, r.ts, r.type, r.severity, r.device, r.state, JSON.stringify(r.data), r.gap ? JSON.stringify(r.gap) : null, Date.now()).changes > 0;
    // A resend carries the gap too (it may even have grown): record it every time, idempotently.
    if (r.gap) for (let s = r.gap.from; s <= Math.min(r.gap.to, r.gap.from + MAX_GAP - 1); s++) insertLost.run(r.hub, r.epoch, s);
    let c = reportContiguous(r.hub, r.epoch);
    while (hasReport.get(r.hub, r.epoch, c + 1, r.hub, r.epoch, c + 1)) c++;
    setReportContig.run(r.hub, r.epoch, c, Date.now());
    return fresh;
  });
  const gaps = (hub: string, epoch = epochOf(hub) ?? ''): number[] => missing(seqs.all(hub, epoch).map((r) => r.seq));
  const reportGaps = (hub: string, epoch = epochOf(hub) ?? ''): number[] => missing(reportSeqs.all(hub, epoch, hub, epoch).map((r) => r.s));
  const resync = (hub: string, args: { since_seq?: number; since_report_seq?: number; limit?: number }): Promise<HubResponse> =>
    commands ? commands.request(hub, 'resync', args) : Promise.reject(new Error('the consumer is not started'));
  const pendingAckEpoch = new Map<string, string>();

  const scheduleAck = (hub: string, epoch: string): void => {
    pendingAckEpoch.set(hub, epoch);
    if (ackTimers.has(hub)) return;
    ackTimers.set(hub, setTimeout(() => {
      ackTimers.delete(hub);
      const ep = pendingAckEpoch.get(hub) ?? '';
      // Only after the events are committed here do we tell the hub it may forget them; the epoch
      // makes sure an ack never applies to another database of the same hub.
      const rs = reportContiguous(hub, ep);
      const body = { seq: contiguous(hub, ep), ...(rs > 0 ? { report_seq: rs } : {}), ...(ep ? { epoch: ep } : {}) };
      client?.publish(`anju/v1/${hub}/ack`, JSON.stringify(body), { qos: 1 });
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

  const parseReport = (hub: string, payload: Buffer): ConsumedReport | null => {
    try {
      const b = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (typeof b.id !== 'string' || !Number.isSafeInteger(b.report_seq) || (b.report_seq as number) < 1 || b.hub !== hub || typeof b.type !== 'string') return null;
      const g = b.gap as { from?: unknown; to?: unknown } | undefined;
      const gap = g && Number.isSafeInteger(g.from) && Number.isSafeInteger(g.to) && (g.from as number) >= 1 && (g.to as number) >= (g.from as number) ? { from: g.from as number, to: g.to as number } : null;
      return {
        hub, id: b.id, reportSeq: b.report_seq as number, epoch: typeof b.epoch === 'string' ? b.epoch : '', ts: Number(b.ts), type: b.type, severity: String(b.severity),
        device: typeof b.device === 'string' ? b.device : null, state: String(b.state), data: b.data ?? {}, gap,
      };
    } catch {
      return null;
    }
  };

  /** Stores one parsed event or report (or counts it malformed), then schedules the hub's ack. */
  function consume<T extends { hub: string; epoch: string }>(msg: T | null, save: (m: T) => boolean, notify?: (m: T, duplicate: boolean) => void): void {
    if (!msg) { st.malformed++; return; }
    st.received++;
    const fresh = save(msg);
    if (!fresh) st.duplicates++;
    notify?.(msg, !fresh);
    scheduleAck(msg.hub, msg.epoch);
  }

  return {
    async start() {
      const c = connect(o.url, { protocolVersion: o.protocolVersion ?? 5, clientId, reconnectPeriod: 500, clean: true });
      client = c;
      commands = createCommandClient(c, o.replyTopic ?? `anju-cloud/replies/${clientId}`);
      c.on('message', (topic, payload) => {
        const ev = EVENT_TOPIC.exec(topic);
        if (ev) return consume(parseEvent(ev[1]!, payload), store, o.onEvent);
        const rep = REPORT_TOPIC.exec(topic);
        if (rep) return consume(parseReport(rep[1]!, payload), storeReport, o.onReport);
        const s = STATUS_TOPIC.exec(topic);
        if (s) {
          try { o.onStatus?.(s[1]!, JSON.parse(payload.toString('utf8')) as Record<string, unknown>); } catch { st.malformed++; }
        }
      });
      const shared = (f: string) => (o.group ? `$share/${o.group}/${f}` : f);
      await new Promise<void>((resolve, reject) => {
        c.once('error', reject);
        c.on('connect', () => {
          c.subscribe([shared('anju/v1/+/events'), shared('anju/v1/+/reports'), 'anju/v1/+/status'], { qos: 1 }, (err) => (err ? reject(err) : resolve()));
        });
      });
    },
    async stop() {
      for (const t of ackTimers.values()) clearTimeout(t);
      ackTimers.clear();
      commands?.close();
      await client?.endAsync(true);
      client = null;
      db.close();
    },
    events: (hub, epoch = epochOf(hub) ?? '') => allEvents.all(hub, epoch).map((r) => ({ ...r, data: JSON.parse(r.data as string) as unknown }) as ConsumedEvent),
    contiguous,
    epochOf,
    gaps,
    reports: (hub, epoch = epochOf(hub) ?? '') => allReports.all(hub, epoch).map((r) => {
      const { report_seq: reportSeq, data, gap, ...rest } = r;
      return { ...rest, reportSeq, data: JSON.parse(data as string) as unknown, gap: gap ? JSON.parse(gap as string) as { from: number; to: number } : null } as ConsumedReport;
    }),
    reportContiguous,
    reportGaps,
    lostReports: (hub, epoch = epochOf(hub) ?? '') => lostSeqs.all(hub, epoch).map((r) => r.s),
    stats: () => ({ ...st }),
    resync,
    async resyncGaps(hub, limit) {
      const ep = epochOf(hub) ?? '';
      const args = {
        ...(gaps(hub, ep).length > 0 ? { since_seq: contiguous(hub, ep) } : {}),
        ...(reportGaps(hub, ep).length > 0 ? { since_report_seq: reportContiguous(hub, ep) } : {}),
      };
      if (Object.keys(args).length === 0) return null;
      return resync(hub, { ...args, ...(limit !== undefined ? { limit } : {}) });
    },
  };
}

/** Numbers missing from 1 up to the highest of `have` (ascending). */
function missing(have: number[]): number[] {
  const out: number[] = [];
  let expect = 1;
  for (const s of have) {
    for (; expect < s; expect++) out.push(expect);
    expect = s + 1;
  }
  return out;
}

import type { PendingEvent } from '../core/event.js';
import type { OutboxRow } from '../store/outbox-types.js';

/**
 * Wire shapes of the uplink contract, version 1 (docs/uplink.md, docs/schema/).
 * Change deliberately: a new optional field is compatible; renaming or removing one is a new version.
 */
export const CONTRACT_VERSION = 1;

export const topics = (hubId: string) => {
  const base = `anju/v${CONTRACT_VERSION}/${hubId}`;
  return {
    base,
    /** hub -> cloud: every alarm and event, QoS 1. */
    events: `${base}/events`,
    /** hub -> cloud: reports (the report class, its own report_seq), QoS 1. */
    reports: `${base}/reports`,
    /** hub -> cloud: an event the hub could not commit (yet): no seq, `stored: false`, QoS 1 (issue 12). */
    unstored: `${base}/unstored`,
    /** hub -> cloud: retained online/offline (birth and will). */
    status: `${base}/status`,
    /** hub -> cloud: retained description of the home: hub and devices (issue 16; contract-schemas.ts). */
    inventory: `${base}/inventory`,
    /** hub -> cloud: retained online/offline of one device (issue 16), like Zigbee2MQTT's `<device>/availability`. */
    availability: (deviceId: string) => `${base}/devices/${deviceId}/availability`,
    /** hub -> cloud: readings in batches, QoS 1, with message expiry. */
    telemetry: `${base}/telemetry`,
    /** hub -> cloud: pipeline health, periodic, QoS 0. */
    heartbeat: `${base}/heartbeat`,
    /** cloud -> hub: highest contiguous seq (and report_seq) the cloud has stored. */
    ack: `${base}/ack`,
    /** cloud -> hub: commands, `cmd/<name>`, MQTT 5 request/response. */
    cmdPrefix: `${base}/cmd/`,
  };
};

/**
 * Size limits of what the cloud sends, in bytes of the MQTT payload, checked before anything
 * parses it (src/uplink/inbound.ts; docs/uplink.md §12). JSON.parse of a few MB of small objects
 * can take more heap than the daemon's 128 MB cap (issue 12, finding 7), so nothing hostile gets
 * parsed at a size where that is possible.
 *
 * set-config's `yaml` argument is at most SET_CONFIG_MAX_YAML_CHARS UTF-16 code units; as JSON in
 * UTF-8 (JSON.stringify's form) each takes at most 3 bytes (a CJK character; an escaped newline,
 * tab or quote takes 2), so the largest valid command is 3 bytes a unit plus its envelope.
 */
export const SET_CONFIG_MAX_YAML_CHARS = 1024 * 1024;
export const MAX_COMMAND_BYTES = 3 * SET_CONFIG_MAX_YAML_CHARS + 16 * 1024;
/** The largest valid ack, {"seq":<2^53>,"report_seq":<2^53>,"epoch":"<16 hex>"}, is under 100 bytes; 1 KiB allows whitespace. */
export const MAX_ACK_BYTES = 1024;
/**
 * MQTT 5 Maximum Packet Size the uplink announces in CONNECT (MQTT 5.0, 3.1.2.11.4): the broker
 * never sends a larger packet. The largest command plus room for its topic and properties
 * (response topic, correlation data), so an oversized command still reaches the hub and is answered
 * ANJU_CMD_TOO_LARGE, up to this size; beyond it the broker drops it and nobody answers.
 */
export const UPLINK_MAX_PACKET_BYTES = MAX_COMMAND_BYTES + 64 * 1024;

export interface EventMessage {
  v: typeof CONTRACT_VERSION;
  id: string;
  seq: number;
  /** The hub database's identity: seq is gapless within one epoch (a replaced database starts a new one). */
  epoch: string;
  ts: number;
  hub: string;
  type: string;
  severity: string;
  device: string | null;
  state: string;
  data: Record<string, unknown>;
  /** Present (true) only when `ts` was taken while the hub's clock was known to be unsynchronised. */
  ts_unsynced?: true;
  /**
   * Present (true) only when `ts` was stamped while the clock was unsynchronised and corrected from
   * the monotonic clock once it was synchronised, before the event was first published. Never
   * together with `ts_unsynced`.
   */
  ts_corrected?: true;
  /** With `ts_corrected`: the ts the hub first stamped, with its unsynchronised clock. */
  ts_device?: number;
}


/**
 * An event the hub raised but could not commit (a full disk, an I/O error), published at once on
 * anju/v1/<hub>/unstored (docs/uplink.md §4a): the event fields without `seq` (it has none yet, and
 * must never carry one that could be given to another event), `stored: false` and why. The same
 * event follows on the events topic with the same `id` and `ts` and its seq once it is committed.
 */
export interface UnstoredMessage extends Omit<EventMessage, 'seq' | 'ts_corrected' | 'ts_device'> {
  stored: false;
  /** The store's state when it was held: `disk_full` or `store_error`. */
  reason: 'disk_full' | 'store_error';
}

export function unstoredMessage(hubId: string, epoch: string, e: PendingEvent, reason: UnstoredMessage['reason']): UnstoredMessage {
  return {
    v: CONTRACT_VERSION, id: e.id, stored: false, reason, epoch, ts: e.ts, hub: hubId, type: e.type, severity: e.severity, device: e.device,
    state: e.state, data: { ...e.data }, ...(e.tsUnsynced ? { ts_unsynced: true as const } : {}),
  };
}

/**
 * A report (anju/v1/<hub>/reports): the event fields, but `report_seq` (the report class's own
 * sequence) instead of the events' `seq`, and `gap` when reports before it were evicted unsent.
 */
export interface ReportMessage extends Omit<EventMessage, 'seq'> {
  report_seq: number;
  /** report_seqs just before this one that the hub evicted (disk quota) before the cloud acknowledged them. */
  gap?: { from: number; to: number };
}

/**
 * The JSON text of EventMessage and ReportMessage for one hub database, written field by field
 * with the stored `data` text spliced in: no parse and re-serialisation of `data`, no message
 * object. A drain of a backlog spends a good part of its CPU here. JSON.stringify(parse(x)) of
 * JSON.stringify's own output is that output again, so this is what stringifying the message
 * object would give, key for key (a test compares them).
 */
export interface WireFormat {
  event(e: OutboxRow): string;
  report(r: OutboxRow, gap: { from: number; to: number } | null): string;
}

/**
 * The same text as WireFormat.event, as an SQL expression over the events table's columns, so the
 * drain reader's thread gets each message from SQLite in one string (json_quote escapes as
 * JSON.stringify does; a test holds the two equal, byte for byte).
 */
export function wireSql(hubId: string, epoch: string): string {
  const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return `'{"v":${CONTRACT_VERSION},"id":' || json_quote(id) || ',"seq":' || seq || ${lit(`,"epoch":${JSON.stringify(epoch)},"ts":`)} || coalesce(ts_corrected, ts)`
    + ` || ${lit(`,"hub":${JSON.stringify(hubId)},"type":`)} || json_quote(type) || ',"severity":' || json_quote(severity) || ',"device":' || json_quote(device)`
    + ` || ',"state":' || json_quote(state) || ',"data":' || data`
    + ` || CASE WHEN ts_corrected IS NOT NULL THEN ',"ts_corrected":true,"ts_device":' || ts WHEN ts_unsynced = 1 THEN ',"ts_unsynced":true' ELSE '' END || '}'`;
}

export function wireFormat(hubId: string, epoch: string): WireFormat {
  const afterSeq = `,"epoch":${JSON.stringify(epoch)},"ts":`;
  const hub = `,"hub":${JSON.stringify(hubId)},"type":`;
  const body = (e: OutboxRow, head: string): string =>
    `${head}${afterSeq}${e.ts}${hub}${JSON.stringify(e.type)},"severity":${JSON.stringify(e.severity)},"device":${JSON.stringify(e.device)},"state":${JSON.stringify(e.state)},"data":${e.dataJson}${
      e.tsDevice !== null ? `,"ts_corrected":true,"ts_device":${e.tsDevice}` : e.tsUnsynced ? ',"ts_unsynced":true' : ''}`;
  return {
    event: (e) => `${body(e, `{"v":${CONTRACT_VERSION},"id":${JSON.stringify(e.id)},"seq":${e.seq}`)}}`,
    report: (r, gap) => `${body(r, `{"v":${CONTRACT_VERSION},"id":${JSON.stringify(r.id)},"report_seq":${r.seq}`)}${gap ? `,"gap":{"from":${gap.from},"to":${gap.to}}` : ''}}`,
  };
}

export interface StatusMessage {
  v: typeof CONTRACT_VERSION;
  hub: string;
  state: 'online' | 'offline';
  ts: number;
  /** Why the hub is offline: `shutdown` (clean stop) or `connection_lost` (the broker's will). */
  reason?: 'shutdown' | 'connection_lost';
  version?: string;
  started_ts?: number;
  /** Seconds since the daemon started (birth only). */
  uptime_s?: number;
  /** First 16 hex digits of the SHA-256 of the config file the daemon runs with. */
  config_hash?: string;
  /** The hub database's epoch (birth only): events carry it; acks should name it. */
  epoch?: string;
}

/** Pipeline health, so the cloud can tell a quiet home from a dead hub. */
export interface HeartbeatMessage {
  v: typeof CONTRACT_VERSION;
  hub: string;
  ts: number;
  uptime_s: number;
  /** Alarms, events and reports still in the outbox, per class. */
  queue: { alarm: number; event: number; report: number };
  /** Age of the oldest alarm not yet acknowledged (by the cloud, or the broker in puback mode); null if none. */
  oldest_unsent_alarm_age_s: number | null;
  last_cloud_ack_seq: number | null;
  last_cloud_ack_ts: number | null;
  last_seq: number;
  /** Highest report_seq ever assigned (0 when none): a missing last report shows here. */
  last_report_seq: number;
  /** The hub database's epoch, as in events. */
  epoch: string;
  devices: { total: number; open: number; seen_last_5min: number };
  /** Whether the hub's wall clock is synchronised (NTP), as far as it can tell. */
  clock: 'synced' | 'unsynced' | 'unknown';
  /** The store's health (issue 12): its state, events held in memory (not committed), free space. */
  storage?: HeartbeatStorage;
}

export interface HeartbeatStorage {
  state: 'ok' | 'disk_full' | 'store_error';
  /** Events raised but not committed (published on the unstored topic), alarms among them. */
  held: number;
  held_alarms: number;
  /** Free bytes on the state directory's file system; null when not known. */
  free_bytes: number | null;
}

/**
 * Payload of anju/v1/<hub>/ack: `{"seq": N, "report_seq": R, "epoch": "..."}`: at least one of
 * `seq` (events) and `report_seq` (reports); `epoch` may be left out (then the ack is applied
 * whatever the epoch: older consumers), and a bare number is accepted too (an events ack).
 */
export interface CloudAck {
  seq: number | null;
  reportSeq: number | null;
  epoch: string | null;
}

const isSeq = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

export function parseAck(payload: Buffer): CloudAck | null {
  if (payload.length > MAX_ACK_BYTES) return null; // never parsed (the uplink counts it as oversized first)
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v === 'number') return isSeq(v) ? { seq: v, reportSeq: null, epoch: null } : null;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as { seq?: unknown; report_seq?: unknown; epoch?: unknown };
  if (o.seq !== undefined && !isSeq(o.seq)) return null;
  if (o.report_seq !== undefined && !isSeq(o.report_seq)) return null;
  if (o.seq === undefined && o.report_seq === undefined) return null;
  if (o.epoch !== undefined && typeof o.epoch !== 'string') return null;
  return { seq: o.seq ?? null, reportSeq: o.report_seq ?? null, epoch: o.epoch ?? null };
}

/** Response to a command (published to the request's response topic with its correlation data). */
export interface CommandResponse {
  v: typeof CONTRACT_VERSION;
  hub: string;
  cmd: string;
  ok: boolean;
  /** On error: a stable code such as ANJU_CMD_UNKNOWN. */
  code?: string;
  message?: string;
  data?: unknown;
}

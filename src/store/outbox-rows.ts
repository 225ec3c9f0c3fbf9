import type { EventState, Severity, StoredEvent } from '../core/event.js';

/** What the events and reports tables share: the row shape and how a row becomes a StoredEvent. */
export interface OutboxPosition {
  readonly prio: number;
  readonly seq: number;
}

/** When a row leaves the outbox: on the cloud's ack (default) or on the broker's PUBACK. */
export type DoneWhen = 'cloud_ack' | 'puback';

export interface EventRow {
  seq: number;
  id: string;
  ts: number;
  type: string;
  severity: Severity;
  device: string | null;
  state: EventState;
  data: string;
  ts_unsynced: number;
}

export const ROW_COLUMNS = 'seq, id, ts, type, severity, device, state, data, ts_unsynced';

export const rowToEvent = (r: EventRow): StoredEvent => ({
  id: r.id, seq: r.seq, ts: r.ts, type: r.type, severity: r.severity, device: r.device, state: r.state,
  data: JSON.parse(r.data) as Record<string, unknown>,
  ...(r.ts_unsynced ? { tsUnsynced: true } : {}),
});

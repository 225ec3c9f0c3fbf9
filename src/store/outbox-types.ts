/**
 * What the events outbox (outbox.ts) and the reports outbox (report-outbox.ts) share: where a row
 * sits in drain order, and when a row is done. Each reads its own table's rows its own way.
 */
export interface OutboxPosition {
  readonly prio: number;
  readonly seq: number;
}

/** When a row leaves the outbox: on the cloud's ack (default) or on the broker's PUBACK. */
export type DoneWhen = 'cloud_ack' | 'puback';

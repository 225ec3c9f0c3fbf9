import type { EventState, Severity } from '../core/event.js';

/**
 * What the events outbox (outbox.ts) and the reports outbox (report-outbox.ts) share: where a row
 * sits in drain order, when a row is done, and the row they hand the uplink to publish.
 */
export interface OutboxPosition {
  readonly prio: number;
  readonly seq: number;
}

/** When a row leaves the outbox: on the cloud's ack (default) or on the broker's PUBACK. */
export type DoneWhen = 'cloud_ack' | 'puback';

/**
 * An alarm, event or report as an outbox returns it for publishing (the drain, `resync`). `data`
 * stays the JSON text stored: the uplink splices it into the message unparsed
 * (src/uplink/contract.ts), which is most of what publishing a row costs besides the socket. Every
 * field is always present, so the drain path sees one object shape.
 */
export interface OutboxRow extends OutboxPosition {
  /** The event `seq`, or for a report its `report_seq`. */
  readonly seq: number;
  /** Class priority (CLASS_PRIORITY): drain order is prio, then seq. */
  readonly prio: number;
  readonly id: string;
  /** The corrected ts when there is one (then `tsDevice` holds the one stamped). */
  readonly ts: number;
  readonly type: string;
  readonly severity: Severity;
  readonly device: string | null;
  readonly state: EventState;
  /** `data` as stored: JSON.stringify of the draft's data. */
  readonly dataJson: string;
  /** Stamped while the clock was unsynchronised, and not corrected. */
  readonly tsUnsynced: boolean;
  /** With a corrected ts: the ts first stamped. */
  readonly tsDevice: number | null;
}

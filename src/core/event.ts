/**
 * Events are what the hub reports upstream. Detectors produce drafts; the store gives each
 * draft its `id`, `seq` and `ts` when it commits it, and only then is the event "raised".
 * The wire shape is documented in docs/uplink.md (contract version 1).
 */
export type Severity = 'critical' | 'warning' | 'info';
export type EventState = 'raised' | 'cleared' | 'info';

/**
 * Delivery classes, most urgent first: alarms jump the queue, then events, then reports (telemetry,
 * the lowest, is not an event: src/store/telemetry-outbox.ts). Alarms and events share the gapless
 * `seq` and are never evicted while undelivered. Reports (`report.*`, e.g. the nightly
 * `report.sleep`) have their own sequence and may be evicted under the disk quota, after telemetry:
 * the hub then reports the gap (src/store/report-outbox.ts, docs/uplink.md section 3).
 */
export type EventClass = 'alarm' | 'event' | 'report';
export const CLASS_PRIORITY: Readonly<Record<EventClass, number>> = { alarm: 0, event: 1, report: 2 };
export const EVENT_CLASSES: readonly EventClass[] = ['alarm', 'event', 'report'];

export function classOf(type: string): EventClass {
  if (type.startsWith('alarm.')) return 'alarm';
  return type.startsWith('report.') ? 'report' : 'event';
}

export interface EventDraft {
  /** Dotted type, e.g. `alarm.breathing_rate`. */
  readonly type: string;
  readonly severity: Severity;
  /** Device id the event is about, or null for hub-level events. */
  readonly device: string | null;
  readonly state: EventState;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * An event stamped with its id and ts but not committed (yet): what the hub holds, and publishes
 * without a seq, while the store cannot commit (issue 12; docs/uplink.md, the unstored topic).
 */
export interface PendingEvent extends EventDraft {
  /** Unique, stable across retries and restarts: the cloud's dedup key. */
  readonly id: string;
  /** When the event was raised (first stamped), ms since the Unix epoch. */
  readonly ts: number;
  /** True when `ts` was taken while the wall clock was known to be unsynchronised. */
  readonly tsUnsynced?: boolean;
}

export interface StoredEvent extends EventDraft {
  /** Unique, stable across retries and restarts: the cloud's dedup key. */
  readonly id: string;
  /**
   * Per-hub sequence number of the event's class, strictly increasing, also across restarts: the
   * gapless event `seq` shared by alarms and events, or, for a report, the report sequence.
   */
  readonly seq: number;
  /**
   * When the event was raised, ms since the Unix epoch: stamped when it was first offered to the
   * store, normally the moment of its commit; an event held while the store could not commit keeps
   * that first stamp.
   */
  readonly ts: number;
  /** True when `ts` was taken while the wall clock was known to be unsynchronised (and not corrected). */
  readonly tsUnsynced?: boolean;
  /**
   * Present when `ts` was corrected after the clock was synchronised (src/core/ts-correction.ts):
   * the ts first stamped, with the unsynchronised clock. `ts` is then the corrected time.
   */
  readonly tsDevice?: number;
}

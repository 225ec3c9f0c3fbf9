/**
 * Events are what the hub reports upstream. Detectors produce drafts; the store gives each
 * draft its `id`, `seq` and `ts` when it commits it, and only then is the event "raised".
 * The wire shape is documented in docs/uplink.md (contract version 1).
 */
export type Severity = 'critical' | 'warning' | 'info';
export type EventState = 'raised' | 'cleared' | 'info';

/**
 * Delivery classes, most urgent first: alarms jump the queue. Both share the gapless `seq` and are
 * never evicted (reports and telemetry, with their own sequences, come with the telemetry uplink).
 */
export type EventClass = 'alarm' | 'event';
export const CLASS_PRIORITY: Readonly<Record<EventClass, number>> = { alarm: 0, event: 1 };

export function classOf(type: string): EventClass {
  return type.startsWith('alarm.') ? 'alarm' : 'event';
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

export interface StoredEvent extends EventDraft {
  /** Unique, stable across retries and restarts: the cloud's dedup key. */
  readonly id: string;
  /** Per-hub sequence number: strictly increasing, also across restarts. */
  readonly seq: number;
  /** When the event was committed, ms since the Unix epoch. */
  readonly ts: number;
  /** True when `ts` was taken while the wall clock was known to be unsynchronised (and not corrected). */
  readonly tsUnsynced?: boolean;
  /**
   * Present when `ts` was corrected after the clock was synchronised (src/core/ts-correction.ts):
   * the ts first stamped, with the unsynchronised clock. `ts` is then the corrected time.
   */
  readonly tsDevice?: number;
}

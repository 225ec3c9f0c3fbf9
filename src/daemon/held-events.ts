import { classOf, type EventDraft, type PendingEvent, type StoredEvent } from '../core/event.js';
import type { Outbox, PreparedEvent } from '../store/outbox.js';
import type { HeldStats } from '../control/status.js';

/**
 * How an event becomes committed, or is held when it cannot be (issue 12, findings 2 and 14): the
 * held-event path of src/daemon/ingest.ts.
 * - An event is stamped (id, ts) when first offered and keeps both: held, it is handed to `onHeld`
 *   at once (the daemon publishes it without a seq, marked unstored), and committed later under
 *   the same id, getting its seq only then.
 * - Each commit is its own transaction, never inside another: a savepoint released inside an outer
 *   transaction is not a commit, and an event handed over from it could be rolled back after it was
 *   published, its seq then given to the next event. `onEvent` runs only after the commit.
 * - Held events keep their order: while any are held, new ones queue behind them. They are retried
 *   with every flush (`retryHeld`), oldest first, until one fails.
 * - Memory is bounded: beyond MAX_HELD, events (device.* first, then hub.*) are dropped, oldest
 *   first, counted and reported; alarms and reports never are.
 */
/**
 * Held events kept in memory at most before dropping some: events only (device.*, then hub.*),
 * oldest first; alarms and reports are never dropped (an open alarm is not raised again, so alarms
 * are few). A day of a flapping device's faults fits; a disk full for longer loses those.
 */
export const MAX_HELD = 1000;

export interface EventCommitterDeps {
  outbox: Outbox;
  onEvent: (event: StoredEvent) => void;
  transact: <T>(fn: () => T) => T;
  write: <T>(where: string, fn: () => T) => T;
  gate?: { admit(draft: EventDraft): boolean; committed(e: StoredEvent): void; rolledBack?(): void };
  onStoreError?: (err: unknown, held: number) => void;
  onHeld?: (event: PendingEvent) => void;
  onHeldDropped?: (dropped: readonly PendingEvent[]) => void;
}

export interface EventCommitter {
  /** Commits a draft (unless the gate refuses it), or holds it. */
  commit(draft: EventDraft, counters: { events: number }): void;
  retryHeld(): void;
  held(): HeldStats;
}

export function createEventCommitter(deps: EventCommitterDeps): EventCommitter {
  const { outbox, onEvent, transact, write } = deps;
  // Events whose commit failed, oldest first, stamped (id, ts) when first offered: they keep them.
  // While any are held, new ones queue behind them so seq order stays the order of detection.
  const held: Array<{ event: PreparedEvent; counters: { events: number } }> = [];
  let heldDropped = 0;

  /**
   * Commits one event in its own transaction and hands it over (log, uplink) once that committed.
   * Never called inside another transaction (commit and retryHeld check): a savepoint released
   * inside one is not a commit, and an event handed over from it could be rolled back after it was
   * published and its seq given to the next (issue 12, finding 14).
   */
  const append = (event: PreparedEvent): void => {
    // The event and the alarm record commit together: a crash between them could otherwise let
    // an alarm be raised twice after the restart. `write` may run this twice (a released reserve):
    // the gate forgets a failed try before the next.
    const stored = write('append', () => {
      try {
        return transact(() => {
          const e = outbox.commit(event);
          deps.gate?.committed(e);
          return e;
        });
      } catch (err) {
        deps.gate?.rolledBack?.();
        throw err;
      }
    });
    onEvent(stored); // committed before anyone hears of it
  };

  /** Drops events (never alarms or reports) beyond MAX_HELD: device events first, then hub events, oldest first. */
  function bound(): void {
    const dropped: PendingEvent[] = [];
    for (const hubToo of [false, true]) {
      for (let i = 0; i < held.length && held.length > MAX_HELD; ) {
        const e = held[i]!.event;
        if (classOf(e.type) === 'event' && (hubToo || !e.type.startsWith('hub.'))) dropped.push(...held.splice(i, 1).map((h) => h.event));
        else i++;
      }
    }
    if (dropped.length === 0) return;
    heldDropped += dropped.length;
    deps.onHeldDropped?.(dropped);
  }

  function hold(event: PreparedEvent, counters: { events: number }): void {
    held.push({ event, counters });
    bound();
    deps.onHeld?.(event);
  }

  function commit(draft: EventDraft, counters: { events: number }): void {
    if (deps.gate && !deps.gate.admit(draft)) return; // e.g. a second raise of an open alarm
    const event = outbox.prepare(draft);
    if (held.length > 0 || outbox.inTransaction()) {
      hold(event, counters);
      return;
    }
    try {
      append(event);
      counters.events++;
    } catch (err) {
      hold(event, counters);
      deps.onStoreError?.(err, held.length);
    }
  }

  function retryHeld(): void {
    while (held.length > 0 && !outbox.inTransaction()) {
      const h = held[0]!;
      try {
        append(h.event);
      } catch (err) {
        deps.onStoreError?.(err, held.length);
        return;
      }
      held.shift();
      h.counters.events++;
    }
  }

  return {
    commit,
    retryHeld,
    held: () => ({ events: held.length, alarms: held.filter((h) => classOf(h.event.type) === 'alarm').length, dropped: heldDropped }),
  };
}

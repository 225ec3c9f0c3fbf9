import { classOf, type EventDraft, type StoredEvent } from '../core/event.js';
import type { AlarmStore, OpenAlarm } from '../store/alarm-store.js';

/**
 * The alarm lifecycle on top of the events detectors emit: raised -> (acknowledged) -> cleared.
 * - One open alarm per condition (type, device, and `data.condition` where a detector has several
 *   concurrent conditions of one type, e.g. activity windows): a second `raised` for an open
 *   condition is not committed (no duplicate dispatch), whatever a detector does after a restart,
 *   except an escalation: a raise with a higher severity (heart rate warning -> critical) is
 *   committed and the open alarm takes its severity, keeping its id (the new id is an alias).
 * - Acknowledged from the cloud (`ack-alarm` command) or the CLI: recorded, and reported as a
 *   `hub.alarm_acknowledged` event so every consumer sees who took it.
 * - While open and unacknowledged, a `hub.alarm_reminder` event every `renotifyMs`, so an alarm
 *   nobody took is not forgotten (telecare practice: escalate until a person answers).
 * State lives in SQLite (alarm-store), so a restart neither forgets an open alarm nor re-raises it.
 */
export interface Alarms {
  /** False for a draft that must not be committed (a duplicate raise). */
  admit(draft: EventDraft): boolean;
  /** Called with an alarm-class event, inside the transaction that commits it. */
  committed(e: StoredEvent): void;
  /**
   * The transaction `committed` ran in failed (a full disk): reads the open alarms back from the
   * store, so memory holds what is stored and not what was rolled back.
   */
  rolledBack(): void;
  /** Acknowledge by the raising event's id. */
  ack(id: string, by: string, now: number): AckResult;
  /** Reminder drafts that are due. */
  tick(now: number): EventDraft[];
  /**
   * The wall clock stepped by `stepMs` (src/daemon/wall-clock-watch.ts): the next reminders stay
   * `renotifyMs` of real time after the last one, neither an hour late nor at once.
   */
  rebase(stepMs: number): void;
  open(): readonly OpenAlarm[];
}

export type AckResult =
  | { ok: true; alreadyAcked: boolean; alarm: OpenAlarm; event: EventDraft | null }
  | { ok: false; reason: 'unknown' };

const conditionOf = (e: EventDraft): string => (typeof e.data.condition === 'string' ? e.data.condition : '');
const key = (type: string, device: string | null, condition: string) => `${type}\u0000${device ?? ''}\u0000${condition}`;
const RANK: Readonly<Record<string, number>> = { info: 0, warning: 1, critical: 2 };

export function createAlarms(store: AlarmStore, o: { renotifyMs: number }): Alarms {
  const load = () => new Map<string, OpenAlarm>(store.all().map((a) => [key(a.type, a.device, a.condition), a]));
  let open = load();
  // Wall-clock steps (ms) since each open alarm's raise and since its last reminder, by alarm id:
  // the recorded instants plus these are the same instants on the clock as it reads now, so
  // reminders and open_s count real time. In memory: a step while the daemon was down is not seen.
  const stepped = new Map<string, { sinceRaise: number; sinceReminder: number }>();
  const sinceRaise = (a: OpenAlarm, now: number): number => now - a.raisedTs - (stepped.get(a.id)?.sinceRaise ?? 0);
  const sinceLastReminder = (a: OpenAlarm, now: number): number => now - (a.remindedTs ?? a.raisedTs) - (stepped.get(a.id)?.sinceReminder ?? 0);

  return {
    admit(draft) {
      if (classOf(draft.type) !== 'alarm' || draft.state !== 'raised') return true;
      const current = open.get(key(draft.type, draft.device, conditionOf(draft)));
      return !current || (RANK[draft.severity] ?? 0) > (RANK[current.severity] ?? 0);
    },
    committed(e) {
      if (classOf(e.type) !== 'alarm') return;
      const condition = conditionOf(e);
      const k = key(e.type, e.device, condition);
      if (e.state === 'raised') {
        const current = open.get(k);
        // The store first, memory after: a write that throws (a full disk) leaves memory as it was.
        if (current) { // an escalation (admit let it through): same alarm, higher severity
          const escalated = { ...current, severity: e.severity, aliasIds: [...current.aliasIds, e.id] };
          store.insert(escalated);
          open.set(k, escalated);
          return;
        }
        const a: OpenAlarm = { id: e.id, seq: e.seq, type: e.type, device: e.device, condition, aliasIds: [], severity: e.severity, raisedTs: e.ts, ackedTs: null, ackedBy: null, reminders: 0, remindedTs: null };
        store.insert(a);
        open.set(k, a);
      } else if (e.state === 'cleared') {
        const a = open.get(k);
        store.remove(e.type, e.device, condition);
        open.delete(k);
        if (a) stepped.delete(a.id);
      }
    },
    rolledBack() {
      open = load();
    },
    ack(id, by, now) {
      const a = [...open.values()].find((x) => x.id === id || x.aliasIds.includes(id));
      if (!a) return { ok: false, reason: 'unknown' };
      if (a.ackedTs !== null) return { ok: true, alreadyAcked: true, alarm: a, event: null };
      store.ack(a.id, now, by); // by its own id (`id` may be an alias); throws on a full disk: the command fails, nothing changed
      a.ackedTs = now;
      a.ackedBy = by;
      const event: EventDraft = {
        type: 'hub.alarm_acknowledged', severity: 'info', device: a.device, state: 'info',
        data: { alarm_id: a.id, alarm_seq: a.seq, alarm_type: a.type, by, open_s: Math.round(sinceRaise(a, now) / 1000) },
      };
      return { ok: true, alreadyAcked: false, alarm: a, event };
    },
    tick(now) {
      const due: EventDraft[] = [];
      for (const a of open.values()) {
        if (a.ackedTs !== null) continue;
        if (sinceLastReminder(a, now) < o.renotifyMs) continue;
        store.reminded(a.id, now); // throws on a full disk: this tick ends, the next one tries again
        a.reminders++;
        a.remindedTs = now;
        const st = stepped.get(a.id);
        if (st) st.sinceReminder = 0;
        due.push({
          type: 'hub.alarm_reminder', severity: a.severity as EventDraft['severity'], device: a.device, state: 'info',
          data: { alarm_id: a.id, alarm_seq: a.seq, alarm_type: a.type, reminder: a.reminders, open_s: Math.round(sinceRaise(a, now) / 1000) },
        });
      }
      return due;
    },
    rebase(stepMs) {
      for (const a of open.values()) {
        const st = stepped.get(a.id) ?? { sinceRaise: 0, sinceReminder: 0 };
        stepped.set(a.id, { sinceRaise: st.sinceRaise + stepMs, sinceReminder: st.sinceReminder + stepMs });
      }
    },
    open: () => [...open.values()],
  };
}

import { classOf, type EventDraft, type StoredEvent } from '../core/event.js';
import type { AlarmStore, OpenAlarm } from '../store/alarm-store.js';

/**
 * The alarm lifecycle on top of the events detectors emit: raised -> (acknowledged) -> cleared.
 * - One open alarm per condition (type, device): a second `raised` for an open condition is not
 *   committed (no duplicate dispatch), whatever a detector does after a restart.
 * - Acknowledged from the cloud (`ack-alarm` command) or the CLI: recorded, and reported as a
 *   `hub.alarm_acknowledged` event so every consumer sees who took it.
 * - While open and unacknowledged, a `hub.alarm_reminder` event every `renotifyMs`, so an alarm
 *   nobody took is not forgotten (telecare practice: escalate until a person answers).
 * State lives in SQLite (alarm-store), so a restart neither forgets an open alarm nor re-raises it.
 */
export interface Alarms {
  /** False for a draft that must not be committed (a duplicate raise). */
  admit(draft: EventDraft): boolean;
  /** Called after an alarm-class event was committed. */
  committed(e: StoredEvent): void;
  /** Acknowledge by the raising event's id. */
  ack(id: string, by: string, now: number): AckResult;
  /** Reminder drafts that are due. */
  tick(now: number): EventDraft[];
  open(): readonly OpenAlarm[];
}

export type AckResult =
  | { ok: true; alreadyAcked: boolean; alarm: OpenAlarm; event: EventDraft | null }
  | { ok: false; reason: 'unknown' };

const key = (type: string, device: string | null) => `${type}\u0000${device ?? ''}`;

export function createAlarms(store: AlarmStore, o: { renotifyMs: number }): Alarms {
  const open = new Map<string, OpenAlarm>(store.all().map((a) => [key(a.type, a.device), a]));

  return {
    admit(draft) {
      if (classOf(draft.type) !== 'alarm' || draft.state !== 'raised') return true;
      return !open.has(key(draft.type, draft.device));
    },
    committed(e) {
      if (classOf(e.type) !== 'alarm') return;
      const k = key(e.type, e.device);
      if (e.state === 'raised') {
        const a: OpenAlarm = { id: e.id, seq: e.seq, type: e.type, device: e.device, severity: e.severity, raisedTs: e.ts, ackedTs: null, ackedBy: null, reminders: 0, remindedTs: null };
        open.set(k, a);
        store.insert(a);
      } else if (e.state === 'cleared') {
        open.delete(k);
        store.remove(e.type, e.device);
      }
    },
    ack(id, by, now) {
      const a = [...open.values()].find((x) => x.id === id);
      if (!a) return { ok: false, reason: 'unknown' };
      if (a.ackedTs !== null) return { ok: true, alreadyAcked: true, alarm: a, event: null };
      a.ackedTs = now;
      a.ackedBy = by;
      store.ack(id, now, by);
      const event: EventDraft = {
        type: 'hub.alarm_acknowledged', severity: 'info', device: a.device, state: 'info',
        data: { alarm_id: a.id, alarm_seq: a.seq, alarm_type: a.type, by, open_s: Math.round((now - a.raisedTs) / 1000) },
      };
      return { ok: true, alreadyAcked: false, alarm: a, event };
    },
    tick(now) {
      const due: EventDraft[] = [];
      for (const a of open.values()) {
        if (a.ackedTs !== null) continue;
        const last = a.remindedTs ?? a.raisedTs;
        if (now - last < o.renotifyMs) continue;
        a.reminders++;
        a.remindedTs = now;
        store.reminded(a.id, now);
        due.push({
          type: 'hub.alarm_reminder', severity: a.severity as EventDraft['severity'], device: a.device, state: 'info',
          data: { alarm_id: a.id, alarm_seq: a.seq, alarm_type: a.type, reminder: a.reminders, open_s: Math.round((now - a.raisedTs) / 1000) },
        });
      }
      return due;
    },
    open: () => [...open.values()],
  };
}

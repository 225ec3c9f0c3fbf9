import type { Db } from './database.js';

export interface OpenAlarm {
  id: string;
  seq: number;
  type: string;
  device: string | null;
  /** Tells apart concurrent conditions of one type on one device (data.condition), '' when none. */
  condition: string;
  /** Ids of later raises of this alarm (severity escalations); ack-alarm accepts them too. */
  aliasIds: string[];
  severity: string;
  raisedTs: number;
  ackedTs: number | null;
  ackedBy: string | null;
  reminders: number;
  remindedTs: number | null;
}

/** Persistence of open alarms (see src/alarms/alarms.ts for the lifecycle). */
export interface AlarmStore {
  all(): OpenAlarm[];
  insert(a: OpenAlarm): void;
  remove(type: string, device: string | null, condition: string): void;
  ack(id: string, ts: number, by: string): void;
  reminded(id: string, ts: number): void;
}

interface Row { id: string; seq: number; type: string; device: string; condition: string; alias_ids: string; severity: string; raised_ts: number; acked_ts: number | null; acked_by: string | null; reminders: number; reminded_ts: number | null }

export function createAlarmStore(db: Db): AlarmStore {
  const all = db.prepare<[], Row>('SELECT * FROM alarms ORDER BY seq');
  const insert = db.prepare('INSERT OR REPLACE INTO alarms (id, seq, type, device, condition, alias_ids, severity, raised_ts, acked_ts, acked_by, reminders, reminded_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
  const remove = db.prepare<[string, string, string]>('DELETE FROM alarms WHERE type = ? AND device = ? AND condition = ?');
  const ack = db.prepare<[number, string, string]>('UPDATE alarms SET acked_ts = ?, acked_by = ? WHERE id = ?');
  const reminded = db.prepare<[number, string]>('UPDATE alarms SET reminders = reminders + 1, reminded_ts = ? WHERE id = ?');
  return {
    all: () => all.all().map((r) => ({
      id: r.id, seq: r.seq, type: r.type, device: r.device === '' ? null : r.device, condition: r.condition, aliasIds: JSON.parse(r.alias_ids) as string[],
      severity: r.severity, raisedTs: r.raised_ts,
      ackedTs: r.acked_ts, ackedBy: r.acked_by, reminders: r.reminders, remindedTs: r.reminded_ts,
    })),
    insert: (a) => { insert.run(a.id, a.seq, a.type, a.device ?? '', a.condition, JSON.stringify(a.aliasIds), a.severity, a.raisedTs, a.ackedTs, a.ackedBy, a.reminders, a.remindedTs); },
    remove: (type, device, condition) => { remove.run(type, device ?? '', condition); },
    ack: (id, ts, by) => { ack.run(ts, by, id); },
    reminded: (id, ts) => { reminded.run(ts, id); },
  };
}

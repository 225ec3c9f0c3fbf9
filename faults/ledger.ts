import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * What the hub committed: every event row of its SQLite outbox (an event counts as raised once it
 * is committed, README), by epoch. The faults run reads it from the hub's database file, the way
 * an auditor would, and compares it with what the cloud stored: that is the only honest "lost".
 */
export interface LedgerEvent { id: string; seq: number; type: string; state: string }
export type Ledger = Map<string, Map<string, LedgerEvent>>;

/** Adds what `stateDir/anju.db` holds now to `ledger` (a database that is being replaced is read before). */
export function readLedger(stateDir: string, ledger: Ledger = new Map()): Ledger {
  const file = join(stateDir, 'anju.db');
  if (!existsSync(file)) return ledger;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const epoch = (db.prepare("SELECT value FROM meta WHERE key = 'epoch'").get() as { value: string } | undefined)?.value ?? '';
    const rows = db.prepare('SELECT id, seq, type, state FROM events ORDER BY seq').all() as LedgerEvent[];
    const byId = ledger.get(epoch) ?? new Map<string, LedgerEvent>();
    for (const r of rows) byId.set(r.id, r);
    ledger.set(epoch, byId);
  } finally {
    db.close();
  }
  return ledger;
}

/** What the cloud stored, as `(epoch) => events`: the reference consumer's `events(hub, epoch)`. */
export type CloudView = (epoch: string) => ReadonlyArray<{ id: string; seq: number }>;

export interface Tally {
  /** Events the hub committed (all epochs). */
  committed: number;
  /** Alarms raised (`alarm.*` events with state `raised`) among them. */
  alarmsRaised: number;
  /** Committed events the cloud has under the same epoch and seq. */
  delivered: number;
  /** Committed events the cloud does not have (or has under another seq). */
  lost: number;
  /** The first few lost ids, for the report. */
  lostIds: string[];
  /** Seqs missing in the cloud below the highest it stored, over all epochs. */
  gaps: number;
}

/**
 * Compares the hub's ledger with the cloud. Pure, so a unit test proves it counts a loss (the run
 * must not be able to print "lost 0" because it looked at nothing).
 */
export function tally(ledger: Ledger, cloud: CloudView): Tally {
  const t: Tally = { committed: 0, alarmsRaised: 0, delivered: 0, lost: 0, lostIds: [], gaps: 0 };
  for (const [epoch, events] of ledger) {
    const stored = new Map(cloud(epoch).map((e) => [e.id, e.seq]));
    const seqs = new Set(stored.values());
    const top = Math.max(0, ...seqs);
    for (let s = 1; s <= top; s++) if (!seqs.has(s)) t.gaps++;
    for (const e of events.values()) {
      t.committed++;
      if (e.type.startsWith('alarm.') && e.state === 'raised') t.alarmsRaised++;
      if (stored.get(e.id) === e.seq) t.delivered++;
      else {
        t.lost++;
        if (t.lostIds.length < 5) t.lostIds.push(`${epoch}/${e.seq}/${e.id}`);
      }
    }
  }
  return t;
}

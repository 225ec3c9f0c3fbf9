import type { Db } from './database.js';
import { emptyLadderState, type LadderState } from '../escalation/ladder.js';

/** Persistence of the escalation ladder's state (src/escalation/ladder.ts): one row, JSON. */
export interface EscalationStore {
  load(): LadderState;
  save(state: LadderState, now: number): void;
}

export function createEscalationStore(db: Db): EscalationStore {
  const get = db.prepare<[], { state: string }>('SELECT state FROM escalation_state WHERE id = 1');
  const put = db.prepare<[string, number]>('INSERT OR REPLACE INTO escalation_state (id, state, updated_ts) VALUES (1, ?, ?)');
  return {
    load() {
      const row = get.get();
      if (!row) return emptyLadderState();
      try {
        const s = JSON.parse(row.state) as Partial<LadderState>;
        return { ladders: Array.isArray(s.ladders) ? s.ladders : [], lastSent: s.lastSent ?? {} };
      } catch {
        return emptyLadderState(); // unreadable (never written so by us): the open alarms start afresh
      }
    },
    save(state, now) { put.run(JSON.stringify(state), now); },
  };
}

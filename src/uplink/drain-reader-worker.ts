/**
 * The drain reader's thread (drain-reader.ts): its own connection to the hub database, the drain's
 * own statements (src/store/outbox.ts drainStatements) and the contract's own wire format, so a
 * page it reads is what the daemon's thread would have read and written at that moment.
 *
 * Requests, answered in order: `page` (the rows after a position, each as its message) and
 * `mark` (PUBACK records). Its writes are PUBACK records only, committed without fsync: a record
 * lost to a power cut costs a duplicate, never an event (as on the daemon's connection).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drainStatements } from '../store/outbox.js';
import type { DoneWhen } from '../store/outbox-types.js';
import { wireFormat } from './contract.js';
import type { ReaderReply, ReaderRequest } from './drain-reader.js';

export interface ReaderSetup {
  file: string;
  hubId: string;
  epoch: string;
  doneWhen: DoneWhen;
}

const setup = workerData as ReaderSetup;
const port = parentPort!;
const db = new Database(setup.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000'); // the daemon's connection may be writing
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -2000'); // as the daemon's (src/store/database.ts)
const q = drainStatements(db, setup.doneWhen);
const wire = wireFormat(setup.hubId, setup.epoch);

port.on('message', (m: ReaderRequest) => {
  let reply: ReaderReply;
  try {
    if (m.op === 'page') {
      const rows = q.next(m.after, m.limit);
      // Columns, not row objects: the structured clone of arrays of numbers and strings costs the
      // daemon's thread a fraction of what objects would.
      const n = rows.length;
      const seqs: number[] = new Array<number>(n);
      const prios: number[] = new Array<number>(n);
      const payloads: string[] = new Array<string>(n);
      const unsynced: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        seqs[i] = r.seq;
        prios[i] = r.prio;
        payloads[i] = wire.event(r);
        if (r.tsUnsynced) unsynced.push(i);
      }
      reply = { op: 'page', id: m.id, seqs, prios, payloads, unsynced };
    } else if (m.op === 'mark') {
      q.markPubacked(m.ranges, m.now);
      reply = { op: 'marked', id: m.id };
    } else {
      db.close();
      port.close();
      return;
    }
  } catch (err) {
    reply = { op: 'failed', id: m.id, message: (err as Error).message };
  }
  port.postMessage(reply);
});

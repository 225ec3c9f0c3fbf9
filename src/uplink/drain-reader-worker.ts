/**
 * The drain reader's thread (drain-reader.ts): its own connection to the hub database, the drain's
 * own statements (src/store/outbox.ts drainStatements, drainWireStatement) and the contract's wire
 * format as SQL (src/uplink/contract.ts wireSql, held byte-equal to wireFormat by a test), so a page
 * it reads is what the daemon's thread would have read and written at that moment. SQLite writes
 * each message: one string per row to copy out, about half the thread's CPU of reading the columns
 * and writing the JSON here, and this thread shares a core with the broker in the drain bench.
 *
 * Requests, answered in order: `page` (the rows after a position, each as its message) and
 * `mark` (PUBACK records). Its writes are PUBACK records only, committed without fsync: a record
 * lost to a power cut costs a duplicate, never an event (as on the daemon's connection).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drainStatements, drainWireStatement } from '../store/outbox.js';
import type { DoneWhen } from '../store/outbox-types.js';
import { wireSql } from './contract.js';
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
const page = drainWireStatement(db, setup.doneWhen, wireSql(setup.hubId, setup.epoch));

port.on('message', (m: ReaderRequest) => {
  let reply: ReaderReply;
  try {
    if (m.op === 'page') {
      const rows = page(m.after, m.limit);
      // Columns, not row objects: the structured clone of arrays of numbers and strings costs the
      // daemon's thread a fraction of what objects would.
      const n = rows.length;
      const seqs: number[] = new Array<number>(n);
      const prios: number[] = new Array<number>(n);
      const payloads: string[] = new Array<string>(n);
      const unsynced: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        seqs[i] = r[0];
        prios[i] = r[1];
        payloads[i] = r[3];
        if (r[2] === 1) unsynced.push(i);
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

import type { TelemetryOutbox } from '../store/telemetry-outbox.js';
import { CONTRACT_VERSION } from './contract.js';

/**
 * Uploads readings as telemetry, the lowest class: one message in flight at a time, only while no
 * event awaits its PUBACK (`canSend`), each message at most `maxBytes` of JSON. Readings inside a
 * message have consecutive ids from `seq_from`; a `gap` names ids evicted before they were sent.
 */
export interface TelemetryMessage {
  v: typeof CONTRACT_VERSION;
  hub: string;
  ts: number;
  seq_from: number;
  seq_to: number;
  gap?: { from: number; to: number };
  /** [ts, device, metric, value] per reading, ids seq_from..seq_to in order. */
  readings: Array<[number, string, string, number | string]>;
}

export interface TelemetrySender {
  /** Sends the next message if allowed and nothing is in flight. */
  tick(): void;
  stats(): { messages: number; readings: number; inFlight: boolean; backlog: number };
}

const ROWS_PER_QUERY = 2000;

export function createTelemetrySender(o: {
  hubId: string;
  outbox: TelemetryOutbox;
  maxBytes: number;
  now: () => number;
  canSend: () => boolean;
  publish: (payload: string, done: (err?: Error) => void) => void;
}): TelemetrySender {
  let inFlight = false;
  const st = { messages: 0, readings: 0 };

  const build = (): { payload: string; lastId: number; count: number } | null => {
    const batch = o.outbox.nextBatch(ROWS_PER_QUERY);
    if (!batch) return null;
    const msg: TelemetryMessage = { v: CONTRACT_VERSION, hub: o.hubId, ts: o.now(), seq_from: batch.firstId, seq_to: batch.firstId, ...(batch.gap ? { gap: batch.gap } : {}), readings: [] };
    let size = Buffer.byteLength(JSON.stringify(msg));
    for (const row of batch.rows) {
      const add = Buffer.byteLength(JSON.stringify(row)) + 1;
      if (msg.readings.length > 0 && size + add > o.maxBytes) break;
      msg.readings.push(row);
      size += add;
    }
    msg.seq_to = batch.firstId + msg.readings.length - 1;
    return { payload: JSON.stringify(msg), lastId: msg.seq_to, count: msg.readings.length };
  };

  const sender: TelemetrySender = {
    tick() {
      if (inFlight || !o.canSend()) return;
      const next = build();
      if (!next) return;
      inFlight = true;
      o.publish(next.payload, (err) => {
        inFlight = false;
        if (err) return; // the next tick sends the same range again
        try {
          o.outbox.markSent(next.lastId);
        } catch {
          return; // not recorded (a full disk: the store counts it): the next tick sends the range again
        }
        st.messages++;
        st.readings += next.count;
        sender.tick(); // a backlog drains back to back, still one at a time
      });
    },
    stats: () => ({ ...st, inFlight, backlog: o.outbox.backlog() }),
  };
  return sender;
}

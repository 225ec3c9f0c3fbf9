/**
 * Batches parsed messages into storeBatch transactions, one at a time (while one commits, the next
 * batch fills: the busier, the larger the batches), and hands each batch's acks to `onCommitted`.
 *
 * Nothing is lost by dropping here: the broker already has our PUBACK, but the hub keeps every event
 * and report in its outbox until our ack (cloud_ack mode) and sends it again after ack_timeout_s. So a
 * batch the database keeps refusing is dropped after retry_max_s, unacked, and counted; a message
 * that fails on its own (a value PostgreSQL refuses) is recorded in `rejected`.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { fullJitterDelayMs } from '../src/core/backoff.js';
import type { Inbound } from './messages.js';
import { storeBatch, type Ack, type BatchResult } from './store.js';

export interface WriterOptions {
  batchMax: number;
  batchWaitMs: number;
  maxPending: number;
  retryMaxMs: number;
  onCommitted: (acks: Ack[]) => void;
  onRejected: (topic: string, problem: string, payload: string) => void;
}

export interface WriterStats { pending: number; batches: number; stored: number; duplicates: number; dropped: number; failedMessages: number; retries: number }

export interface Writer {
  push(msg: Inbound, topic: string, payload: Buffer): void;
  /** Resolves once everything pushed so far is committed (or dropped). */
  drain(): Promise<void>;
  stats(): WriterStats;
}

/** PostgreSQL errors worth retrying as they are: serialization failure, deadlock, and the connection classes 08, 53, 57P. */
export function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return true; // a network error (ECONNREFUSED, ...) has no SQLSTATE
  return code === '40001' || code === '40P01' || code.startsWith('08') || code.startsWith('53') || code.startsWith('57P');
}

interface Item { msg: Inbound; topic: string; payload: Buffer }

export function createWriter(pool: Pool, log: Logger, o: WriterOptions): Writer {
  let queue: Item[] = [];
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const st: WriterStats = { pending: 0, batches: 0, stored: 0, duplicates: 0, dropped: 0, failedMessages: 0, retries: 0 };

  const commit = (r: BatchResult, messages: number) => {
    log.debug({ messages, fresh: r.fresh, duplicates: r.duplicates, acks: r.acks.length }, 'batch committed');
    st.batches++;
    st.stored += r.fresh;
    st.duplicates += r.duplicates;
    o.onCommitted(r.acks);
  };

  /** The batch again, message by message: the ones PostgreSQL accepts are stored, the others rejected. */
  async function oneByOne(items: Item[]): Promise<void> {
    for (const it of items) {
      try {
        commit(await storeBatch(pool, [it.msg]), 1);
      } catch (err) {
        if (retryable(err)) { st.dropped++; continue; }
        st.failedMessages++;
        o.onRejected(it.topic, `database refused it: ${(err as Error).message}`, it.payload.toString('utf8'));
      }
    }
  }

  async function flush(items: Item[]): Promise<void> {
    const deadline = Date.now() + o.retryMaxMs;
    for (let attempt = 0; ; attempt++) {
      try {
        commit(await storeBatch(pool, items.map((i) => i.msg)), items.length);
        return;
      } catch (err) {
        if (!retryable(err)) {
          log.warn({ err: (err as Error).message, code: (err as { code?: string }).code, messages: items.length }, 'batch refused by the database: storing its messages one by one');
          await oneByOne(items);
          return;
        }
        if (Date.now() >= deadline) {
          st.dropped += items.length;
          log.error({ err: (err as Error).message, messages: items.length }, `database unavailable for ${o.retryMaxMs} ms: batch dropped unacked (the hubs send it again)`);
          return;
        }
        st.retries++;
        const waitMs = fullJitterDelayMs(attempt, 50, 2000);
        log.debug({ err: (err as Error).message, attempt }, 'batch failed, retrying');
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  function kick(): void {
    if (running || queue.length === 0) return;
    running = (async () => {
      while (queue.length > 0) {
        const items = queue.slice(0, o.batchMax);
        queue = queue.slice(items.length);
        await flush(items);
      }
    })().catch((err: unknown) => { log.error({ err: (err as Error).message }, 'writer failed'); }).finally(() => {
      running = null;
      if (queue.length > 0) schedule();
    });
  }

  function schedule(): void {
    if (timer || running) return;
    if (queue.length >= o.batchMax || o.batchWaitMs === 0) { kick(); return; }
    timer = setTimeout(() => { timer = null; kick(); }, o.batchWaitMs);
  }

  return {
    push(msg, topic, payload) {
      if (queue.length >= o.maxPending) { st.dropped++; return; }
      queue.push({ msg, topic, payload });
      if (queue.length >= o.batchMax && timer) { clearTimeout(timer); timer = null; }
      schedule();
    },
    async drain() {
      if (timer) { clearTimeout(timer); timer = null; }
      kick();
      while (running) await running;
    },
    stats: () => ({ ...st, pending: queue.length }),
  };
}

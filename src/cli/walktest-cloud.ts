import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { DaemonStatus } from '../control/status.js';
import { request } from './client.js';
import type { Ctx } from './context.js';

/**
 * How the walk test knows something reached the cloud (src/cli/commands/walktest.ts): a test alarm,
 * or the hub.test event it asks for at the end to measure the uplink round trip in every home.
 */
export type Delivery = 'cloud_ack' | 'puback';

export interface UplinkTest { seq: number | null; confirmed: boolean; via: Delivery | null; roundTripMs: number | null; error: string | null }

/** The hub.test event the walk test waits for on its event stream, by the nonce it chose. */
export interface TestWait { nonce: string; seen: { seq: number; ts: number } | null }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks the hub for a hub.test event (local-only `test-event`), learns its seq and commit time from
 * the event stream (`expect` hands the nonce to the stream's listener), and waits for the cloud to
 * confirm it, as for a test alarm.
 */
export async function measureUplink(
  socket: string, by: string, delivery: Delivery | null, timeoutMs: number, getStatus: () => Promise<DaemonStatus | null>,
  expect: (w: TestWait) => void, gone: () => boolean,
): Promise<UplinkTest> {
  const wait: TestWait = { nonce: randomUUID().replace(/-/g, ''), seen: null };
  expect(wait);
  const r = await request(socket, 'test-event', { nonce: wait.nonce, by }).catch((err: unknown) => ({ ok: false as const, message: (err as Error).message }));
  const seenBy = Date.now() + 5000;
  while (r.ok && wait.seen === null && Date.now() < seenBy && !gone()) await sleep(100);
  const seen = wait.seen as TestWait['seen'];
  if (!r.ok || seen === null) {
    return { seq: null, confirmed: false, via: null, roundTripMs: null, error: r.ok ? 'the hub.test event was not seen on the event stream' : r.message ?? 'refused' };
  }
  return { seq: seen.seq, ...(await waitForCloud({ ...seen, preexisting: false }, delivery, timeoutMs, getStatus)), error: null };
}

/**
 * Polls get-status until the alarm's seq is covered: by the cloud ack (cloud_ack delivery: the cloud
 * stored it), or, in puback mode, the broker took it (nothing pending as old as it, a PUBACK since).
 * The round trip is measured on the hub's clock: ack (or PUBACK) time minus the event's commit time.
 */
export async function waitForCloud(alarm: { seq: number; ts: number; preexisting: boolean }, delivery: Delivery | null, timeoutMs: number, getStatus: () => Promise<DaemonStatus | null>): Promise<{ confirmed: boolean; via: Delivery | null; roundTripMs: number | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await getStatus().catch(() => null);
    const u = s?.uplink;
    if (s && u) {
      const ack = u.lastCloudAck;
      if ((delivery === 'cloud_ack' || delivery === null) && ack && ack.seq >= alarm.seq) {
        return { confirmed: true, via: 'cloud_ack', roundTripMs: alarm.preexisting ? null : Math.max(0, ack.ts - alarm.ts) };
      }
      const pending = s.outbox.oldestPendingTs;
      if ((delivery === 'puback' || delivery === null) && u.lastPubackTs !== null && u.lastPubackTs >= alarm.ts && (pending === null || pending > alarm.ts)) {
        return { confirmed: true, via: 'puback', roundTripMs: alarm.preexisting ? null : Math.max(0, u.lastPubackTs - alarm.ts) };
      }
    }
    if (Date.now() >= deadline) return { confirmed: false, via: null, roundTripMs: null };
    await sleep(200);
  }
}

/**
 * The delivery mode from the config file when this user can read it; null: accept either proof.
 * The config's validation (zod, yaml) is loaded only when there is a file to read.
 */
export async function deliveryMode(ctx: Ctx): Promise<Delivery | null> {
  if (!ctx.configPath || !existsSync(ctx.configPath)) return null;
  const { loadConfigFile } = await import('../config/load.js');
  const r = loadConfigFile(ctx.configPath);
  return r.ok ? r.config.uplink.delivery : null;
}

import { basename } from 'node:path';
import type { CallMade, CallOptions, ChannelResult, ChannelStatus } from '../../escalation/contact-channel.js';
import { mapFinal } from './at-errors.js';
import { atParams, prefixOf, type CallEnd, type Urc } from './at-lines.js';
import { isDialable } from './pdu-address.js';
import { notReadyCode } from './registration.js';
import type { ModemCore } from './types.js';

/** How often a ringing call is polled with +CLCC (TS 27.007 §7.18) to see it answered. */
const CLCC_POLL_MS = 1000;
/** A RING with no +CLIP within this is an incoming call from a withheld number. */
const CLIP_WAIT_MS = 1500;
/** No RING for this long: the incoming call is over (the caller gave up). */
const RING_GAP_MS = 10_000;

/**
 * Voice calls (V.250 ATD/ATH, TS 27.007 +CLCC, +CLIP): dial, watch the call until answered, busy,
 * unanswered or ringSeconds, play the prompt into it where the model can (profile `prompt`), hang
 * up. Incoming calls (RING, +CLIP) are surfaced once each as `{kind:'ring'}` and rejected, so the
 * line is free for the ladder's next call.
 */
export function createCalls(core: ModemCore, status: () => ChannelStatus) {
  const { o, at, st } = core;
  let ended: ((why: CallEnd) => void) | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let incoming: { clip: boolean; timer: NodeJS.Timeout | null; lastRing: number } | null = null;
  let outgoing = false;
  const timers = new Set<NodeJS.Timeout>();

  /** Waits `ms`, or less: until the call ends (its URC), or the caller calls it off (`signal`). */
  const wait = (ms: number, signal?: AbortSignal): Promise<CallEnd | 'cancelled' | null> => new Promise((resolve) => {
    if (signal?.aborted) { resolve('cancelled'); return; }
    const done = (why: CallEnd | 'cancelled' | null): void => {
      clearTimeout(t);
      timers.delete(t);
      ended = null;
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onAbort = (): void => done('cancelled');
    const t = setTimeout(() => done(null), ms);
    timers.add(t);
    ended = done;
    signal?.addEventListener('abort', onAbort, { once: true });
  });

  const cancelled = (when: string): ChannelResult<CallMade> => ({ ok: false, code: 'cancelled', detail: `called off ${when} (the alarm was cleared or acknowledged)` });

  const hangUp = async (): Promise<void> => { await at.send({ cmd: 'ATH', timeoutMs: o.commandTimeoutMs }); core.checkResponsive(); };

  /** Our outgoing call's <stat> from +CLCC (0 active, 2 dialling, 3 alerting), or null when none is listed. */
  const callState = async (): Promise<number | null> => {
    const r = await at.send({ cmd: 'AT+CLCC', timeoutMs: o.commandTimeoutMs, expect: '+CLCC:' });
    core.checkResponsive();
    if (!r.ok) return null;
    for (const l of r.lines) {
      const p = atParams(prefixOf(l).rest);
      if (p[1] === '0') return Number.parseInt(p[2] ?? '', 10);
    }
    return null;
  };

  async function dial(to: string, opts: CallOptions): Promise<ChannelResult<CallMade>> {
    // Called off while it waited behind another call: nobody's phone rings for an alarm that is over.
    if (opts.signal?.aborted) return cancelled('before dialling');
    const s = status();
    if (s.state !== 'ready') return { ok: false, code: notReadyCode(s), detail: `modem ${s.state}: ${s.detail}` };
    if (!isDialable(to)) return { ok: false, code: 'rejected', detail: `number ${JSON.stringify(to)}: expected +<country><number>` };
    st.calls++;
    outgoing = true;
    try {
      const d = await at.send({ cmd: `ATD${to};`, timeoutMs: o.smsTimeoutMs, dial: true });
      core.checkResponsive();
      if (!d.ok) {
        if (d.kind === 'call-end') return endedEarly(d.reason, 'ATD');
        if (d.kind === 'final') return { ok: false, ...mapFinal(d.result, 'ATD') };
        return { ok: false, code: d.kind === 'timeout' ? 'timeout' : 'modem_unavailable', detail: `ATD: ${d.kind === 'timeout' ? 'no answer from the modem' : 'modem went away'}` };
      }
      const deadline = performance.now() + opts.ringSeconds * 1000;
      let answered = false;
      while (!answered && performance.now() < deadline) {
        const why = await wait(Math.min(CLCC_POLL_MS, Math.max(0, deadline - performance.now())), opts.signal);
        if (why === 'cancelled') {
          // A relative's phone must not keep ringing for an alarm that is over.
          await hangUp();
          return cancelled('while ringing');
        }
        if (why) return endedEarly(why, 'call');
        const state = await callState();
        if (state === 0) answered = true;
        else if (state === null && status().state === 'unavailable') return { ok: false, code: 'modem_unavailable', detail: 'modem went away during the call' };
      }
      let promptPlayed = false;
      if (answered && opts.promptFile && o.profile.prompt && !opts.signal?.aborted) {
        const file = `${o.promptDir}${basename(opts.promptFile)}`;
        const p = await at.send({ cmd: o.profile.prompt.play.replace('{file}', file), timeoutMs: o.commandTimeoutMs });
        if (p.ok) {
          promptPlayed = true;
          // Called off mid-prompt: the prompt stops and the call is hung up; it was answered all the same.
          const why = await wait(o.promptMs, opts.signal);
          if (!why || why === 'cancelled') await at.send({ cmd: o.profile.prompt.stop, timeoutMs: o.commandTimeoutMs });
          else return { ok: true, answered, promptPlayed };
        } else {
          o.log.warn({ modem: o.path, file, result: p.kind }, 'the modem did not play the prompt; hanging up');
        }
      }
      await hangUp();
      return { ok: true, answered, promptPlayed };
    } finally {
      outgoing = false;
      ended = null;
    }
  }

  const endedEarly = (why: CallEnd, where: string): ChannelResult<CallMade> =>
    why === 'BUSY' ? { ok: false, code: 'busy', detail: `${where}: BUSY` }
      : why === 'NO DIALTONE' ? { ok: false, code: 'no_network', detail: `${where}: NO DIALTONE` }
        : { ok: false, code: 'no_answer', detail: `${where}: ${why} before the call was answered` };

  const surfaceRing = (from: string | null): void => {
    st.rings++;
    core.emit({ kind: 'ring', from, at: o.now() });
    // Reject it: the hub has nobody to put on the line, and the ladder's next call needs it free.
    if (!outgoing) void hangUp();
  };

  return {
    call(to: string, opts: CallOptions): Promise<ChannelResult<CallMade>> {
      // One call at a time: a second waits for the first (the module has one voice line for us).
      const r = queue.then(() => dial(to, opts));
      queue = r.catch(() => undefined);
      return r;
    },
    onUrc(u: Urc): void {
      if (u.type === 'call-end') { ended?.(u.reason); if (incoming?.timer) clearTimeout(incoming.timer); incoming = null; return; }
      const now = performance.now();
      if (incoming && now - incoming.lastRing > RING_GAP_MS) incoming = null;
      if (u.type === 'ring') {
        if (outgoing) return; // a waiting call during ours: not a contact's answer to an SMS
        if (incoming) { incoming.lastRing = now; return; }
        const inc = { clip: false, lastRing: now, timer: null as NodeJS.Timeout | null };
        inc.timer = setTimeout(() => { inc.timer = null; if (!inc.clip) { inc.clip = true; surfaceRing(null); } }, CLIP_WAIT_MS);
        incoming = inc;
        return;
      }
      if (u.type === 'clip' && incoming && !incoming.clip) {
        incoming.clip = true;
        if (incoming.timer) clearTimeout(incoming.timer);
        incoming.timer = null;
        surfaceRing(u.number);
      }
    },
    stop(): void {
      for (const t of timers) clearTimeout(t);
      if (incoming?.timer) clearTimeout(incoming.timer);
      ended?.('NO CARRIER');
    },
  };
}

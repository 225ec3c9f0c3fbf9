import type { CallMade, ChannelResult, ContactChannel, ChannelStatus, InboundMessage, SmsSent } from '../../src/escalation/contact-channel.js';

/**
 * An in-memory ContactChannel (src/escalation/contact-channel.ts) for tests of the escalation ladder:
 * it records every SMS and call, answers each with what the test scripted (default: sent, not
 * answered), lets a call hang until the test finishes it, and delivers replies and rings from a
 * "contact". The modem's own tests run the real channel against a fake modem on a pty.
 */
export interface MemoryChannel {
  readonly channel: ContactChannel;
  readonly sms: Array<{ to: string; text: string }>;
  readonly calls: Array<{ to: string; promptFile: string | undefined; ringSeconds: number; finish(r?: ChannelResult<CallMade>): void }>;
  /** Scripted results for the next SMS sends, in order; then `{ ok: true }`. */
  readonly smsResults: Array<ChannelResult<SmsSent>>;
  /** Calls wait for `finish()` (true) or end at once, unanswered (false). */
  holdCalls: boolean;
  reply(from: string, text: string): void;
  ring(from: string): void;
}

export function createMemoryChannel(): MemoryChannel {
  const handlers = new Set<(m: InboundMessage) => void>();
  const emit = (m: InboundMessage) => { for (const h of handlers) h(m); };
  let ref = 0;
  const m: MemoryChannel = {
    sms: [],
    calls: [],
    smsResults: [],
    holdCalls: false,
    channel: {
      sendSms(to, text) {
        m.sms.push({ to, text });
        const r = m.smsResults.shift() ?? { ok: true as const, refs: [++ref], parts: 1 };
        return Promise.resolve(r);
      },
      call(to, opts) {
        return new Promise((resolve) => {
          const finish = (r: ChannelResult<CallMade> = { ok: true, answered: false, promptPlayed: opts.promptFile !== undefined }) => resolve(r);
          m.calls.push({ to, promptFile: opts.promptFile, ringSeconds: opts.ringSeconds, finish });
          if (!m.holdCalls) finish();
        });
      },
      status: (): ChannelStatus => ({ state: 'ready', rssiDbm: -71, operator: 'TEST', detail: 'in-memory channel' }),
      onInbound(h) {
        handlers.add(h);
        return () => handlers.delete(h);
      },
    },
    reply: (from, text) => emit({ kind: 'sms', from, text, at: Date.now() }),
    ring: (from) => emit({ kind: 'ring', from, at: Date.now() }),
  };
  return m;
}

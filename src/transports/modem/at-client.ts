import { classifyLine, createAtFramer, type CallEnd, type ClassifyOptions, type FinalResult, type FramerStats, type Urc } from './at-lines.js';

/**
 * One AT command at a time over a byte link (V.250 §5.1: a new command line only after the final
 * result of the last): a queue, a timeout per command, the `> ` prompt of AT+CMGS answered with the
 * PDU and Ctrl-Z, and URCs, which may come between any two lines, handed to `onUrc`. The link itself
 * (open, lost, reopen) is the modem's business (modem.ts); the client is told `reset(why)` when the
 * link goes, and fails what was queued with `closed`.
 */

export type AtOutcome =
  | { readonly ok: true; readonly lines: readonly string[] }
  | { readonly ok: false; readonly kind: 'final'; readonly result: FinalResult; readonly lines: readonly string[] }
  /** ATD ended with NO CARRIER / BUSY / NO ANSWER / NO DIALTONE instead of OK. */
  | { readonly ok: false; readonly kind: 'call-end'; readonly reason: CallEnd; readonly lines: readonly string[] }
  | { readonly ok: false; readonly kind: 'timeout' | 'closed'; readonly lines: readonly string[] };

export interface AtCommand {
  /** The command without the trailing CR, e.g. `AT+CSQ`. */
  readonly cmd: string;
  readonly timeoutMs: number;
  /** Written after the `> ` prompt, followed by Ctrl-Z (AT+CMGS in PDU mode). */
  readonly data?: string;
  /** A line with this prefix answers this command even when it also is a URC prefix (+CREG: to AT+CREG?). */
  readonly expect?: string;
  /** ATD: NO CARRIER, BUSY, NO ANSWER are this command's final result, not URCs. */
  readonly dial?: boolean;
}

export interface AtClientStats extends FramerStats {
  commands: number;
  timeouts: number;
  /** Consecutive timeouts: a module that stopped answering (modem.ts reopens the port after a few). */
  timeoutsInARow: number;
  /** Lines nobody asked for that are no known URC: counted, ignored. */
  strayLines: number;
  urcs: number;
}

export interface AtClient {
  send(c: AtCommand): Promise<AtOutcome>;
  /** Bytes from the modem. */
  feed(chunk: Uint8Array): void;
  /** The link went away (or came back): fails the running and queued commands with `closed`. */
  reset(): void;
  stats(): Readonly<AtClientStats>;
}

const CTRL_Z = '\x1a';
const ESC = '\x1b';

interface Running { readonly c: AtCommand; readonly lines: string[]; readonly done: (o: AtOutcome) => void; timer: NodeJS.Timeout | null; promptAnswered: boolean }

export function createAtClient(o: { write: (text: string) => void; onUrc: (urc: Urc, pdu?: string) => void; classify: ClassifyOptions }): AtClient {
  const framer = createAtFramer();
  const st = { commands: 0, timeouts: 0, timeoutsInARow: 0, strayLines: 0, urcs: 0 };
  const queue: Array<{ c: AtCommand; done: (o: AtOutcome) => void }> = [];
  let running: Running | null = null;
  /** +CDS: <length> came; its PDU is the next line. */
  let cdsPending: Urc | null = null;

  const finish = (out: AtOutcome): void => {
    const r = running;
    if (!r) return;
    if (r.timer) clearTimeout(r.timer);
    running = null;
    r.done(out);
    next();
  };

  const next = (): void => {
    if (running || queue.length === 0) return;
    const q = queue.shift()!;
    const r: Running = { c: q.c, lines: [], done: q.done, timer: null, promptAnswered: false };
    running = r;
    st.commands++;
    r.timer = setTimeout(() => {
      st.timeouts++;
      st.timeoutsInARow++;
      // A module still waiting for PDU text would take our next command as text: ESC cancels it (TS 27.005 §3.5.1).
      if (r.c.data !== undefined) o.write(ESC);
      finish({ ok: false, kind: 'timeout', lines: r.lines });
    }, q.c.timeoutMs);
    o.write(`${q.c.cmd}\r`);
  };

  const onLine = (text: string): void => {
    if (cdsPending) { const u = cdsPending; cdsPending = null; st.urcs++; o.onUrc(u, text); return; }
    const r = running;
    // Echo (ATE1, or a module that just rebooted into its default): a command line coming back. No
    // result or URC starts with AT, so every such line is one.
    if (/^AT/i.test(text)) return;
    if (r?.c.expect && text.toUpperCase().startsWith(r.c.expect)) { r.lines.push(text); return; }
    const k = classifyLine(text, o.classify);
    if (k.kind === 'final') {
      if (!r) { st.strayLines++; return; }
      st.timeoutsInARow = 0;
      finish(k.result.kind === 'ok' ? { ok: true, lines: r.lines } : { ok: false, kind: 'final', result: k.result, lines: r.lines });
      return;
    }
    if (k.kind === 'urc') {
      if (k.urc.type === 'call-end' && r?.c.dial) { st.timeoutsInARow = 0; finish({ ok: false, kind: 'call-end', reason: k.urc.reason, lines: r.lines }); return; }
      if (k.urc.type === 'cds') { cdsPending = k.urc; return; }
      st.urcs++;
      o.onUrc(k.urc);
      return;
    }
    if (r) r.lines.push(text);
    else st.strayLines++;
  };

  return {
    send(c) {
      return new Promise((done) => { queue.push({ c, done }); next(); });
    },
    feed(chunk) {
      for (const t of framer.push(chunk)) {
        if (t.kind === 'prompt') {
          const r = running;
          if (r && r.c.data !== undefined && !r.promptAnswered) { r.promptAnswered = true; o.write(r.c.data + CTRL_Z); }
          else st.strayLines++;
          continue;
        }
        try { onLine(t.text); } catch { st.strayLines++; } // a URC handler bug must not stop the reader
      }
    },
    reset() {
      framer.reset();
      cdsPending = null;
      const waiting = queue.splice(0);
      if (running) finish({ ok: false, kind: 'closed', lines: running.lines });
      for (const w of waiting) w.done({ ok: false, kind: 'closed', lines: [] });
      queue.length = 0;
    },
    stats: () => ({ ...st, ...framer.stats() }),
  };
}

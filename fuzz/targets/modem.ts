import fc from 'fast-check';
import { createAtClient } from '../../src/transports/modem/at-client.js';
import { atParams, classifyLine, createAtFramer, csqToDbm, MAX_LINE, type AtToken } from '../../src/transports/modem/at-lines.js';
import { createReassembler, MAX_OPEN, MISSING_PART } from '../../src/transports/modem/concat.js';
import { decodePdu } from '../../src/transports/modem/pdu.js';
import { check, type FuzzTarget } from '../target.js';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** SMS PDUs from the modem (+CMGL/+CMT/+CDS lines): a delivered SMS or a status report comes from the network. */
export const modemPdu: FuzzTarget = {
  name: 'modem-sms-pdu',
  covers: ['src/transports/modem/pdu.ts decodePdu', 'src/transports/modem/gsm7.ts', 'src/transports/modem/pdu-address.ts'],
  holds: 'any text or bytes as a PDU in hex: never throws; a decoded PDU or a reason',
  property: () => fc.property(
    fc.oneof(
      fc.uint8Array({ maxLength: 180 }).map(toHex),
      // A plausible start: no SMSC, then SMS-DELIVER (0x04) or SMS-STATUS-REPORT (0x06) first octets.
      fc.tuple(fc.constantFrom('00', '07911326040000F0'), fc.constantFrom(0x04, 0x06, 0x44, 0x24), fc.uint8Array({ maxLength: 170 })).map(([smsc, fo, rest]) => `${smsc}${toHex(Uint8Array.of(fo))}${toHex(rest)}`),
      fc.string({ maxLength: 60 }),
    ),
    (hex) => {
      const r = decodePdu(hex);
      check(r.ok ? typeof r.pdu === 'object' && r.pdu !== null : typeof r.error === 'string' && r.error.length > 0, `result ${JSON.stringify(r)}`);
    },
  ),
};

/** Lines a modem sends (TS 27.007, 27.005, V.250), well formed; the generator mixes them with noise. */
const atLine = fc.oneof(
  fc.constantFrom('OK', 'ERROR', 'RING', 'NO CARRIER', 'BUSY', 'RDY', '+CPIN: READY', 'SMS DONE', '> '),
  fc.tuple(fc.constantFrom('SM', 'ME', 'MT'), fc.nat(999)).map(([m, i]) => `+CMTI: "${m}",${i}`),
  fc.tuple(fc.constantFrom('+CME ERROR', '+CMS ERROR'), fc.nat(999)).map(([p, c]) => `${p}: ${c}`),
  fc.tuple(fc.constantFrom('+CREG', '+CEREG'), fc.integer({ min: 0, max: 5 })).map(([p, s]) => `${p}: ${s},"00AB","0123ABCD",7`),
  fc.nat(200).map((n) => `+CDS: ${n}`),
  fc.uint8Array({ maxLength: 120 }).map((b) => toHex(b)), // a PDU line
  fc.string({ maxLength: 80 }),
);

const PRINTABLE = (b: number) => b >= 0x20 && b <= 0x7e;
const toBytes = (s: string) => Buffer.from(s, 'latin1');

/** Bytes from the modem's UART: lines with CR LF (or either alone), noise, a line over MAX_LINE, cut at any read boundary. */
export const modemAtLines: FuzzTarget = {
  name: 'modem-at-lines',
  covers: ['src/transports/modem/at-lines.ts createAtFramer, classifyLine, atParams, csqToDbm'],
  holds: 'the same tokens however the bytes are cut into reads; every token a trimmed, printable, non-empty line of at most MAX_LINE characters or the "> " prompt; garbage counted byte for byte; known lines classified as the spec says',
  property: () => fc.property(
    fc.array(fc.oneof(
      fc.tuple(atLine, fc.constantFrom('\r\n', '\r', '\n', '\r\n\r\n')).map(([l, end]) => toBytes(l === '> ' ? l : l + end)),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      fc.integer({ min: MAX_LINE - 2, max: MAX_LINE + 40 }).map((n) => toBytes(`${'A'.repeat(n)}\r\n`)),
    ), { maxLength: 30 }),
    fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
    (parts, cuts) => {
      const all = Buffer.concat(parts);
      const whole = createAtFramer();
      const once = whole.push(all);
      const cutFramer = createAtFramer();
      const pieces: AtToken[] = [];
      for (let at = 0, i = 0; at < all.length; i++) {
        const n = cuts[i % cuts.length]!;
        pieces.push(...cutFramer.push(all.subarray(at, at + n)));
        at += n;
      }
      check(JSON.stringify(pieces) === JSON.stringify(once), `tokens depend on the read boundaries: ${JSON.stringify(pieces).slice(0, 200)} vs ${JSON.stringify(once).slice(0, 200)}`);
      const garbage = [...all].filter((b) => !PRINTABLE(b) && b !== 0x0d && b !== 0x0a).length;
      check(whole.stats().garbageBytes === garbage && cutFramer.stats().garbageBytes === garbage, `garbage ${whole.stats().garbageBytes} counted, ${garbage} sent`);
      const opts = { bootUrcs: ['RDY'], otherUrcs: ['SMS DONE', '+QIND'] };
      for (const tok of once) {
        if (tok.kind === 'prompt') continue;
        const t = tok.text;
        check(t.length > 0 && t.length <= MAX_LINE && t === t.trim() && [...toBytes(t)].every(PRINTABLE), `bad line ${JSON.stringify(t.slice(0, 80))}`);
        const c = classifyLine(t, opts);
        check(c.kind === 'final' || c.kind === 'urc' || c.kind === 'info', `classified ${JSON.stringify(c)}`);
        if (c.kind === 'urc' && (c.urc.type === 'cmti' || c.urc.type === 'cdsi')) check(Number.isInteger(c.urc.index), `index ${c.urc.index}`);
        if (c.kind === 'urc' && c.urc.type === 'cds') check(Number.isInteger(c.urc.length), `length ${c.urc.length}`);
        const dbm = csqToDbm(t);
        check(dbm === null || (dbm >= -113 && dbm <= -51 && Math.abs(dbm) % 2 === 1), `dBm ${dbm}`);
        void atParams(t);
      }
      // What the spec says a well-formed line is, whatever came around it.
      for (const [line, want] of [['OK', 'final'], ['+CMTI: "SM",12', 'urc'], ['+CME ERROR: 10', 'final'], ['NO CARRIER', 'urc']] as const) {
        check(classifyLine(line, opts).kind === want, `${line} not ${want}`);
      }
    },
  ),
};

/**
 * Parts of concatenated SMS as the network may deliver them (TS 23.040 §9.2.3.24.1; decodePdu has
 * checked 1 <= seq <= total): any order, repeats, parts that never come, many senders at once.
 */
export const modemConcat: FuzzTarget = {
  name: 'modem-sms-concat',
  covers: ['src/transports/modem/concat.ts createReassembler'],
  holds: 'never more than MAX_OPEN messages open; every part offered comes out exactly once, in a complete message with all its parts in order or an expired one with the gaps marked; a single SMS passes at once',
  property: () => fc.property(
    fc.array(fc.record({
      from: fc.constantFrom('+8613800000001', '+8613800000002', '10086'),
      ref: fc.integer({ min: 0, max: 40 }),
      total: fc.integer({ min: 1, max: 4 }),
      seq: fc.integer({ min: 1, max: 4 }),
      whole: fc.boolean(),
      dt: fc.integer({ min: 0, max: 90_000 }),
    }), { maxLength: 120 }),
    (offers) => {
      const WAIT = 120_000;
      const r = createReassembler(WAIT);
      const out: Array<{ from: string; text: string; complete: boolean }> = [];
      let now = 0;
      let n = 0;
      const offered: Array<{ text: string; slot: string | null }> = [];
      for (const o of offers) {
        now += o.dt;
        const seq = Math.min(o.seq, o.total);
        const text = `<${n++}>`;
        const concat = o.whole ? null : { ref: o.ref, total: o.total, seq };
        const got = r.offer(o.from, text, concat, now);
        if (concat === null || concat.total === 1) check(got !== null && got.complete && got.text === text, `a single SMS not passed at once: ${JSON.stringify(got)}`);
        if (got) out.push(got);
        out.push(...r.expire(now));
        offered.push({ text, slot: concat && concat.total > 1 ? `${o.from}/${o.ref}/${o.total}/${seq}` : null });
        check(r.pending <= MAX_OPEN, `${r.pending} open`);
      }
      out.push(...r.expire(Number.MAX_SAFE_INTEGER));
      check(r.pending === 0, `${r.pending} still open after every wait`);
      for (const m of out) check(m.complete === !m.text.includes(MISSING_PART), `complete ${m.complete} but ${m.text}`);
      // A repeated part replaces the earlier copy (the network resent it): each text at most once, and
      // every part that was not replaced comes out.
      const seen = out.flatMap((m) => m.text.match(/<\d+>/g) ?? []);
      check(new Set(seen).size === seen.length, `a part came out twice: ${seen.join('')}`);
      check(seen.every((t) => offered.some((o) => o.text === t)), 'a part nobody offered');
      offered.forEach((o, i) => {
        if (seen.includes(o.text)) return;
        check(o.slot !== null && offered.slice(i + 1).some((later) => later.slot === o.slot), `part ${o.text} (${o.slot}) lost, and no later copy of it replaced it`);
      });
    },
  ),
};

/** A command the simulated modem answers: its information lines, then its final result. */
interface Exchange { info: string[]; final: 'OK' | 'ERROR' | '+CME ERROR: 10' | '+CMS ERROR: 500' }

/** URCs a module sends whenever it likes (TS 27.007 §4.1), between any two lines of an answer. */
const URC_LINES = ['RING', '+CMTI: "SM",3', '+CREG: 1', '+CEREG: 5,"00AB","0123ABCD",7', 'RDY', '+CDS: 25'];
const CDS_PDU = '0006D60B911326880736F4111011719551401110117195714000';

/**
 * The AT client against a simulated module: any number of commands queued at once, each answered with
 * information lines and a final result, URCs (and a +CDS with its PDU on the next line) slipped in
 * between any two lines, the bytes cut into reads of any size. Synchronous: the module answers a
 * command only after the client wrote it, as a real one does.
 */
export const modemAtClient: FuzzTarget = {
  name: 'modem-at-client',
  covers: ['src/transports/modem/at-client.ts createAtClient'],
  holds: 'each command gets exactly its own information lines and final result, in order; every URC reaches onUrc once, in order (a +CDS with its PDU); no line is stray; nothing waits on a timer',
  quickRuns: 300,
  property: () => fc.asyncProperty(
    fc.array(fc.record({
      info: fc.array(fc.oneof(fc.nat(31).map((n) => `+CSQ: ${n},99`), fc.uint8Array({ minLength: 1, maxLength: 40 }).map(toHex), fc.constantFrom('SIMCOM_SIM7600G', '861234567890123')), { maxLength: 4 }),
      final: fc.constantFrom<Exchange['final']>('OK', 'ERROR', '+CME ERROR: 10', '+CMS ERROR: 500'),
    }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 12 }),
    fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 10 }),
    async (exchanges: Exchange[], urcAt: number[], cuts: number[]) => {
      const written: string[] = [];
      const urcs: Array<{ type: string; pdu?: string }> = [];
      const client = createAtClient({ write: (t) => written.push(t), onUrc: (u, pdu) => urcs.push({ type: u.type, ...(pdu ? { pdu } : {}) }), classify: { bootUrcs: ['RDY'], otherUrcs: [] } });
      // Where each URC goes: after line k of the whole conversation (all answers, in order).
      const answerLines = exchanges.flatMap((e) => [...e.info, e.final]);
      const slots = urcAt.map((n, i) => ({ after: n % (answerLines.length + 1), line: URC_LINES[(n + i) % URC_LINES.length]! })).sort((a, b) => a.after - b.after);
      const expectedUrcs = slots.map((s) => (s.line.startsWith('+CDS') ? { type: 'cds', pdu: CDS_PDU } : { type: s.line === 'RING' ? 'ring' : s.line === 'RDY' ? 'boot' : s.line.startsWith('+CMTI') ? 'cmti' : 'reg' }));
      const outcomes = exchanges.map((e, i) => client.send({ cmd: `AT+X${i}`, timeoutMs: 600_000 }));
      let lineNo = 0;
      let cut = 0;
      const say = (lines: string[]) => {
        const bytes = toBytes(lines.map((l) => `\r\n${l}\r\n`).join(''));
        for (let at = 0; at < bytes.length; at += cuts[cut++ % cuts.length]!) client.feed(bytes.subarray(at, at + cuts[cut % cuts.length]!));
      };
      const urcsAfter = (k: number) => slots.filter((s) => s.after === k).flatMap((s) => (s.line.startsWith('+CDS') ? [s.line, CDS_PDU] : [s.line]));
      say(urcsAfter(0)); // before anything was answered
      for (const [i, e] of exchanges.entries()) {
        check(written.length === i + 1 && written[i] === `AT+X${i}\r`, `command ${i} not written alone, in turn: ${JSON.stringify(written)}`);
        for (const line of [...e.info, e.final]) say([line, ...urcsAfter(++lineNo)]);
      }
      const got = await Promise.all(outcomes);
      got.forEach((o, i) => {
        const e = exchanges[i]!;
        check(JSON.stringify(o.lines) === JSON.stringify(e.info), `command ${i}: lines ${JSON.stringify(o.lines)}, sent ${JSON.stringify(e.info)}`);
        check(o.ok === (e.final === 'OK') && (o.ok || o.kind === 'final'), `command ${i}: ${JSON.stringify(o)} for ${e.final}`);
      });
      check(JSON.stringify(urcs) === JSON.stringify(expectedUrcs), `URCs ${JSON.stringify(urcs)}, sent ${JSON.stringify(expectedUrcs)}`);
      check(client.stats().strayLines === 0 && client.stats().timeouts === 0, `stats ${JSON.stringify(client.stats())}`);
      client.reset();
    },
  ),
};

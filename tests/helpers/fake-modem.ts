import { SerialPort } from 'serialport';
import { createPtyPair, type PtyPair } from './pty.js';
import { waitFor } from './wait.js';

/**
 * A cellular modem on a real serial line (a socat pty pair, helpers/pty.ts), written for the tests
 * from ITU-T V.250 and 3GPP TS 27.007 / TS 27.005, not from the hub's client: command lines ending
 * in CR, results framed by CR LF, verbose codes (OK, ERROR, +CME ERROR: <n>, +CMS ERROR: <n>), echo
 * per ATE, the "> " prompt of AT+CMGS in PDU mode ending with Ctrl-Z (ESC cancels), +CMGS: <mr>,
 * stored messages for +CMGR/+CMGL/+CMGD, +CMTI / +CDS / RING / +CLIP / +CREG URCs, calls with +CLCC.
 *
 * Scriptable: `set()` changes its state (SIM, registration, an error for the next AT+CMGS, how calls
 * go); `deliver()`, `statusReport()`, `ring()`, `endCall()`, `reboot()`, `urc()`, `garbage()` make it speak.
 * It records every command line (`commands`), every SMS PDU (`pdus`), every call and played prompt.
 */

export interface FakeModemState {
  /** ATE: echo command lines back (the default after power-on). */
  echo: boolean;
  /** AT+CMEE: 1 numeric +CME ERROR codes, 0 plain ERROR (the default after power-on). */
  cmee: 0 | 1;
  sim: 'ready' | 'missing' | 'pin' | 'puk';
  /** The SIM's PIN; three wrong tries make the SIM ask for the PUK. */
  pin: string;
  pinTriesLeft: number;
  /** <stat> of +CREG and +CEREG (TS 27.007 §7.2): 0 not searching, 1 home, 2 searching, 3 denied, 5 roaming. */
  creg: number;
  cereg: number;
  /** +CSQ <rssi>: 0-31, 99 unknown. */
  csq: number;
  operator: string;
  /** +CMS ERROR code for the next AT+CMGS (then cleared), or null. */
  cmgsError: number | null;
  nextMr: number;
  /** How the next dialled call goes: answered after a ring, busy, not answered (rings until hung up). */
  call: 'answer' | 'busy' | 'ring';
  /** Stops answering anything (a hung module). */
  silent: boolean;
}

export interface FakeModem {
  readonly pty: PtyPair;
  readonly state: FakeModemState;
  /** Every command line received (without CR), in order. */
  readonly commands: string[];
  /** Every SMS PDU taken after the prompt: the AT+CMGS length and the hex. */
  readonly pdus: Array<{ length: number; hex: string; mr: number }>;
  readonly dialled: string[];
  readonly played: string[];
  /** Messages on the "SIM" (index -> PDU), as +CMGR would read them. */
  readonly stored: Map<number, string>;
  set(s: Partial<FakeModemState>): void;
  /** An SMS-DELIVER arrives: stored, then +CMTI: "SM",<index> (TS 27.005 §3.4.1, <mt>=1). */
  deliver(pduHex: string): number;
  /** A status report for `mr` to `to` (TS 23.040 §9.2.2.3), as +CDS (<ds>=1). */
  statusReport(mr: number, to: string, status: number): void;
  /** An incoming call: RING and +CLIP (TS 27.007 §7.6), `times` rings. */
  ring(from: string | null): void;
  /**
   * The network ends our ringing call unanswered: the call goes, and the module says why (V.250
   * §6.3.1 result codes, unsolicited after ATD...; of a voice call).
   */
  endCall(result?: 'NO ANSWER' | 'NO CARRIER'): void;
  /** Power-cycles the module: state back to power-on defaults (echo on, SIM and registration kept), then RDY. */
  reboot(): void;
  urc(line: string): void;
  garbage(bytes: Uint8Array): void;
  unplug(): Promise<void>;
  plug(): Promise<void>;
  stop(): Promise<void>;
}

const semi = (d: string): string => {
  const s = d.length % 2 ? `${d}F` : d;
  let out = '';
  for (let i = 0; i < s.length; i += 2) out += s[i + 1]! + s[i]!;
  return out;
};
const hex2 = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();
/** A TP-SCTS of 2026-12-07 18:00:00 +08:00 (semi-octets, TS 23.040 §9.2.3.11). */
const SCTS = '62217081000023';

export async function createFakeModem(dir: string, name = 'modem'): Promise<FakeModem> {
  const pty = await createPtyPair(dir, name);
  const initial: FakeModemState = { echo: true, cmee: 0, sim: 'ready', pin: '1234', pinTriesLeft: 3, creg: 1, cereg: 1, csq: 20, operator: 'CHINA MOBILE', cmgsError: null, nextMr: 1, call: 'answer', silent: false };
  const state: FakeModemState = { ...initial };
  const commands: string[] = [];
  const pdus: FakeModem['pdus'] = [];
  const dialled: string[] = [];
  const played: string[] = [];
  const stored = new Map<number, string>();
  let port: SerialPort | null = null;
  let buf = '';
  let pduFor: number | null = null; // AT+CMGS=<length> waiting for its PDU
  let callStat: number | null = null; // +CLCC <stat> of the one call, or null
  let callTimer: NodeJS.Timeout | null = null;

  const raw = (s: string | Uint8Array): void => { if (port?.isOpen) port.write(s); };
  const line = (s: string): void => raw(`\r\n${s}\r\n`);
  const ok = (): void => line('OK');
  const cme = (n: number): void => line(state.cmee ? `+CME ERROR: ${n}` : 'ERROR');
  const cms = (n: number): void => line(`+CMS ERROR: ${n}`);
  const registered = (): boolean => [1, 5].includes(state.creg) || [1, 5].includes(state.cereg);
  const simGate = (): boolean => {
    if (state.sim === 'ready') return true;
    cme(state.sim === 'missing' ? 10 : state.sim === 'pin' ? 11 : 12);
    return false;
  };
  const endCall = (): void => { if (callTimer) clearTimeout(callTimer); callTimer = null; callStat = null; };

  function command(cmdLine: string): void {
    commands.push(cmdLine);
    if (state.silent) return;
    if (state.echo) raw(`${cmdLine}\r`);
    const c = cmdLine.toUpperCase();
    let m: RegExpMatchArray | null;
    if (c === 'AT') return ok();
    if ((m = /^ATE([01])$/.exec(c))) { state.echo = m[1] === '1'; return ok(); }
    if ((m = /^AT\+CMEE=([012])$/.exec(c))) { state.cmee = m[1] === '0' ? 0 : 1; return ok(); }
    if (c === 'AT+CPIN?') {
      if (state.sim === 'missing') return cme(10);
      line(`+CPIN: ${state.sim === 'ready' ? 'READY' : state.sim === 'pin' ? 'SIM PIN' : 'SIM PUK'}`);
      return ok();
    }
    if ((m = /^AT\+CPIN="?([0-9]+)"?$/.exec(c))) {
      if (state.sim !== 'pin') return cme(3);
      if (m[1] === state.pin) { state.sim = 'ready'; return ok(); }
      if (--state.pinTriesLeft <= 0) state.sim = 'puk';
      return cme(16);
    }
    if (/^AT\+(CMGF=0|CNMI=[0-9,]+|CREG=[012]|CEREG=[0-5]|CLIP=[01]|CPMS=.*)$/.test(c)) return simGate() ? ok() : undefined;
    if (c === 'AT+CREG?' || c === 'AT+CEREG?') {
      const which = c === 'AT+CREG?' ? 'CREG' : 'CEREG';
      line(`+${which}: 1,${which === 'CREG' ? state.creg : state.cereg}`);
      return ok();
    }
    if (c === 'AT+CSQ') { line(`+CSQ: ${state.csq},99`); return ok(); }
    if (c === 'AT+COPS?') { line(registered() ? `+COPS: 0,0,"${state.operator}",7` : '+COPS: 0'); return ok(); }
    if ((m = /^AT\+CMGS=(\d+)$/.exec(c))) {
      if (state.sim !== 'ready') return cms(state.sim === 'missing' ? 310 : 311);
      pduFor = Number(m[1]);
      raw('\r\n> ');
      return;
    }
    if ((m = /^AT\+CMGR=(\d+)$/.exec(c))) {
      const pdu = stored.get(Number(m[1]));
      if (pdu === undefined) return cms(321);
      line(`+CMGR: 0,,${pdu.length / 2 - 1 - parseInt(pdu.slice(0, 2), 16)}`);
      raw(`${pdu}\r\n`);
      return ok();
    }
    if ((m = /^AT\+CMGD=(\d+)$/.exec(c))) { stored.delete(Number(m[1])); return ok(); }
    if (c === 'AT+CMGL=4') {
      for (const [i, pdu] of stored) { line(`+CMGL: ${i},0,,${pdu.length / 2 - 1 - parseInt(pdu.slice(0, 2), 16)}`); raw(`${pdu}\r\n`); }
      return ok();
    }
    if ((m = /^ATD([+0-9*#]+);$/.exec(c))) {
      if (!simGate()) return;
      if (!registered()) return line('NO CARRIER');
      dialled.push(m[1]!);
      if (state.call === 'busy') return line('BUSY');
      callStat = 2;
      ok();
      callTimer = setTimeout(() => { callStat = 3; if (state.call === 'answer') callTimer = setTimeout(() => { callStat = 0; }, 300); }, 200);
      return;
    }
    if (c === 'AT+CLCC') {
      if (callStat !== null) line(`+CLCC: 1,0,${callStat},0,0,"${dialled.at(-1)}",145`);
      return ok();
    }
    if (c === 'ATH' || c === 'AT+CHUP') { endCall(); return ok(); }
    if ((m = /^AT\+QPSND=1,"([^"]+)",0$/i.exec(cmdLine)) || (m = /^AT\+CCMXPLAYWAV="([^"]+)",1$/i.exec(cmdLine))) {
      if (callStat !== 0) return cme(3);
      played.push(m[1]!);
      return ok();
    }
    if (c === 'AT+QPSND=0' || c === 'AT+CCMXSTOPWAV') return ok();
    line('ERROR');
  }

  function takePdu(text: string, cancelled: boolean): void {
    const length = pduFor!;
    pduFor = null;
    if (cancelled) return ok(); // ESC: "sending is cancelled" (TS 27.005 §3.5.1), answered OK
    const hex = text.trim();
    const smscOctets = parseInt(hex.slice(0, 2), 16) + 1;
    if (!/^([0-9A-F]{2})+$/i.test(hex) || hex.length / 2 - smscOctets !== length) return cms(304);
    if (state.cmgsError !== null) { const e = state.cmgsError; state.cmgsError = null; return cms(e); }
    if (!registered()) return cms(331);
    const mr = state.nextMr;
    state.nextMr = (state.nextMr + 1) & 0xff;
    pdus.push({ length, hex, mr });
    line(`+CMGS: ${mr}`);
    ok();
  }

  function onData(chunk: Buffer): void {
    for (const ch of chunk.toString('latin1')) {
      if (pduFor !== null) {
        if (ch === '\x1a' || ch === '\x1b') { const t = buf; buf = ''; takePdu(t, ch === '\x1b'); continue; }
        buf += ch;
        continue;
      }
      if (ch === '\r') { const t = buf.trim(); buf = ''; if (/^AT/i.test(t)) command(t); continue; }
      if (ch !== '\n') buf += ch;
    }
  }

  const open = async (): Promise<void> => {
    const p = new SerialPort({ path: pty.simPath, baudRate: 115200, autoOpen: false, lock: false });
    p.on('data', onData);
    p.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(err) : resolve())));
    port = p;
  };
  const close = async (): Promise<void> => {
    const p = port;
    port = null;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  };
  await open();

  let nextIndex = 1;
  return {
    pty, state, commands, pdus, dialled, played, stored,
    set(s) { Object.assign(state, s); },
    deliver(pduHex) {
      const i = nextIndex++;
      stored.set(i, pduHex.toUpperCase());
      line(`+CMTI: "SM",${i}`);
      return i;
    },
    statusReport(mr, to, status) {
      const intl = to.startsWith('+');
      const d = to.replace('+', '');
      const tpdu = `06${hex2(mr)}${hex2(d.length)}${intl ? '91' : '81'}${semi(d)}${SCTS}${SCTS}${hex2(status)}`;
      line(`+CDS: ${tpdu.length / 2}`);
      raw(`00${tpdu}\r\n`);
    },
    ring(from) {
      line('RING');
      line(from === null ? '+CLIP: "",128,,,,1' : `+CLIP: "${from}",${from.startsWith('+') ? 145 : 129},,,,0`);
    },
    endCall(result = 'NO ANSWER') {
      if (callStat === null) throw new Error('fake modem: no call to end');
      endCall();
      line(result);
    },
    reboot() {
      endCall();
      Object.assign(state, { echo: true, cmee: 0 });
      pduFor = null;
      buf = '';
      line('RDY');
    },
    urc: line,
    garbage: raw,
    async unplug() { endCall(); await close(); await pty.unplug(); },
    async plug() { await pty.plug(); await open(); },
    async stop() { endCall(); await close(); await pty.unplug(); },
  };
}

/**
 * An SMS-DELIVER from `from` in UCS-2, written here field by field (TS 23.040 §9.2.2.1), SMSC part
 * empty; with `part`, a concatenated part (UDH IEI 00: reference, total, sequence).
 */
export function deliverPdu(from: string, text: string, part?: { ref: number; total: number; seq: number }): string {
  const d = from.replace('+', '');
  const udh = part ? `050003${hex2(part.ref)}${hex2(part.total)}${hex2(part.seq)}` : '';
  const ud = udh + Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();
  return `00${part ? '44' : '04'}${hex2(d.length)}91${semi(d)}0008${SCTS}${hex2(ud.length / 2)}${ud}`;
}

/** Waits until the fake modem received `n` PDUs in all. */
export const waitForPdus = (m: FakeModem, n: number) => waitFor(`${n} SMS PDU(s) at the fake modem`, () => m.pdus.length >= n, undefined, () => m.commands.slice(-20).join('\n'));

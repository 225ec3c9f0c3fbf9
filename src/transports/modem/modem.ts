import type { ChannelStatus, InboundMessage } from '../../escalation/contact-channel.js';
import { ErrorCodes } from '../../core/errors.js';
import { createLinkSupervisor } from '../link-supervisor.js';
import { createAtClient, type AtOutcome } from './at-client.js';
import { atParams, csqToDbm, prefixOf, registrationStat, type Urc } from './at-lines.js';
import { createCalls } from './modem-call.js';
import { createSms } from './modem-sms.js';
import { channelStatus, initialFacts, simStateOf, type ModemFacts } from './registration.js';
import type { Modem, ModemCore, ModemOptions, ModemPort, ModemStats } from './types.js';

/** Timeouts in a row after which the module counts as gone (hung, or a USB port left behind). */
const UNRESPONSIVE_AFTER = 3;

/**
 * A cellular modem on a serial port as a ContactChannel (src/escalation/contact-channel.ts): keeps
 * the port open through the link supervisor (reopened with src/core/backoff.ts when unplugged or
 * silent), initialises the module (TS 27.007: ATE0, +CMEE=1, +CPIN, +CREG/+CEREG; TS 27.005: +CMGF=0,
 * +CNMI), re-checks SIM, registration, signal and operator every checkIntervalMs, and initialises it
 * again when it reboots. Never throws: every problem is a status and a counted, logged value.
 */
export function createModem(o: ModemOptions): Modem {
  const log = o.log;
  const facts: ModemFacts = initialFacts();
  const handlers = new Set<(m: InboundMessage) => void>();
  let port: ModemPort | null = null;
  let stopped = false;
  let pinTried = false;
  let checking = false;
  /** A restart came while a check ran: initialise again when it is done. */
  let again = false;
  let checkTimer: NodeJS.Timeout | null = null;
  let last: ChannelStatus = channelStatus(facts);
  const sup = createLinkSupervisor({ policy: o.reconnect, attempt: () => openPort(), now: () => performance.now(), stableMs: 60_000 });

  const at = createAtClient({
    write: (t) => { port?.write(t); },
    onUrc: (u, pdu) => onUrc(u, pdu),
    classify: { bootUrcs: o.profile.bootUrcs, otherUrcs: [...o.profile.otherUrcs] },
  });
  const st: ModemStats = {
    path: o.path, model: o.model, open: false, opens: 0, status: last, at: at.stats(), smsSent: 0, smsFailed: 0, smsReceived: 0,
    smsUndecodable: 0, deliveryReports: 0, calls: 0, rings: 0, restarts: 0, retry: sup.status(),
  };

  const changed = (): void => {
    const s = channelStatus(facts);
    st.status = s;
    if (s.state === last.state && s.detail === last.detail && s.operator === last.operator) { last = s; return; }
    const before = last;
    last = s;
    if (s.state !== before.state) log.info({ modem: o.path, state: s.state, was: before.state, detail: s.detail }, 'modem status');
    try { o.onStatus?.(s); } catch (err) { log.error({ err }, 'modem status handler failed'); }
  };

  const lost = (why: string): void => {
    const p = port;
    if (!p && !facts.open) return;
    port = null;
    facts.open = false;
    facts.initialised = false;
    facts.problem = why;
    st.open = false;
    p?.removeAllListeners();
    p?.on('error', () => undefined);
    if (p?.isOpen) p.close(() => undefined);
    at.reset();
    changed();
    if (!stopped) {
      log.warn({ code: ErrorCodes.SERIAL_LOST, path: o.path, err: why }, 'modem lost; reopening');
      sup.failed('lost', why);
    }
  };

  const core: ModemCore = {
    o, at, st,
    emit(m) {
      for (const h of handlers) { try { h(m); } catch (err) { log.error({ err }, 'modem inbound handler failed'); } }
    },
    checkResponsive() {
      if (at.stats().timeoutsInARow >= UNRESPONSIVE_AFTER) { st.restarts++; lost(`no answer to ${UNRESPONSIVE_AFTER} commands in a row`); }
    },
  };
  const sms = createSms(core, () => last, () => facts.initialised);
  const calls = createCalls(core, () => last);

  const cmd = async (c: string, timeoutMs = o.commandTimeoutMs, expect?: string): Promise<AtOutcome> => {
    const r = await at.send({ cmd: c, timeoutMs, ...(expect ? { expect } : {}) });
    core.checkResponsive();
    return r;
  };
  const infoOf = (r: AtOutcome, prefix: string): string | null => {
    const line = r.lines.find((l) => l.toUpperCase().startsWith(prefix));
    return line === undefined ? null : prefixOf(line).rest;
  };

  /**
   * +CPIN?: READY, or the PIN once, or the SIM's problem as status. Returns whether the SIM is ready,
   * or null when the module did not answer (its SIM state is then unknown, not changed).
   */
  async function checkSim(): Promise<boolean | null> {
    const r = await cmd('AT+CPIN?', o.commandTimeoutMs, '+CPIN:');
    if (!r.ok && r.kind !== 'final' && r.kind !== 'call-end') return null;
    if (!r.ok) {
      if (r.kind === 'final' && r.result.kind === 'cme') {
        const code = r.result.code;
        facts.sim = code === 10 ? 'missing' : code === 11 ? 'pin' : code === 12 ? 'puk' : code === 14 ? facts.sim : 'failure';
        facts.simDetail = `+CPIN?: +CME ERROR: ${r.result.text}${code === 10 ? ' (SIM not inserted)' : code === 13 ? ' (SIM failure)' : code === 14 ? ' (SIM busy)' : ''}`;
      } else if (r.kind === 'final') {
        facts.sim = 'failure';
        facts.simDetail = '+CPIN?: ERROR';
      }
      return false;
    }
    const code = infoOf(r, '+CPIN:') ?? '';
    facts.sim = simStateOf(code);
    facts.simDetail = facts.sim === 'ready' ? '' : `+CPIN: ${code}`;
    if (facts.sim === 'pin' && o.pin !== null && !pinTried) {
      pinTried = true; // one try per SIM start: three wrong PINs lock the SIM
      const p = await at.send({ cmd: `AT+CPIN="${o.pin}"`, timeoutMs: o.commandTimeoutMs });
      if (p.ok) { log.info({ modem: o.path }, 'SIM PIN accepted'); return checkSim(); }
      facts.simDetail = `SIM PIN refused (${p.ok === false && p.kind === 'final' && p.result.kind === 'cme' ? `+CME ERROR: ${p.result.text}` : p.kind}); not tried again: check modem.pin`;
      log.error({ code: ErrorCodes.CONFIG_INVALID, modem: o.path }, 'SIM PIN refused; not trying it again until the SIM restarts (check modem.pin)');
    } else if (facts.sim === 'pin') {
      facts.simDetail = o.pin === null ? 'SIM PIN required and modem.pin not set' : 'SIM PIN required; the configured PIN was refused';
    }
    return facts.sim === 'ready';
  }

  /** Registration, signal and operator. */
  async function checkNetwork(): Promise<void> {
    for (const [c, p, k] of [['AT+CREG?', '+CREG:', 'creg'], ['AT+CEREG?', '+CEREG:', 'cereg']] as const) {
      const r = await cmd(c, o.commandTimeoutMs, p);
      const rest = r.ok ? infoOf(r, p) : null;
      facts[k] = rest === null ? null : registrationStat(rest, `${p} ${rest}`);
    }
    const q = await cmd('AT+CSQ', o.commandTimeoutMs, '+CSQ:');
    const csq = q.ok ? infoOf(q, '+CSQ:') : null;
    facts.rssiDbm = csq === null ? null : csqToDbm(csq);
    const c = await cmd('AT+COPS?', o.commandTimeoutMs, '+COPS:');
    const cops = c.ok ? infoOf(c, '+COPS:') : null;
    const name = cops === null ? undefined : atParams(cops)[2];
    facts.operator = name ? name : null;
  }

  /** The start-up sequence, again after a module restart; safe to call while one runs (it waits its turn). */
  async function initialise(): Promise<void> {
    if (checking) { again = true; return; }
    checking = true;
    try {
      facts.initialised = false;
      let alive = false;
      for (let i = 0; i < 3 && !alive && facts.open; i++) alive = (await at.send({ cmd: 'AT', timeoutMs: Math.min(o.commandTimeoutMs, 2000) })).ok;
      if (!facts.open) return;
      if (!alive) { facts.problem = 'no answer to AT'; changed(); core.checkResponsive(); return; }
      for (const c of ['ATE0', 'AT+CMEE=1', ...o.profile.init]) {
        const r = await cmd(c);
        if (!r.ok) log.warn({ modem: o.path, command: c, result: r.kind }, 'modem init command failed; continuing');
      }
      if (!(await checkSim())) { changed(); return; }
      for (const c of ['AT+CMGF=0', 'AT+CNMI=2,1,0,1,0', 'AT+CREG=1', 'AT+CEREG=1', 'AT+CLIP=1']) {
        const r = await cmd(c);
        if (!r.ok && c !== 'AT+CEREG=1') log.warn({ modem: o.path, command: c, result: r.kind }, 'modem init command failed; continuing');
      }
      await checkNetwork();
      facts.initialised = facts.open;
      facts.problem = null;
      changed();
      await sms.readStored();
    } finally {
      done();
    }
  }

  const done = (): void => {
    checking = false;
    if (again && facts.open && !stopped) { again = false; void initialise(); }
  };

  async function supervise(): Promise<void> {
    if (!facts.open || checking) return;
    if (!facts.initialised) { await initialise(); return; }
    checking = true;
    try {
      const sim = await checkSim();
      if (sim) await checkNetwork();
      else if (sim === false) facts.initialised = false; // the SIM went: SMS settings go with it, initialise again when back
      changed();
    } finally {
      done();
    }
    for (const m of sms.expire()) { st.smsReceived++; core.emit(m); }
  }

  function onUrc(u: Urc, pdu?: string): void {
    switch (u.type) {
      case 'boot':
        log.warn({ modem: o.path, urc: u.text }, 'modem restarted; initialising it again');
        st.restarts++;
        facts.initialised = false;
        facts.sim = 'unknown';
        pinTried = false;
        changed();
        void initialise();
        return;
      case 'reg':
        facts[u.which] = u.stat;
        if (facts.initialised) changed();
        return;
      case 'cpin':
        facts.sim = simStateOf(u.state);
        if (facts.sim !== 'ready') { facts.initialised = false; facts.simDetail = `+CPIN: ${u.state}`; }
        changed();
        if (facts.sim === 'ready' && !facts.initialised) void initialise();
        return;
      case 'cmti': case 'cdsi': case 'cds':
        sms.onUrc(u, pdu);
        return;
      case 'ring': case 'clip': case 'call-end': case 'other':
        calls.onUrc(u);
        return;
    }
  }

  function openPort(): void {
    if (stopped) return;
    const p = o.openPort({ path: o.path, baudRate: o.baudRate });
    port = p;
    p.on('error', (err) => lost(err.message));
    p.on('close', (err) => lost(err?.message ?? 'closed'));
    p.on('data', (chunk) => at.feed(chunk));
    p.open((err) => {
      if (stopped) { if (p.isOpen) p.close(); return; }
      if (err) {
        p.removeAllListeners();
        port = null;
        if (facts.problem !== err.message) log.warn({ code: ErrorCodes.SERIAL_OPEN, path: o.path, err: err.message }, 'cannot open the modem port; retrying');
        facts.problem = err.message;
        changed();
        sup.failed('open-failed', err.message);
        return;
      }
      st.opens++;
      st.open = true;
      facts.open = true;
      facts.problem = 'initialising';
      sup.up();
      log.info({ path: o.path, model: o.model }, 'modem port open');
      void initialise();
    });
  }

  return {
    start() {
      openPort();
      checkTimer = setInterval(() => { void supervise(); }, o.checkIntervalMs);
    },
    async stop() {
      stopped = true;
      sup.stop();
      if (checkTimer) clearInterval(checkTimer);
      calls.stop();
      const p = port;
      port = null;
      at.reset();
      if (!p) return;
      p.removeAllListeners();
      p.on('error', () => undefined);
      if (p.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
    stats: () => ({ ...st, at: at.stats(), retry: sup.status() }),
    status: () => last,
    sendSms: (to, text) => sms.send(to, text),
    call: (to, opts) => calls.call(to, opts),
    onInbound(h) { handlers.add(h); return () => { handlers.delete(h); }; },
  };
}

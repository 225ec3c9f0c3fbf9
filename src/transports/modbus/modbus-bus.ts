import { performance } from 'node:perf_hooks';
import { systemClock } from '../../core/clock.js';
import { ErrorCodes } from '../../core/errors.js';
import { createLogLimiter } from '../../core/log-limiter.js';
import { decodeModbusProfile, planReads, type ReadBlock, type RegisterRead } from '../../drivers/modbus-profile/index.js';
import { isNoAnswer, isRetryable, type ModbusLink, type ReadFailure } from './modbus-link.js';
import { nextDueAt, pickDue, pollIntervalAfterFailures, retryDelayMs, rtuInterFrameMs } from './poll-schedule.js';
import { createRtuLink } from './rtu-link.js';
import { createTcpLink } from './tcp-link.js';
import { createLinkSupervisor } from '../link-supervisor.js';
import { modbusDeviceDefaults as D, type ModbusBus, type ModbusBusOptions, type ModbusBusStats, type ModbusDeviceOptions, type ModbusDeviceStats, type ModbusFault, type ModbusLinkSpec } from './types.js';

interface Poll {
  startedAt: number;
  /** Index into the device's read plan of the block being read. */
  block: number;
  /** Retries spent on the current block. */
  attempt: number;
  reads: RegisterRead[];
}

interface Device {
  o: Required<Omit<ModbusDeviceOptions, 'model'>>;
  plan: ReadBlock[];
  dueAt: number;
  lastServedAt: number;
  poll: Poll | null;
  /** Polls in a row that got no answer at all; drives the backoff. */
  noAnswerStreak: number;
  /** Answered polls in a row since the last failure; ends a fault episode at MODBUS_CLEAR_AFTER_GOOD_POLLS. */
  goodStreak: number;
  st: ModbusDeviceStats;
}

const DEFAULT_TCP_PORT = 502;
/**
 * Answered polls in a row that end a fault episode. One good answer between failures on a noisy
 * line is not "good again": without this, a flaky bus raises and clears a fault every other poll
 * (issue 12, finding 13). Three polls are a few seconds at the default 2 s interval.
 */
export const MODBUS_CLEAR_AFTER_GOOD_POLLS = 3;
const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

function makeLink(o: ModbusBusOptions): ModbusLink {
  const s = o.link;
  if (o.createLink) return o.createLink(s);
  if (s.kind === 'rtu') {
    return createRtuLink({ path: s.path, baudRate: s.baudRate, dataBits: s.dataBits ?? 8, parity: s.parity ?? 'none', stopBits: s.stopBits ?? 1 }, o.openRtuPort);
  }
  return createTcpLink({ host: s.host, port: s.port ?? DEFAULT_TCP_PORT, connectTimeoutMs: s.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS });
}

const endpointOf = (s: ModbusLinkSpec): string => (s.kind === 'rtu' ? s.path : `${s.host}:${s.port ?? DEFAULT_TCP_PORT}`);

/** Invalid options are a programmer error (config validation catches them first): fail at start-up. */
function checkDevices(devices: readonly ModbusDeviceOptions[]): void {
  const ids = new Set<string>();
  const units = new Set<number>();
  for (const d of devices) {
    if (ids.has(d.id)) throw new Error(`modbus bus: device id ${d.id} appears twice`);
    if (units.has(d.unitId)) throw new Error(`modbus bus: unit id ${d.unitId} is used by two devices on one bus`);
    if (!Number.isInteger(d.unitId) || d.unitId < 0 || d.unitId > 255) throw new Error(`modbus bus: unit id ${d.unitId} of ${d.id} is not 0-255`);
    for (const k of ['pollIntervalMs', 'timeoutMs', 'maxBackoffMs'] as const) {
      const v = d[k];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new Error(`modbus bus: ${k} of ${d.id} must be a positive number of milliseconds, not ${v}`);
    }
    if (d.retries !== undefined && !(Number.isInteger(d.retries) && d.retries >= 0)) throw new Error(`modbus bus: retries of ${d.id} must be a whole number >= 0`);
    ids.add(d.id);
    units.add(d.unitId);
  }
}

/**
 * One Modbus bus (an RS-485 line or a TCP connection) and the devices on it: polls each device's
 * registers on its own schedule, one request at a time, decodes them with the device's profile and
 * hands the measurements to `onMeasurements`. Never throws into the daemon: a device that does not
 * answer, answers with an exception or garbles its answer becomes a device fault with a stable code
 * (status, `onDeviceFault`), and a port that vanishes is reopened by the link supervisor (full jitter up to `reopenMs`).
 */
export function createModbusBus(o: ModbusBusOptions): ModbusBus {
  checkDevices(o.devices);
  const clock = o.clock ?? systemClock;
  // Scheduling uses a monotonic clock: the wall clock of a hub without RTC jumps when NTP syncs.
  const mono = (): number => performance.now();
  const reopenMs = o.reopenMs ?? 1000;
  const interFrameMs = o.link.kind === 'rtu' ? rtuInterFrameMs(o.link.baudRate) : 0;
  const logBase = { bus: o.id, endpoint: endpointOf(o.link) };

  const devices: Device[] = o.devices.map((d) => {
    const opts = { ...D, ...Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) } as Device['o'] & { model?: string };
    return {
      o: opts,
      plan: planReads(d.profile),
      dueAt: 0,
      lastServedAt: -Infinity,
      poll: null,
      noAnswerStreak: 0,
      goodStreak: 0,
      st: {
        id: d.id, model: d.model ?? null, unitId: d.unitId, state: 'unknown', fault: null,
        requests: 0, responses: 0, timeouts: 0, exceptions: 0, crcErrors: 0, badResponses: 0, retries: 0,
        polls: 0, pollsOk: 0, pollsFailed: 0, consecutiveFailures: 0, currentIntervalMs: opts.pollIntervalMs,
        lastOkAt: null, lastError: null, lastErrorCode: null, lastErrorAt: null,
      },
    };
  });

  const st: Omit<ModbusBusStats, 'devices' | 'crcErrors' | 'garbageBytes' | 'retry'> = {
    id: o.id, kind: o.link.kind, endpoint: endpointOf(o.link), open: false, opens: 0, reconnects: 0,
    requests: 0, responses: 0, timeouts: 0, exceptions: 0, badResponses: 0, handlerErrors: 0, lastError: null, lastErrorAt: null,
  };

  let link: ModbusLink | null = null;
  let started = false;
  let stopped = false;
  let outageLogged = false;
  // The one retry loop (src/transports/link-supervisor.ts), full jitter up to `reopenMs`.
  const sup = createLinkSupervisor({ policy: { minMs: reopenMs, maxMs: reopenMs, jitter: 'full' }, now: mono, attempt: () => { void openLink(); } });
  let loopDone: Promise<void> = Promise.resolve();
  let lastFrameAt = -Infinity;

  // --- sleeping that start/stop/reopen can cut short -------------------------------------------
  let wakeUp: (() => void) | null = null;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const t = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : null;
    function done(): void { if (t) clearTimeout(t); wakeUp = null; resolve(); }
    wakeUp = done;
  });
  const wake = (): void => wakeUp?.();

  // --- device faults ---------------------------------------------------------------------------
  // One event and one warning per episode; a code change within it is only logged, at most once a
  // minute per device.
  const limited = createLogLimiter(o.log);
  const notifyFault = (d: Device, fault: ModbusFault | null, ended?: ModbusFault): void => {
    try {
      o.onDeviceFault?.(d.o.id, fault && { ...fault }, ended && { ...ended });
    } catch (err) {
      st.handlerErrors++;
      o.log.error({ ...logBase, code: ErrorCodes.INGEST_FAILED, device: d.o.id, err }, 'handling a modbus device fault failed');
    }
  };

  function setFault(d: Device, f: ReadFailure): void {
    const now = clock.now();
    Object.assign(d.st, { state: 'fault', lastError: f.message, lastErrorCode: f.code, lastErrorAt: now });
    d.goodStreak = 0;
    const open = d.st.fault;
    if (open) {
      // The same episode: the fault in status follows the latest code; nothing is raised again.
      if (open.code !== f.code) {
        open.codeChanges++;
        limited.log('info', `fault-code:${d.o.id}`, { ...logBase, device: d.o.id, code: f.code, was: open.code, codeChanges: open.codeChanges }, 'modbus device fault changed code (the same fault: no new event)');
      }
      Object.assign(open, { code: f.code, message: f.message, failures: open.failures + 1 });
      if (f.exceptionCode !== undefined) open.exceptionCode = f.exceptionCode;
      else delete open.exceptionCode;
      return;
    }
    d.st.fault = {
      code: f.code, message: f.message, sinceMs: now, firstCode: f.code, codeChanges: 0, failures: 1,
      ...(f.exceptionCode !== undefined ? { exceptionCode: f.exceptionCode } : {}),
    };
    o.log.warn({ ...logBase, code: f.code, device: d.o.id, unitId: d.o.unitId, err: f.message }, 'modbus device fault');
    notifyFault(d, d.st.fault);
  }

  function clearFault(d: Device): void {
    d.st.state = 'ok';
    const ended = d.st.fault;
    if (!ended || ++d.goodStreak < MODBUS_CLEAR_AFTER_GOOD_POLLS) return;
    o.log.info({ ...logBase, device: d.o.id, unitId: d.o.unitId, was: ended.code, codeChanges: ended.codeChanges, failures: ended.failures }, 'modbus device recovered');
    d.st.fault = null;
    notifyFault(d, null, ended);
  }

  // --- the link: open, lose, reopen ------------------------------------------------------------
  async function openLink(): Promise<void> {
    if (stopped || !link) return;
    const err = await link.open();
    if (stopped) { await link.close(); return; }
    if (err !== null) {
      Object.assign(st, { lastError: err, lastErrorAt: clock.now() });
      if (!outageLogged) o.log.warn({ ...logBase, code: ErrorCodes.MODBUS_OPEN, err }, 'cannot open modbus bus; retrying');
      outageLogged = true;
      for (const d of devices) setFault(d, { kind: 'link-down', code: ErrorCodes.MODBUS_LINK_DOWN, message: `bus not open: ${err}` });
      sup.failed('open-failed', err);
      return;
    }
    if (st.opens > 0) st.reconnects++;
    st.opens++;
    Object.assign(st, { open: true, lastError: null });
    sup.up();
    outageLogged = false;
    o.log.info({ ...logBase, reconnects: st.reconnects }, 'modbus bus open');
    // Ask everyone at once: faults from the outage clear as soon as each device answers.
    const now = mono();
    for (const d of devices) { d.poll = null; d.dueAt = now; }
    wake();
  }

  function lost(why: string): void {
    if (!st.open) return;
    st.open = false;
    if (stopped) return;
    Object.assign(st, { lastError: why, lastErrorAt: clock.now() });
    o.log.warn({ ...logBase, code: ErrorCodes.MODBUS_LOST, err: why }, 'modbus bus lost; reopening');
    outageLogged = true;
    for (const d of devices) {
      d.poll = null;
      setFault(d, { kind: 'link-down', code: ErrorCodes.MODBUS_LINK_DOWN, message: `bus not open: ${why}` });
    }
    void link?.close();
    sup.failed('lost', why);
  }

  // --- polling ---------------------------------------------------------------------------------
  function count(d: Device, f: ReadFailure): void {
    if (f.kind === 'timeout') { d.st.timeouts++; st.timeouts++; }
    else if (f.kind === 'exception') { d.st.exceptions++; st.exceptions++; }
    else if (f.kind === 'crc') d.st.crcErrors++;
    else if (f.kind === 'bad-response') { d.st.badResponses++; st.badResponses++; }
  }

  function pollSucceeded(d: Device, poll: Poll): void {
    Object.assign(d.st, { polls: d.st.polls + 1, pollsOk: d.st.pollsOk + 1, consecutiveFailures: 0, currentIntervalMs: d.o.pollIntervalMs, lastOkAt: clock.now() });
    d.noAnswerStreak = 0;
    d.dueAt = poll.startedAt + d.o.pollIntervalMs;
    clearFault(d);
    const measurements = decodeModbusProfile(d.o.profile, poll.reads);
    try {
      o.onMeasurements(d.o.id, measurements);
    } catch (err) {
      // Decoding never throws; this is a bug downstream. Keep polling.
      st.handlerErrors++;
      o.log.error({ ...logBase, code: ErrorCodes.INGEST_FAILED, device: d.o.id, err }, 'processing modbus measurements failed');
    }
  }

  function pollFailed(d: Device, poll: Poll, f: ReadFailure): void {
    // Only silence earns a backoff: a unit that answers, even with an exception, costs the bus one
    // short exchange per poll, while each unanswered request holds the bus for a whole timeout.
    d.noAnswerStreak = isNoAnswer(f) ? d.noAnswerStreak + 1 : 0;
    const interval = pollIntervalAfterFailures(d.o.pollIntervalMs, d.noAnswerStreak, d.o.maxBackoffMs);
    Object.assign(d.st, { polls: d.st.polls + 1, pollsFailed: d.st.pollsFailed + 1, consecutiveFailures: d.st.consecutiveFailures + 1, currentIntervalMs: interval });
    d.dueAt = poll.startedAt + interval;
    setFault(d, f);
  }

  async function step(d: Device, l: ModbusLink): Promise<void> {
    const now = mono();
    d.lastServedAt = now;
    const poll: Poll = d.poll ?? { startedAt: now, block: 0, attempt: 0, reads: [] };
    d.poll = poll;
    const blk = d.plan[poll.block]!;
    d.st.requests++;
    st.requests++;
    const r = await l.read({ unitId: d.o.unitId, function: blk.function, address: blk.address, count: blk.count, timeoutMs: d.o.timeoutMs });
    if (d.poll !== poll || stopped) return; // the link went away meanwhile: this poll was abandoned
    if (r.ok) {
      d.st.responses++;
      st.responses++;
      poll.reads.push({ ...blk, words: r.words });
      poll.block++;
      poll.attempt = 0;
      if (poll.block < d.plan.length) { d.dueAt = mono(); return; }
      d.poll = null;
      pollSucceeded(d, poll);
      return;
    }
    const f = r.failure;
    count(d, f);
    if (f.kind === 'link-down') {
      d.poll = null;
      d.dueAt = mono();
      lost(f.message);
      return;
    }
    if (isRetryable(f) && poll.attempt < d.o.retries) {
      poll.attempt++;
      d.st.retries++;
      d.dueAt = mono() + retryDelayMs(d.o.retryBackoffMs, poll.attempt);
      return;
    }
    d.poll = null;
    pollFailed(d, poll, f);
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      try {
        const l = link;
        if (!st.open || !l) { await sleep(Infinity); continue; }
        const now = mono();
        const d = pickDue(devices, now);
        if (!d) { await sleep(nextDueAt(devices) - now); continue; }
        // RTU: keep the 3.5-character silence between frames, or a slave may merge two frames.
        const quiet = lastFrameAt + interFrameMs - now;
        if (quiet > 0) { await sleep(quiet); continue; }
        await step(d, l);
        lastFrameAt = mono();
      } catch (err) {
        // A bug in this loop must not stop polling the gas detectors, nor crash the daemon.
        st.handlerErrors++;
        o.log.error({ ...logBase, code: ErrorCodes.INGEST_FAILED, err }, 'modbus bus loop failed; continuing');
        await sleep(reopenMs);
      }
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      link = makeLink(o);
      link.onLost(lost);
      loopDone = loop();
      void openLink();
    },
    async stop() {
      stopped = true;
      sup.stop();
      wake();
      await link?.close();
      st.open = false;
      wake();
      await loopDone;
      limited.flush();
    },
    stats() {
      const line = link?.lineCounters() ?? { crcErrors: 0, garbageBytes: 0 };
      return {
        ...st,
        retry: { ...sup.status() },
        crcErrors: line.crcErrors,
        garbageBytes: line.garbageBytes,
        devices: devices.map((d) => ({ ...d.st, fault: d.st.fault && { ...d.st.fault } })),
      };
    },
  };
}

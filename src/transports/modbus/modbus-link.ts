import { ErrorCodes, type ErrorCode } from '../../core/errors.js';

/**
 * One Modbus bus connection, as the bus scheduler sees it: an RS-485 serial port (RTU) or a TCP
 * connection. It carries one request at a time (the scheduler guarantees that) and never rejects
 * or throws: every outcome is a value.
 */
export interface ModbusLink {
  /** Opens the port or connection. Resolves null when open, or why it could not open. */
  open(): Promise<string | null>;
  readonly isOpen: boolean;
  /** One read request. Settles within about `timeoutMs` (plus a small guard), whatever the line does. */
  read(req: ReadRequest): Promise<ReadResult>;
  /** Closes; an in-flight read settles as link-down. Safe to call at any time, more than once. */
  close(): Promise<void>;
  /** Called once per opening when an open link goes away (adapter unplugged, peer closed). */
  onLost(fn: (why: string) => void): void;
  /** Line-level counters that belong to no single device (RTU: bad CRCs, noise). */
  lineCounters(): { crcErrors: number; garbageBytes: number };
}

export interface ReadRequest {
  unitId: number;
  function: 3 | 4;
  address: number;
  count: number;
  timeoutMs: number;
}

export type FailureKind = 'timeout' | 'crc' | 'exception' | 'bad-response' | 'link-down';

export interface ReadFailure {
  kind: FailureKind;
  code: ErrorCode;
  message: string;
  /** The exception code of an exception response (1-255). */
  exceptionCode?: number;
}

export type ReadResult = { ok: true; words: number[] } | { ok: false; failure: ReadFailure };

/** Modbus Application Protocol v1.1b3, section 7. */
const EXCEPTIONS: Readonly<Record<number, { code: ErrorCode; text: string }>> = {
  0x01: { code: ErrorCodes.MODBUS_EXCEPTION_01, text: 'illegal function' },
  0x02: { code: ErrorCodes.MODBUS_EXCEPTION_02, text: 'illegal data address' },
  0x03: { code: ErrorCodes.MODBUS_EXCEPTION_03, text: 'illegal data value' },
  0x04: { code: ErrorCodes.MODBUS_EXCEPTION_04, text: 'server device failure' },
  0x05: { code: ErrorCodes.MODBUS_EXCEPTION_05, text: 'acknowledge (request accepted, still processing)' },
  0x06: { code: ErrorCodes.MODBUS_EXCEPTION_06, text: 'server device busy' },
  0x07: { code: ErrorCodes.MODBUS_EXCEPTION_07, text: 'negative acknowledge' },
  0x08: { code: ErrorCodes.MODBUS_EXCEPTION_08, text: 'memory parity error' },
  0x0a: { code: ErrorCodes.MODBUS_EXCEPTION_0A, text: 'gateway path unavailable' },
  0x0b: { code: ErrorCodes.MODBUS_EXCEPTION_0B, text: 'gateway target device failed to respond' },
};

export function exceptionFailure(exceptionCode: number): ReadFailure {
  const e = EXCEPTIONS[exceptionCode];
  const hex = exceptionCode.toString(16).padStart(2, '0').toUpperCase();
  return {
    kind: 'exception',
    code: e?.code ?? ErrorCodes.MODBUS_EXCEPTION_OTHER,
    message: `exception ${hex}: ${e?.text ?? 'not defined by the specification'}`,
    exceptionCode,
  };
}

/**
 * Worth asking again within the same poll: no answer, a garbled one, or an exception that says
 * "later" (05 acknowledge, 06 busy, 0B a gateway's target did not answer). Exceptions such as
 * 02 (illegal data address) will not change on a retry: they mean the profile does not fit.
 */
export function isRetryable(f: ReadFailure): boolean {
  if (f.kind === 'exception') return f.exceptionCode === 0x05 || f.exceptionCode === 0x06 || f.exceptionCode === 0x0b;
  return f.kind !== 'link-down';
}

/** The device did not answer usefully at all: the failures that cost bus time and earn a backoff. */
export const isNoAnswer = (f: ReadFailure): boolean => f.kind === 'timeout' || f.kind === 'crc' || (f.kind === 'exception' && f.exceptionCode === 0x0b);

export const timeoutFailure = (timeoutMs: number, sawCrcError = false): ReadFailure =>
  sawCrcError
    ? { kind: 'crc', code: ErrorCodes.MODBUS_CRC, message: `only answers with a bad CRC within ${timeoutMs} ms` }
    : { kind: 'timeout', code: ErrorCodes.MODBUS_TIMEOUT, message: `no answer within ${timeoutMs} ms` };

export const linkDownFailure = (why: string): ReadFailure => ({ kind: 'link-down', code: ErrorCodes.MODBUS_LINK_DOWN, message: `bus not open: ${why}` });

export const badResponseFailure = (why: string): ReadFailure => ({ kind: 'bad-response', code: ErrorCodes.MODBUS_BAD_RESPONSE, message: why });

/**
 * Maps what modbus-serial passes to a request callback onto our failures. It signals a timeout with
 * errno ETIMEDOUT, an exception response with `modbusCode`, a closed port with "Port Not Open", and
 * anything else (length, address, CRC mismatches) with a plain message.
 */
export function classifyModbusSerialError(err: unknown, timeoutMs: number, sawCrcError: boolean): ReadFailure {
  const e = (err ?? {}) as { errno?: unknown; modbusCode?: unknown; message?: unknown; name?: unknown };
  if (typeof e.modbusCode === 'number') return exceptionFailure(e.modbusCode);
  if (e.errno === 'ETIMEDOUT') return timeoutFailure(timeoutMs, sawCrcError);
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'PortNotOpenError' || message === 'Port Not Open') return linkDownFailure('port not open');
  if (/crc/i.test(message)) return { kind: 'crc', code: ErrorCodes.MODBUS_CRC, message };
  return badResponseFailure(message);
}

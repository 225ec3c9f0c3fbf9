import type { LinkRetryStatus } from '../link-supervisor.js';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { ErrorCode } from '../../core/errors.js';
import type { Measurement } from '../../core/reading.js';
import type { ModbusProfile } from '../../drivers/modbus-profile/index.js';
import type { ModbusLink } from './modbus-link.js';
import type { OpenRtuPort } from './rtu-link.js';

/**
 * Defaults per device, with why. A bus of gas detectors at 9600 baud answers a 2-register read in
 * about 15 ms; the time goes to devices that do not answer, so the timeout is what to keep short.
 */
export const modbusDeviceDefaults = Object.freeze({
  /** Gas concentration changes over seconds; 2 s keeps an alarm within a few seconds of the detector's. */
  pollIntervalMs: 2000,
  /** Detectors answer in well under 100 ms; 500 ms leaves room for slow firmware and TCP gateways. */
  timeoutMs: 500,
  /** Two more tries per request before the poll counts as failed (one lost frame is not a fault). */
  retries: 2,
  /** First retry after 100 ms, then 200 ms...: lets a busy device finish, other devices go meanwhile. */
  retryBackoffMs: 100,
  /** A unit that keeps not answering is polled at most this rarely, so it is noticed when it is back. */
  maxBackoffMs: 30_000,
});

export interface ModbusDeviceOptions {
  /** Device id from the config; names the device in measurements, faults and status. */
  id: string;
  /** Unit id (slave address): 1-247 on RTU; on TCP whatever the device or gateway expects (often 1 or 255). */
  unitId: number;
  /** Register map to read and decode (modbusModels[model].profile). */
  profile: ModbusProfile;
  /** Model name, for status only. */
  model?: string;
  pollIntervalMs?: number;
  /** Per request attempt. */
  timeoutMs?: number;
  retries?: number;
  retryBackoffMs?: number;
  maxBackoffMs?: number;
}

export type ModbusLinkSpec =
  | { kind: 'rtu'; path: string; baudRate: number; dataBits?: 7 | 8; parity?: 'none' | 'even' | 'odd'; stopBits?: 1 | 2 }
  | { kind: 'tcp'; host: string; port?: number; connectTimeoutMs?: number };

export interface ModbusBusOptions {
  /** Bus id for logs and status, e.g. "rs485-hall". */
  id: string;
  link: ModbusLinkSpec;
  devices: readonly ModbusDeviceOptions[];
  /**
   * Decoded measurements of one device, once per successful poll, in the profile's order. Called
   * from the bus loop: keep it quick (it delays the next request). If it throws, the error is
   * counted and logged, never propagated.
   */
  onMeasurements: (deviceId: string, measurements: Measurement[]) => void;
  /**
   * A device's fault episode began (`fault`), or ended (`null`, with the episode that ended as
   * `ended`). Once each per episode: a change of code while it lasts updates the fault (status),
   * it is not a new episode (issue 12, finding 13).
   */
  onDeviceFault?: (deviceId: string, fault: ModbusFault | null, ended?: ModbusFault) => void;
  log: Logger;
  /** Wall clock for timestamps in status (scheduling uses a monotonic clock). */
  clock?: Clock;
  /** Wait between attempts to (re)open the port or connection. Default 1000 ms (back within 5 s of a replug). */
  reopenMs?: number;
  /** Test seams: a fake link instead of a real port/connection, or a serial port double. */
  createLink?: (spec: ModbusLinkSpec) => ModbusLink;
  openRtuPort?: OpenRtuPort;
}

/**
 * A fault episode of one device: from its first failed poll until it answered
 * MODBUS_CLEAR_AFTER_GOOD_POLLS polls in a row.
 */
export interface ModbusFault {
  /** Stable code of the latest failure, e.g. ANJU_ERR_MODBUS_TIMEOUT, ANJU_ERR_MODBUS_EXCEPTION_02. */
  code: ErrorCode;
  message: string;
  /** Exception code for exception faults (2 for ANJU_ERR_MODBUS_EXCEPTION_02). */
  exceptionCode?: number;
  /** Wall-clock ms when this episode began. */
  sinceMs: number;
  /** Code of the failure that began the episode. */
  firstCode: ErrorCode;
  /** Times the code changed during the episode (a flaky bus alternates timeouts, CRC errors, exceptions). */
  codeChanges: number;
  /** Failed polls (and failed bus opens) during the episode. */
  failures: number;
}

export interface ModbusDeviceStats {
  id: string;
  model: string | null;
  unitId: number;
  /** "unknown" until the first poll ends. */
  state: 'unknown' | 'ok' | 'fault';
  fault: ModbusFault | null;
  /** Read requests sent (each attempt counts). */
  requests: number;
  /** Valid answers with register data. */
  responses: number;
  timeouts: number;
  exceptions: number;
  /** Requests that ended with only corrupted answers. */
  crcErrors: number;
  badResponses: number;
  retries: number;
  polls: number;
  pollsOk: number;
  pollsFailed: number;
  /** Failed polls in a row; drives the poll backoff of a unit that does not answer. */
  consecutiveFailures: number;
  /** Interval to the next poll now in force (the poll interval, or longer while backing off). */
  currentIntervalMs: number;
  lastOkAt: number | null;
  lastError: string | null;
  lastErrorCode: ErrorCode | null;
  lastErrorAt: number | null;
}

export interface ModbusBusStats {
  id: string;
  kind: 'rtu' | 'tcp';
  /** Port path or host:port. */
  endpoint: string;
  open: boolean;
  /** The link supervisor's bookkeeping (src/transports/link-supervisor.ts), as every link shows it. */
  retry: LinkRetryStatus;
  opens: number;
  reconnects: number;
  requests: number;
  responses: number;
  timeouts: number;
  exceptions: number;
  /** Corrupted candidate frames seen on the line (RTU), whether or not a request failed for it. */
  crcErrors: number;
  /** Bytes on the line that belonged to no awaited answer: noise, late answers (RTU). */
  garbageBytes: number;
  badResponses: number;
  /** onMeasurements threw (a bug downstream); logged with ANJU_ERR_INGEST_FAILED. */
  handlerErrors: number;
  lastError: string | null;
  lastErrorAt: number | null;
  devices: ModbusDeviceStats[];
}

export interface ModbusBus {
  /** Opens the link and starts polling. Returns at once; never throws. */
  start(): void;
  /** Stops polling and closes the link; resolves when the bus is quiet. */
  stop(): Promise<void>;
  /** A snapshot for status. */
  stats(): ModbusBusStats;
}

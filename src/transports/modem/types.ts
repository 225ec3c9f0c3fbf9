import type { Logger } from 'pino';
import type { BackoffPolicy } from '../../core/backoff.js';
import type { ChannelStatus, ContactChannel, InboundMessage } from '../../escalation/contact-channel.js';
import type { LinkRetryStatus } from '../link-supervisor.js';
import type { AtClient, AtClientStats } from './at-client.js';
import type { ModemProfile } from './profile.js';

/** A serial port the modem can write to (serialport's SerialPort; tests' ptys are real ones). */
export interface ModemPort {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: string | Buffer): boolean;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'close', fn: (err?: Error) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  removeAllListeners(): this;
}

export type OpenModemPort = (o: { path: string; baudRate: number }) => ModemPort;

export interface ModemOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly model: string;
  readonly profile: ModemProfile;
  /** The SIM PIN (a secret: never logged). Tried once per SIM start, never again after a refusal (3 wrong PINs lock the SIM). */
  readonly pin: string | null;
  /** SMSC number; null: the SIM's. */
  readonly smsc: string | null;
  /** Re-check SIM, registration, signal and operator this often. */
  readonly checkIntervalMs: number;
  readonly commandTimeoutMs: number;
  /** AT+CMGS: the network's answer may take long (TS 27.005 allows minutes). */
  readonly smsTimeoutMs: number;
  /** How long the module's prompt file plays before the hub hangs up. */
  readonly promptMs: number;
  /** Where the module keeps prompt files (prefix of the file name in the play command, e.g. UFS: or E:/). */
  readonly promptDir: string;
  /** Parts of a long reply that do not all come within this are surfaced with the gaps marked. */
  readonly concatWaitMs: number;
  readonly reconnect: BackoffPolicy;
  readonly openPort: OpenModemPort;
  readonly log: Logger;
  /** Wall clock (ms since the epoch) for InboundMessage.at. */
  readonly now: () => number;
  /** Called when status() changed (state or detail), e.g. to raise hub.modem_status. */
  readonly onStatus?: (s: ChannelStatus) => void;
}

export interface ModemStats {
  path: string;
  model: string;
  open: boolean;
  opens: number;
  status: ChannelStatus;
  at: AtClientStats;
  smsSent: number;
  smsFailed: number;
  smsReceived: number;
  /** Stored messages that did not decode: deleted all the same, so the SIM never fills. */
  smsUndecodable: number;
  deliveryReports: number;
  calls: number;
  rings: number;
  /** Times the module restarted (boot URC) or stopped answering. */
  restarts: number;
  retry: Readonly<LinkRetryStatus>;
}

export interface Modem extends ContactChannel {
  start(): void;
  stop(): Promise<void>;
  stats(): ModemStats;
}

/** What the SMS and call halves share with the modem core. */
export interface ModemCore {
  readonly o: ModemOptions;
  readonly at: AtClient;
  readonly st: ModemStats;
  emit(m: InboundMessage): void;
  /** Runs after a command that may have timed out: a module silent three times running is reopened. */
  checkResponsive(): void;
}

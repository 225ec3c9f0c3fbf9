import type { LinkRetryStatus } from '../link-supervisor.js';
import type { ErrorCode } from '../../core/errors.js';

export interface ZigbeeTiming {
  /** One coordinator start (open the port, form or resume the network), at most. */
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** One request to the coordinator (permit join), at most. */
  requestTimeoutMs: number;
  /** First retry after a failed start or a lost stick; doubles per failure up to retryMaxMs. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Longest permit-join, seconds (254: the most one ZDO Mgmt_Permit_Joining_req allows). */
  permitJoinMaxS: number;
}

export const DEFAULT_ZIGBEE_TIMING: Readonly<ZigbeeTiming> = Object.freeze({
  startTimeoutMs: 60_000,
  stopTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  retryMinMs: 5_000,
  retryMaxMs: 300_000,
  permitJoinMaxS: 254,
});

export type ZigbeeNetworkState = 'idle' | 'starting' | 'running' | 'retrying' | 'stopped';

export interface ZigbeeDeviceStats {
  id: string;
  ieee: string;
  model: string;
  /** genBasic modelId from the interview, when we saw one this run. */
  modelId: string | null;
  messages: number;
  malformed: number;
  lastMalformed: string | null;
  lastSeenMs: number | null;
  linkquality: number | null;
  /** IAS enrolment as we last checked it: true, false (failed), null (not checked / not IAS). */
  enrolled: boolean | null;
  /** Binding and reporting set up after the interview. */
  configured: boolean;
  configureFailures: number;
  handlerErrors: number;
}

export interface ZigbeeNetworkStats {
  state: ZigbeeNetworkState;
  /** Why the coordinator is not running, or null. */
  problem: 'adapter-unavailable' | 'adapter-lost' | 'state-unavailable' | null;
  lastError: string | null;
  lastErrorCode: ErrorCode | null;
  starts: number;
  startFailures: number;
  adapterLosses: number;
  retryDelayMs: number | null;
  /** The link supervisor's bookkeeping (src/transports/link-supervisor.ts), as every link shows it. */
  retry: Readonly<LinkRetryStatus>;
  coordinatorIeee: string | null;
  /** network.json was created on this start (a new network: every device must be paired). */
  networkCreated: boolean | null;
  /** The config asks for other network settings than the persisted network has (they are ignored). */
  settingsConflict: string | null;
  permitJoin: boolean;
  permitJoinUntilMs: number | null;
  /** Messages from devices that are not in the config. */
  unknownMessages: number;
  /** Devices on the network that are not in the config (to add them by IEEE address). */
  unconfiguredDevices: Array<{ ieee: string; modelId: string | null; lastSeenMs: number }>;
  devices: ZigbeeDeviceStats[];
}

export type PermitJoinResult =
  | { ok: true; seconds: number; untilMs: number | null }
  | { ok: false; code: ErrorCode; message: string };

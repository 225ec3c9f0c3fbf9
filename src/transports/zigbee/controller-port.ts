import type { StartWarningPayload } from '../../escalation/ias-wd.js';

/**
 * The small part of a Zigbee coordinator stack the network module uses. zigbee-herdsman's
 * Controller is behind it in herdsman-controller.ts (the only file that imports herdsman); tests
 * drive the network with a fake that emits what a coordinator would. Addresses are IEEE strings
 * '0x' + 16 lower-case hex digits; clusters and attributes are herdsman's names (ssIasZone, ...).
 */

export interface ZigbeePortMessage {
  ieee: string;
  endpoint: number;
  cluster: string;
  /** herdsman's message type: attributeReport, readResponse, commandStatusChangeNotification, ... */
  type: string;
  data: Record<string, unknown>;
  linkquality: number;
}

export interface ZigbeeInterviewInfo {
  modelId?: string | undefined;
  manufacturer?: string | undefined;
}

export interface ZigbeeControllerEvents {
  message(m: ZigbeePortMessage): void;
  deviceJoined(ieee: string): void;
  deviceInterview(ieee: string, status: 'started' | 'successful' | 'failed', info: ZigbeeInterviewInfo): void;
  deviceAnnounce(ieee: string): void;
  deviceLeave(ieee: string): void;
  permitJoinChanged(permitted: boolean): void;
  /** The stick went away while running; the controller is dead and must be stopped and recreated. */
  adapterDisconnected(): void;
  /**
   * One line of the stack's own log. `message` is lazy: the stack logs every frame at debug, and
   * building those strings costs CPU even when the level is off.
   */
  stackLog(level: ZigbeeStackLogLevel, namespace: string, message: () => string): void;
}

export type ZigbeeStackLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ZigbeeControllerPort {
  /** Opens the port, starts or restores the network. Rejects when the stick is missing or fails. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** 0 closes the network; otherwise seconds, at most 254 (the ZDO Mgmt_Permit_Joining maximum). */
  permitJoin(seconds: number): Promise<void>;
  coordinatorIeee(): string;
  /** Endpoint ids of a known device that have `cluster` as an input (server) cluster. */
  endpointsWithCluster(ieee: string, cluster: string): number[];
  /** Reads the IAS Zone enrolment attributes (IAS_CIE_Address, ZoneState, ZoneType). */
  readIasZone(ieee: string, endpoint: number): Promise<{ iasCieAddr?: string | undefined; zoneState?: number | undefined; zoneType?: number | undefined }>;
  /** Writes IAS_CIE_Address (enrolment step 1). */
  writeIasCieAddress(ieee: string, endpoint: number, cieIeee: string): Promise<void>;
  /** Sends Zone Enroll Response, success, with this zone id (enrolment step 2). */
  sendIasEnrollResponse(ieee: string, endpoint: number, zoneId: number): Promise<void>;
  /** Binds the device's cluster to the coordinator, so its reports reach us. */
  bind(ieee: string, endpoint: number, cluster: string): Promise<void>;
  configureReporting(ieee: string, endpoint: number, r: ZigbeeReportingSpec): Promise<void>;
  /** IAS WD Start Warning (ZCL 07-5123 §8.4.2.3.1) to a siren: src/escalation/ias-wd.ts builds the payload. */
  startWarning(ieee: string, endpoint: number, payload: StartWarningPayload): Promise<void>;
}

/**
 * The reporting the profiles may configure. Deliberately a closed list (not any cluster/attribute
 * string) so the herdsman adapter stays type-checked against herdsman's cluster definitions.
 */
export interface ZigbeeReportingSpec {
  cluster: 'genPowerCfg';
  attribute: 'batteryPercentageRemaining' | 'batteryVoltage';
  minIntervalS: number;
  maxIntervalS: number;
  reportableChange: number;
}

export interface ZigbeeControllerSpec {
  serialPort: { path: string; adapter: 'zstack' | 'ember' | 'deconz' | 'zigate'; baudRate: number; rtscts: boolean };
  /** herdsman's device database (JSON lines) and its backup. */
  databasePath: string;
  databaseBackupPath: string;
  /** The coordinator's network backup (lets a replaced stick of the same family restore the network). */
  backupPath: string;
  network: { panId: number; extendedPanId: number[]; channel: number; networkKey: number[] };
}

export type ZigbeeControllerFactory = (spec: ZigbeeControllerSpec, events: ZigbeeControllerEvents) => ZigbeeControllerPort;

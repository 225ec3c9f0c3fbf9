/**
 * Messages between `npm run fleet` (bench/fleet/run.ts) and its hub processes (bench/fleet/worker.ts),
 * over the child_process IPC channel. Times are wall-clock ms (one machine, one clock).
 */

/** Field rates, scaled: see bench/fleet/README.md "Rates". */
export interface FleetRates {
  /** Mean seconds between two alarms of one hub (exponential: raised at random, not in step). */
  alarmEveryS: number;
  eventEveryS: number;
  /** A reading (a vitals summary) this often per hub; uploaded as telemetry every uplink.telemetry.interval_s. */
  readingEveryS: number;
}

export interface StartMessage {
  op: 'start';
  hubs: string[];
  stateRoot: string;
  /** The hub config's uplink section as YAML (flow mapping), url included; username/password are set per hub. */
  uplinkYaml: string;
  /** The password of hub `h` is `${passwordPrefix}${h}`. */
  passwordPrefix: string;
  rates: FleetRates;
  /** Start the hubs' uplinks spread over this long (the field's hubs are already connected). */
  rampS: number;
  seed: number;
}

export type ToWorker =
  | StartMessage
  | { op: 'raise'; on: boolean }
  | { op: 'progress'; outageFrom: number; outageTo: number }
  | { op: 'report' }
  | { op: 'stop' };

export interface Sample {
  op: 'sample';
  ts: number;
  connected: number;
  /** Connects (first and re-) since the last sample, their times. */
  connects: number[];
  disconnects: number;
  rssBytes: number;
  heapUsedBytes: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  alarmsRaised: number;
  eventsRaised: number;
}

export interface Progress {
  op: 'progress';
  /** Alarms and events not acknowledged by the cloud yet (all, and those raised in the outage window). */
  unacked: number;
  unackedOutageAlarms: number;
}

/** Per hub: its sequence and epoch, and every alarm with its times (from the hub's own database). */
export interface HubReport {
  hub: string;
  epoch: string;
  lastSeq: number;
  unacked: number;
  /** [seq, id, ts (committed), acked_ts or null] of each alarm. */
  alarms: Array<[number, string, number, number | null]>;
  published: number;
  resent: number;
}

export type FromWorker =
  | { op: 'booted'; rssBytes: number; heapUsedBytes: number }
  | { op: 'ready'; hubs: number; rssBytes: number }
  | Sample
  | Progress
  | { op: 'report'; hubs: HubReport[] }
  | { op: 'warn'; hub: string; msg: string; count: number }
  | { op: 'stopped' };

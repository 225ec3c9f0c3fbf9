import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FleetRates } from './protocol.js';

/**
 * `npm run fleet -- [options]`: every option, its default and unit. The hubs' uplink times default to
 * the daemon's own defaults (src/config/schema.ts), so the reconnect storm is the field's.
 */
export interface FleetArgs {
  hubs: number;
  outageS: number;
  ingest: number;
  /** The schedule before the hubs go quiet: steady, outage, steady again (the outage in the middle). */
  minutes: number;
  workers: number;
  out: string;
  stateRoot: string;
  rampS: number;
  /** After the broker is back: kill -9 one ingest instance this long after (default: half the reconnect spread). */
  killIngestAfterS: number;
  /** After the broker is back: everything must be stored and acked within this long, else exit 1. */
  deadlineS: number;
  rates: FleetRates;
  uplink: { reconnectMinS: number; reconnectMaxS: number; ackTimeoutS: number; retryS: number; heartbeatS: number; telemetryS: number };
  seed: number;
}

const OPTIONS = {
  hubs: { type: 'string', default: '6000' },
  'outage-s': { type: 'string', default: '120' },
  ingest: { type: 'string', default: '3' },
  minutes: { type: 'string', default: '6' },
  workers: { type: 'string' },
  out: { type: 'string', default: 'fleet-results' },
  'state-root': { type: 'string' },
  'ramp-s': { type: 'string' },
  'kill-ingest-after-s': { type: 'string' },
  'deadline-s': { type: 'string', default: '600' },
  'alarm-every-s': { type: 'string', default: '300' },
  'event-every-s': { type: 'string', default: '180' },
  'reading-every-s': { type: 'string', default: '10' },
  'telemetry-s': { type: 'string', default: '60' },
  'reconnect-min-s': { type: 'string', default: '1' },
  'reconnect-max-s': { type: 'string', default: '120' },
  'ack-timeout-s': { type: 'string', default: '60' },
  'retry-s': { type: 'string', default: '10' },
  'heartbeat-s': { type: 'string', default: '60' },
  seed: { type: 'string', default: '1' },
} as const;

export class UsageError extends Error {}

function num(name: string, raw: string | undefined, o: { int?: boolean; min?: number } = {}): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || (o.int && !Number.isInteger(n)) || n < (o.min ?? 0)) {
    throw new UsageError(`--${name}: expected ${o.int ? 'an integer' : 'a number'} >= ${o.min ?? 0}, found ${JSON.stringify(raw)}`);
  }
  return n;
}

export function parseFleetArgs(argv: string[]): FleetArgs {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const hubs = num('hubs', values.hubs, { int: true, min: 1 });
  const outageS = num('outage-s', values['outage-s'], { min: 1 });
  const minutes = num('minutes', values.minutes, { min: 0.1 });
  if (minutes * 60 <= outageS) throw new UsageError(`--minutes ${minutes}: the schedule must be longer than the outage (${outageS} s)`);
  const reconnectMaxS = num('reconnect-max-s', values['reconnect-max-s'], { min: 0.1 });
  const ingest = num('ingest', values.ingest, { int: true, min: 2 });
  return {
    hubs,
    outageS,
    ingest,
    minutes,
    // 1,500 hubs a process: 4 processes for 6,000 on 2 cores (each process is one event loop).
    workers: values.workers !== undefined ? num('workers', values.workers, { int: true, min: 1 }) : Math.max(1, Math.ceil(hubs / 1500)),
    out: values.out,
    // The hubs' SQLite files on a RAM file system by default: in the field each hub has its own SD
    // card; 6,000 databases fsyncing on this machine's one disk would measure the disk, not the fleet.
    stateRoot: values['state-root'] ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()),
    // 50 first connects a second: a faster ramp on 2 busy cores timed connects out (connect_timeout_s) into backoff.
    rampS: values['ramp-s'] !== undefined ? num('ramp-s', values['ramp-s']) : Math.max(2, hubs / 50),
    killIngestAfterS: values['kill-ingest-after-s'] !== undefined ? num('kill-ingest-after-s', values['kill-ingest-after-s']) : reconnectMaxS / 2,
    deadlineS: num('deadline-s', values['deadline-s'], { min: 1 }),
    rates: {
      alarmEveryS: num('alarm-every-s', values['alarm-every-s'], { min: 0.1 }),
      eventEveryS: num('event-every-s', values['event-every-s'], { min: 0.1 }),
      readingEveryS: num('reading-every-s', values['reading-every-s'], { min: 0.1 }),
    },
    uplink: {
      reconnectMinS: num('reconnect-min-s', values['reconnect-min-s'], { min: 0.1 }),
      reconnectMaxS,
      ackTimeoutS: num('ack-timeout-s', values['ack-timeout-s'], { min: 1 }),
      retryS: num('retry-s', values['retry-s'], { min: 1 }),
      heartbeatS: num('heartbeat-s', values['heartbeat-s'], { min: 1 }),
      telemetryS: num('telemetry-s', values['telemetry-s'], { min: 1 }),
    },
    seed: num('seed', values.seed, { int: true }),
  };
}

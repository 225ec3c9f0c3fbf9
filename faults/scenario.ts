import { daemonStatus } from '../tests/helpers/control.js';
import { prng } from '../tests/helpers/prng.js';
import { waitFor } from '../tests/helpers/wait.js';
import type { FaultHome } from './home.js';
import { readLedger, type LedgerEvent, type Tally } from './ledger.js';

/**
 * A fault scenario: it opens a home (faults/home.ts), injects its faults while the radar simulator
 * raises alarms, and counts each fault the daemon came through ("survived": it was running,
 * connected or reading again afterwards, as the scenario defines). The run then settles the home
 * and compares what the hub committed with what the cloud stored.
 */
export interface Injection { injected: number; survived: number; notes: string[] }

export interface ScenarioContext {
  /** Rounds of faults (`--rounds`): each scenario injects a few faults per round. */
  rounds: number;
  /** Seeded: the same run injects the same faults at the same moments (modulo the machine). */
  rand: () => number;
  log(line: string): void;
  /** The daemon's delivery mode: cloud_ack (the run), puback (the control that shows a loss is seen). */
  delivery?: 'cloud_ack' | 'puback';
}

export interface Scenario {
  readonly name: string;
  /** One line: the promise it checks. */
  readonly proves: string;
  /** Opens the home, injects, settles and stops. */
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

export interface ScenarioOutcome extends Injection, Tally { duplicates: number }

export interface ScenarioRow extends ScenarioOutcome {
  scenario: string;
  wallS: number;
  /** What went wrong in the harness or the daemon (a recovery that never came), or null. */
  error: string | null;
  ok: boolean;
}

/** An error that must not end the run: it becomes the row's `error` and fails the row. */
export const describeError = (err: unknown): string => ((err as Error).message ?? String(err)).split('\n').slice(0, 3).join(' | ');

/**
 * The common frame of a scenario: `open()` the home, start raising alarms, `inject`, then settle
 * and stop whatever happened. A failed injection still settles: what was committed must arrive.
 */
export async function withHome(ctx: ScenarioContext, open: () => Promise<FaultHome>, inject: (home: FaultHome, inj: Injection) => Promise<void>, close: () => unknown = () => undefined): Promise<ScenarioOutcome> {
  const inj: Injection = { injected: 0, survived: 0, notes: [] };
  let home: FaultHome | null = null;
  const teardown = async (): Promise<void> => { await home?.stop(); await close(); };
  onInterrupt.add(teardown);
  try {
    home = await open();
    home.raiseAlarms();
    let failure: unknown = null;
    try { await inject(home, inj); } catch (err) { failure = err; }
    const t = await home.settle();
    if (failure) inj.notes.push(`injection failed: ${describeError(failure)}`);
    return { ...inj, ...t };
  } finally {
    onInterrupt.delete(teardown);
    await teardown();
  }
}

/**
 * Tear-downs of what is running now (daemon, broker, socat, tmpfs mount...). A run stopped with
 * Ctrl-C or SIGTERM runs them before it exits (`exitOnInterrupt`), or it would leave them behind.
 */
export const onInterrupt = new Set<() => Promise<unknown>>();

export function exitOnInterrupt(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`${sig}: stopping what runs\n`);
      void Promise.allSettled([...onInterrupt].map((t) => t())).then(() => process.exit(130));
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const between = (rand: () => number, minMs: number, maxMs: number): number => minMs + rand() * (maxMs - minMs);
export const seeded = (seed: number): (() => number) => prng(seed);

/** The daemon's uplink connection count (status over the control socket), or -1 while it cannot answer. */
export async function connects(home: FaultHome): Promise<number> {
  try { return (await daemonStatus(home.hub.socket)).uplink?.connects ?? -1; } catch { return -1; }
}

/** Waits until the daemon says it is connected again, after more than `before` connections. */
export async function reconnected(home: FaultHome, before: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`the uplink connected again (after ${before} connections)`, async () => {
    const s = await daemonStatus(home.hub.socket).catch(() => null);
    return !!s?.uplink?.connected && s.uplink.connects > before;
  }, timeoutMs);
}

/** Events in the hub's current database that match: what it committed so far (read from the file now). */
export function committed(home: FaultHome, match: (e: LedgerEvent) => boolean): number {
  let n = 0;
  for (const events of readLedger(home.hub.stateDir).values()) for (const e of events.values()) if (match(e)) n++;
  return n;
}

/** Waits until the hub committed more events matching `match` than `before`. */
export async function committedMore(home: FaultHome, what: string, match: (e: LedgerEvent) => boolean, before: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${what} committed (had ${before})`, () => committed(home, match) > before, timeoutMs);
}

const isAlarmRaise = (e: LedgerEvent): boolean => e.type.startsWith('alarm.') && e.state === 'raised';

/** Committed alarm raises so far, in the hub's current database. */
export const alarmsCommitted = (home: FaultHome): number => committed(home, isAlarmRaise);

/** Waits until the hub committed another alarm raise than the `before` it had: its detectors work. */
export const anotherAlarm = (home: FaultHome, before: number, timeoutMs = 60_000): Promise<void> =>
  committedMore(home, 'an alarm raised after the fault', isAlarmRaise, before, timeoutMs);

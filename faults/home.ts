import { createCloudConsumer, type CloudConsumer } from '../examples/cloud-consumer/consumer.js';
import { testConfig } from '../tests/helpers/daemon-process.js';
import { startHub, type Hub, type HubOptions } from '../tests/helpers/hub.js';
import { waitFor } from '../tests/helpers/wait.js';
import { breath, presence } from '../tests/integration/frames.js';
import { readLedger, tally, type Ledger, type Tally } from './ledger.js';

/**
 * One home for a fault scenario: a hub from tests/helpers/hub.ts (its own Mosquitto without
 * persistence, a socat pty for the radar, the built daemon), delivery `cloud_ack` so an event
 * leaves the outbox only once the cloud stored it, and the reference cloud consumer
 * (examples/cloud-consumer) as the cloud: it stores by id, tracks seq per epoch and acks.
 * A radar simulator raises and clears alarm.breathing_rate all along, whatever the faults do.
 */
export const SUSTAIN_S = 2;
/** Breathing alternates this long between 4/min (out of band: raises after SUSTAIN_S) and 16/min (clears). */
const PHASE_MS = 4000;

/** Short uplink times, so a fault is noticed and healed within seconds (keepalive for the blackhole). */
export const UPLINK_EXTRA = 'ack_timeout_s: 3, keepalive_s: 2, connect_timeout_s: 2, inflight_window: 8';

export interface FaultHome {
  readonly hub: Hub;
  readonly cloud: CloudConsumer;
  readonly ledger: Ledger;
  /** The config for this home with another broker URL (a proxy's) or more YAML. */
  config(o?: { brokerUrl?: string; extra?: string }): string;
  /** Starts the radar simulator raising and clearing alarms (again, e.g. after a pty was replaced). */
  raiseAlarms(): void;
  /** Adds the hub database's current rows to the ledger (before anything replaces that file). */
  snapshot(): void;
  /** Stops the simulator and lets the last alarm clear (normal breathing until it did). */
  quiet(): Promise<void>;
  /** Quiet, then counts: committed (ledger) vs stored in the cloud, waiting up to `timeoutMs` for the drain. */
  settle(timeoutMs?: number): Promise<Tally & { duplicates: number }>;
  /** The ledger so far against the cloud. */
  count(): Tally;
  /** Waits until the cloud stored every event of the ledger (take a snapshot first); throws on timeout. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function openHome(name: string, o: Partial<HubOptions> & { extraYaml?: string } = {}): Promise<FaultHome> {
  const { extraYaml, start, ...hubOptions } = o;
  // cloud_ack: an event leaves the outbox only once the cloud stored it. `puback` is the control
  // (npm run faults -- --delivery puback): what the broker acked and then lost is lost for good.
  const delivery = o.delivery ?? 'cloud_ack';
  const hub = await startHub({ name: `faults-${name}`, subscribe: false, sustainS: SUSTAIN_S, clearAfterS: 1, uplinkExtra: UPLINK_EXTRA, extra: extraYaml, ...hubOptions, delivery, start: false });
  const cloud = createCloudConsumer({ url: hub.broker.url, dbPath: ':memory:', group: 'anju-faults', ackDebounceMs: 200 });
  const ledger: Ledger = new Map();
  let feeder: NodeJS.Timeout | null = null;
  let low = true;
  let phaseStarted = Date.now();
  const write = (perMin: number): void => {
    // An unplugged radar has no line to write to: the radar's frames go nowhere, as in a home.
    try { hub.pty.write(presence(true)); hub.pty.write(breath(perMin)); } catch { /* unplugged */ }
  };
  const config = (c: { brokerUrl?: string; extra?: string } = {}): string => testConfig({
    hubId: hub.hubId, stateDir: hub.stateDir, brokerUrl: c.brokerUrl ?? hub.broker.url,
    devices: [{ id: 'radar', path: hub.pty.devicePath }], sustainS: SUSTAIN_S, clearAfterS: 1, delivery, uplinkExtra: UPLINK_EXTRA,
  }) + (extraYaml ?? '') + (c.extra ?? '');
  const home: FaultHome = {
    hub, cloud, ledger, config,
    raiseAlarms() {
      if (feeder) return;
      feeder = setInterval(() => {
        if (Date.now() - phaseStarted > PHASE_MS) { low = !low; phaseStarted = Date.now(); }
        write(low ? 4 : 16);
      }, 500);
    },
    snapshot: () => { readLedger(hub.stateDir, ledger); },
    async quiet() {
      if (feeder) clearInterval(feeder);
      feeder = null;
      // Normal breathing until the last alarm is cleared, so the ledger ends on a complete alarm.
      const lastAlarm = (): { state: string } | undefined => {
        const epoch = [...readLedger(hub.stateDir).values()].at(-1);
        return [...(epoch?.values() ?? [])].filter((e) => e.type === 'alarm.breathing_rate').at(-1);
      };
      const calm = setInterval(() => write(16), 500);
      try {
        await waitFor('the last breathing alarm cleared', () => (lastAlarm()?.state ?? 'cleared') === 'cleared', 30_000).catch(() => undefined);
      } finally {
        clearInterval(calm);
      }
    },
    async settle(timeoutMs = 60_000) {
      await home.quiet();
      home.snapshot();
      // Not found in time is not an error here: it is what the table reports as lost.
      await home.drained(timeoutMs).catch(() => undefined);
      return { ...home.count(), duplicates: cloud.stats().duplicates };
    },
    count: () => tally(ledger, (epoch) => cloud.events(hub.hubId, epoch)),
    async drained(timeoutMs = 60_000) {
      await waitFor('every committed event stored in the cloud', () => home.count().lost === 0, timeoutMs,
        () => `not yet stored: ${home.count().lostIds.join(', ')}`);
    },
    async stop() {
      if (feeder) clearInterval(feeder);
      await cloud.stop().catch(() => undefined);
      await hub.stop();
    },
  };
  try {
    await cloud.start();
    if (start ?? true) await hub.start();
  } catch (err) {
    await home.stop();
    throw err;
  }
  return home;
}

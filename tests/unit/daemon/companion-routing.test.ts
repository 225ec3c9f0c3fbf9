/**
 * Ingest's companion routing (Detector.companionMetrics, issue 18): a bed radar's sleep report takes
 * the SpO2 of the pulse oximeter in its room, through createIngest with the daemon's bindings, so the
 * night's report carries the ODI and the risk uses it; the oximeter's own detectors still get every
 * reading; and the same night through anjuctl replay's pipeline gives the same report.
 */
import { describe, expect, it } from 'vitest';
import { createReplayPipeline } from '../../../src/pipeline/replay.js';
import { parseConfig } from '../../../src/config/load.js';
import { createManualClock } from '../../../src/core/clock.js';
import type { EventDraft, StoredEvent } from '../../../src/core/event.js';
import type { MeasurementValue } from '../../../src/core/reading.js';
import { detectorBindings } from '../../../src/pipeline/bindings.js';
import { createIngest } from '../../../src/daemon/ingest.js';
import type { Outbox } from '../../../src/store/outbox.js';
import type { ReadingStore } from '../../../src/store/readings.js';

const T0 = Date.UTC(2026, 10, 29, 14, 0, 0);
const H = 3600;
const home = (secondBed: boolean) => `hub: { id: h }
uplink: { url: "mqtt://127.0.0.1:1883" }
devices:
  - { id: bed-radar, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/null } }
${secondBed ? '  - { id: bed-radar-2, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/null } }\n' : ''}  - { id: oxi, model: ble-pulse-oximeter, room: bedroom, ble: { address: "C8:4A:11:22:33:55" } }
detectors:
  sleep_report: { min_in_bed_s: 3600, end_after_out_s: 600 }
`;

interface Line { t: number; device: string; metric: string; value: MeasurementValue }

/** Five hours in bed, breathing normally; the oximeter dips 3 % for 20 s every 3 minutes (ODI 20/h). */
function night(): Line[] {
  const out: Line[] = [{ t: 0, device: 'bed-radar', metric: 'presence', value: true }, { t: 0, device: 'bed-radar', metric: 'bedState', value: 'in' }];
  for (let t = 1; t < 5 * H; t++) {
    if (t % 5 === 0) out.push({ t, device: 'bed-radar', metric: 'breathStatus', value: 'normal' });
    out.push({ t, device: 'oxi', metric: 'spo2Percent', value: t % 180 >= 160 ? 92 : 96 });
  }
  out.push({ t: 5 * H, device: 'bed-radar', metric: 'bedState', value: 'out' }, { t: 5 * H, device: 'bed-radar', metric: 'presence', value: false });
  for (let t = 5 * H + 60; t <= 5 * H + 900; t += 60) out.push({ t, device: 'bed-radar', metric: 'moduleHeartbeat', value: true });
  return out;
}

function bindings(secondBed: boolean) {
  const r = parseConfig(home(secondBed));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return detectorBindings(r.config);
}

/** The night through createIngest as the daemon drives it (ticks every 5 s); the committed events. */
function throughIngest(secondBed: boolean): EventDraft[] {
  const clock = createManualClock(T0);
  const events: EventDraft[] = [];
  let seq = 0;
  const outbox = {
    prepare: (d: EventDraft) => ({ ...d, id: '', ts: clock.now(), monoMs: null }),
    commit: (p: EventDraft) => ({ ...p, seq: ++seq, id: String(seq) }),
    inTransaction: () => false,
  } as unknown as Outbox;
  const readings = { add() {}, flush: () => 0, buffered: () => 0, prune: () => 0 } as unknown as ReadingStore;
  const ingest = createIngest({ clock, readings, outbox, detectors: bindings(secondBed), onEvent: (e: StoredEvent) => events.push(e) });
  const feeds = new Map<string, (m: readonly { metric: string; value: MeasurementValue }[]) => void>();
  let lastTick = T0;
  for (const l of night()) {
    const ts = T0 + l.t * 1000;
    while (lastTick + 5000 <= ts) { lastTick += 5000; clock.set(lastTick); ingest.tick(); }
    clock.set(ts);
    let f = feeds.get(l.device);
    if (!f) feeds.set(l.device, (f = ingest.addSource(l.device)));
    f([{ metric: l.metric, value: l.value }]);
  }
  return events;
}

const sleepReport = (events: readonly EventDraft[]) => {
  const r = events.filter((e) => e.type === 'report.sleep');
  expect(r).toHaveLength(1);
  return r[0]!.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

describe('companion routing: a bed\'s paired oximeter feeds its sleep report', () => {
  it('the report of the bed radar carries the oximeter\'s ODI, and the risk uses it', () => {
    const events = throughIngest(false);
    const d = sleepReport(events);
    expect(d.odi).toMatchObject({ events: 99, band: 'moderate' });
    expect(d.odi.perHour).toBeCloseTo(20, 0);
    expect(d.apneaRisk).toMatchObject({ risk: 'likely', used: ['apneaIndex', 'odi'], confidence: 'moderate' });
    // The oximeter's own spo2 detector still sees every reading: its desaturation events are there.
    expect(events.filter((e) => e.type === 'event.desaturation' && e.device === 'oxi').length).toBe(99);
  });

  it('two bed radars in the room: no pairing, no ODI', () => {
    expect(sleepReport(throughIngest(true)).odi).toBeNull();
  });

  it('anjuctl replay\'s pipeline routes the same way: the same report', () => {
    const p = createReplayPipeline(bindings(false), { devices: ['bed-radar', 'oxi'] });
    const out: Array<{ type: string; data: Record<string, unknown> }> = [];
    for (const l of night()) {
      const ts = T0 + l.t * 1000;
      out.push(...p.advanceTo(ts, false));
      out.push(...p.feed({ device: l.device, ts, metric: l.metric, value: l.value }));
    }
    const replayed = out.filter((e) => e.type === 'report.sleep');
    expect(replayed).toHaveLength(1);
    expect(replayed[0]!.data).toEqual(sleepReport(throughIngest(false)));
  });
});

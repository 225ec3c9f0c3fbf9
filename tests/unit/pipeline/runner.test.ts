/**
 * The detector runner (src/pipeline/runner.ts) decides for the daemon's ingest, anjuctl replay and
 * the benchmarks which slot is offered which reading and in which order, and the tick's order.
 * Fake detectors that log what they are offered pin that order down: a device's slots in binding
 * order, then the home's, then the slots that take the reading as a companion; metrics filtered;
 * ticks to the devices' slots in the order the devices were added, then the home's.
 */
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/core/reading.js';
import type { Detector } from '../../../src/detectors/types.js';
import type { DetectorBinding } from '../../../src/pipeline/bindings.js';
import { createReplayPipeline } from '../../../src/pipeline/replay.js';
import { createDetectorRunner, HOME_KEY, memorySlot, type RunnerSlot } from '../../../src/pipeline/runner.js';

function logging(name: string, log: string[], extra: Partial<Detector<null, null>> = {}): Detector<null, null> {
  return {
    name, initialState: () => null,
    step: (state, r) => { log.push(`${name}<-${r.device}.${r.metric}`); return { state, events: [] }; },
    tick: (state) => { log.push(`tick ${name}`); return { state, events: [] }; },
    ...extra,
  };
}

const reading = (device: string, metric: string, ts = 1000): Reading => ({ device, metric, value: 1, ts });

describe('detector runner', () => {
  it('offers a reading to its device\'s slots in binding order, then the home\'s, each only for its metrics', () => {
    const log: string[] = [];
    const bindings: DetectorBinding[] = [
      { detector: logging('a', log), settings: () => null },
      { detector: logging('home', log, { scope: 'home' }), settings: () => null },
      { detector: logging('b', log, { metrics: ['hr'] }), settings: () => null },
    ];
    const keys: string[] = [];
    const runner = createDetectorRunner<RunnerSlot, null>(bindings, (key, detector, settings) => { keys.push(`${key}/${detector.name}`); return memorySlot(detector, settings, () => undefined); });
    runner.addHome(null);
    const r1 = runner.addDevice('r1', null);
    const r2 = runner.addDevice('r2', null);
    expect(keys).toEqual([`${HOME_KEY}/home`, 'r1/a', 'r1/b', 'r2/a', 'r2/b']);
    r2(reading('r2', 'hr'), 1000);
    r1(reading('r1', 'presence'), 1000);
    runner.homeOnly(reading('hub', 'homeMode'), 1000);
    runner.tick(5000);
    expect(log).toEqual([
      'a<-r2.hr', 'b<-r2.hr', 'home<-r2.hr',
      'a<-r1.presence', 'home<-r1.presence', // b declared hr only
      'home<-hub.homeMode',
      'tick a', 'tick b', 'tick a', 'tick b', 'tick home',
    ]);
    expect(runner.slots()).toHaveLength(5);
  });

  it('routes a companion\'s metrics to the slot whose binding names it, after the companion\'s own slots and the home\'s', () => {
    const got: string[] = [];
    const report: Detector<null, null> = {
      name: 'report', metrics: ['presence'], companionMetrics: ['spo2'], initialState: () => null,
      step: (state, r) => { got.push(`report<-${r.device}.${r.metric}`); return { state, events: [{ type: 'x.seen', severity: 'info', device: r.device, state: 'info', data: {} }] }; },
    };
    const own: Detector<null, null> = { name: 'own', initialState: () => null, step: (state, r) => { got.push(`own<-${r.device}.${r.metric}`); return { state, events: [] }; } };
    const bindings: DetectorBinding[] = [
      { detector: own, settings: () => null },
      // The bed takes the oximeter (and names itself too, which is ignored); the oximeter takes nobody.
      { detector: report, settings: () => null, companions: (id) => (id === 'bed' ? ['oxi', 'bed'] : []) },
    ];
    const pipeline = createReplayPipeline(bindings, { devices: ['oxi', 'bed'] });
    pipeline.advanceTo(1000, false);
    const events = [
      ...pipeline.feed(reading('oxi', 'spo2')),
      ...pipeline.feed(reading('oxi', 'hr')),
      ...pipeline.feed(reading('bed', 'spo2')),
      ...pipeline.feed(reading('bed', 'presence')),
    ];
    expect(got).toEqual([
      'own<-oxi.spo2', 'report<-oxi.spo2', // the bed's report, as a companion, after the oximeter's own slot
      'own<-oxi.hr',
      'own<-bed.spo2',
      'own<-bed.presence', 'report<-bed.presence',
    ]);
    // Events keep the reading's time; a companion's reading keeps its own device.
    expect(events.map((e) => `${e.ts} ${e.device}`)).toEqual(['1000 oxi', '1000 bed']);
  });
});

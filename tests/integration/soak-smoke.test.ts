/**
 * `npm run soak` in small (issue 17, point 5; faults/README.md): ten seconds of the real daemon at
 * 20x a typical home's rates prove the sampler sees what it must (RSS, descriptors, the probe's heap
 * and handles, bytes written, the database) and that the pipeline ran (an alarm reached the cloud);
 * the verdict is fed a leak to prove it fails on one. The trend itself needs minutes: `npm run soak`.
 */
import { describe, expect, it } from 'vitest';
import { judgeSoak, runSoak, type SoakSample } from '../../faults/soak/soak.js';

describe('the soak', () => {
  it('samples the running daemon: memory, descriptors, heap and handles, writes, database', async () => {
    const r = await runSoak({ durationS: 10, sampleS: 1, log: () => undefined });
    expect(r.failures).toEqual([]);
    expect(r.samples.length).toBeGreaterThanOrEqual(6);
    for (const s of r.samples) {
      expect(s.rssMb).toBeGreaterThan(20);
      expect(s.fds).toBeGreaterThan(3);
      expect(s.heapMb).toBeGreaterThan(1);
      expect(s.resources).toBeGreaterThan(0);
      expect(s.dbBytes).toBeGreaterThan(0);
    }
    // SQLite commits readings and events with real writes: the projection is not made of nothing.
    expect(r.samples.at(-1)!.storageBytes).toBeGreaterThan(0);
    expect(r.sd.projectedFieldBytesPerDay).toBeGreaterThan(0);
    expect(r.conclusive).toBe(false);
  }, 90_000);

  it('fails on growing descriptors, handles, or (over a long enough window) memory', () => {
    const flat = (i: number): SoakSample => ({ tS: i * 10, rssMb: 60, fds: 20, heapMb: 12, resources: 9, storageBytes: i * 1000, dbBytes: 1e6 });
    const run = { durationS: 600, speed: 20, radars: 2 };
    const samples = Array.from({ length: 61 }, (_, i) => flat(i));
    expect(judgeSoak(samples, run).failures).toEqual([]);
    expect(judgeSoak(samples.map((s, i) => ({ ...s, fds: 20 + i })), run).failures.join()).toMatch(/file descriptors grew/);
    expect(judgeSoak(samples.map((s, i) => ({ ...s, resources: 9 + i })), run).failures.join()).toMatch(/handles and requests grew/);
    expect(judgeSoak(samples.map((s, i) => ({ ...s, rssMb: 60 + i * 0.2 })), run).failures.join()).toMatch(/RSS grows/);
    expect(judgeSoak(samples.map((s, i) => ({ ...s, heapMb: i % 2 ? null : 12 })), run).failures.join()).toMatch(/probe/);
  });
});

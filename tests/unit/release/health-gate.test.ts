/**
 * The health gate's decision (src/release/health-gate.ts, issue 13): from samples of systemd's unit
 * state and get-status, with a fake clock. The real gate runs in tests/integration/package-*.
 */
import { describe, expect, it } from 'vitest';
import { judge, runGate, type GateSample } from '../../../src/release/health-gate.js';

const o = { version: '0.2.0', requireUplink: true, unitName: 'anjud.service' };
const healthy = (over: { pid?: number; version?: string; connected?: boolean; delivered?: number; commit?: number | null; state?: 'ok' | 'disk_full'; unit?: GateSample['unit'] } = {}): GateSample => ({
  unit: over.unit === undefined ? { activeState: 'active', subState: 'running', mainPid: over.pid ?? 100, nRestarts: 0 } : over.unit,
  status: {
    ok: true,
    data: {
      version: over.version ?? '0.2.0',
      uplink: { connected: over.connected ?? true, delivered: over.delivered ?? 0 } as never,
      storage: { state: over.state ?? 'ok', lastCommitTs: over.commit === undefined ? 2000 : over.commit, lastError: null } as never,
      release: { pid: over.pid ?? 100, startedTs: 1000, lastAttempt: null },
    },
  },
});

describe('judge', () => {
  it('healthy: unit running, the expected version answers from its main process, committing, connected', () => {
    expect(judge(healthy(), o, 0)).toEqual({ healthy: true, pid: 100 });
  });
  it.each([
    ['a unit still starting (no READY=1 yet)', healthy({ unit: { activeState: 'activating', subState: 'start', mainPid: 100, nRestarts: 0 } }), /not ready: anjud.service is activating \(start\)/],
    ['a unit restarting after a crash', healthy({ unit: { activeState: 'activating', subState: 'auto-restart', mainPid: 0, nRestarts: 3 } }), /activating \(auto-restart\), 3 restart/],
    ['the old release answering', healthy({ version: '0.1.0' }), /runs version 0\.1\.0, not 0\.2\.0/],
    ['another process than the unit\'s main one answering', { ...healthy(), unit: { activeState: 'active', subState: 'running', mainPid: 7, nRestarts: 0 } }, /main process is 7, but process 100 answers/],
    ['no commit since start', healthy({ commit: 500 }), /has not committed since the daemon started/],
    ['never a commit', healthy({ commit: null }), /has not committed/],
    ['a full disk', healthy({ state: 'disk_full' }), /the store is disk_full/],
    ['the uplink down', healthy({ connected: false }), /uplink is not connected/],
  ])('not healthy: %s', (_what, sample, reason) => {
    const v = judge(sample, o, 0);
    expect(v.healthy).toBe(false);
    expect(!v.healthy && v.reason).toMatch(reason);
  });
  it('the control socket not answering', () => {
    expect(judge({ unit: null, status: { ok: false, problem: 'ECONNREFUSED' } }, o, null)).toEqual({ healthy: false, reason: 'the control socket does not answer: ECONNREFUSED' });
  });
  it('without systemd the socket answering stands for READY', () => {
    expect(judge(healthy({ unit: null }), o, 0)).toEqual({ healthy: true, pid: 100 });
  });
  it('the uplink down but its queue draining, or not required (the old release was not connected either)', () => {
    expect(judge(healthy({ connected: false, delivered: 5 }), o, 3).healthy).toBe(true);
    expect(judge(healthy({ connected: false, delivered: 3 }), o, 3).healthy).toBe(false);
    expect(judge(healthy({ connected: false }), { ...o, requireUplink: false }, 0).healthy).toBe(true);
  });
});

describe('runGate', () => {
  const run = (samples: GateSample[], timeoutMs = 10_000) => {
    let t = 0;
    let i = 0;
    return runGate({
      ...o, timeoutMs, settleMs: 3000, intervalMs: 1000,
      sample: async () => samples[Math.min(i++, samples.length - 1)]!,
      now: () => t, sleep: async (ms) => { t += ms; },
    });
  };
  const starting = healthy({ unit: { activeState: 'activating', subState: 'start', mainPid: 100, nRestarts: 0 } });

  it('passes once healthy for the settle time with one process', async () => {
    expect(await run([starting, starting, healthy(), healthy(), healthy(), healthy()])).toEqual({ passed: true, ms: 5000 });
  });
  it('a crash during the settle time starts it over (a new process must settle too)', async () => {
    const v = await run([healthy(), healthy(), starting, healthy({ pid: 101 }), healthy({ pid: 101 }), healthy({ pid: 101 }), healthy({ pid: 101 })]);
    expect(v).toEqual({ passed: true, ms: 6000 });
  });
  it('a process replaced between two healthy samples starts it over too', async () => {
    expect(await run([healthy(), healthy(), healthy({ pid: 101 }), healthy({ pid: 101 }), healthy({ pid: 101 }), healthy({ pid: 101 })])).toEqual({ passed: true, ms: 5000 });
  });
  it('fails at the timeout with the last reason', async () => {
    const v = await run([starting], 5000);
    expect(v).toEqual({ passed: false, ms: 5000, reason: 'not healthy within 5 s: not ready: anjud.service is activating (start), 0 restart(s)' });
  });
  it('healthy only in flashes never passes', async () => {
    const v = await run([healthy(), starting, healthy({ pid: 2 }), starting, healthy({ pid: 3 }), starting, healthy({ pid: 4 }), starting], 7000);
    expect(v.passed).toBe(false);
  });
});

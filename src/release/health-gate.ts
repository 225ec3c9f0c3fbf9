import type { DaemonStatus } from '../control/status.js';

/**
 * The health gate of an upgrade (issue 13, point 3; packaging/README.md): after the release manager
 * switched releases and restarted anjud, something OUTSIDE the daemon decides whether the new release
 * works here, from what it can observe:
 * - ready: systemd says the unit is active and running (Type=notify: READY=1 was sent), and its main
 *   process is the one answering; without systemd, the control socket answering stands for it;
 * - the expected version answers `get-status` (not a process of the old release);
 * - the store committed since that process started (`storage.lastCommitTs`), and is `ok`;
 * - the uplink is connected, or it delivered something meanwhile (its queue draining), or the uplink
 *   is not required because the previous release was not connected either just before the switch
 *   (a cloud outage is not the new release's fault, and rolling back would not fix it).
 * All of it must hold continuously for `settleMs`, with the same process: a release that crashes
 * after 5 s is not healthy. Otherwise, at `timeoutMs`, the gate fails with the last reason.
 * Pure: samples and time come in (tests/unit/release/health-gate.test.ts); I/O is in the CLI.
 */
export interface UnitState { activeState: string; subState: string; mainPid: number; nRestarts: number }

export interface GateSample {
  /** null when systemd does not run here. */
  unit: UnitState | null;
  /** get-status, or why it could not be had. */
  status: { ok: true; data: Pick<DaemonStatus, 'version' | 'uplink' | 'storage' | 'release'> } | { ok: false; problem: string };
}

export interface GateOptions {
  version: string;
  requireUplink: boolean;
  unitName: string;
}

/**
 * Whether one sample is healthy (and which process answered), or why not. `firstDelivered`: the
 * uplink's delivered count in the first sample of the same process, to see its queue draining.
 */
export function judge(s: GateSample, o: GateOptions, firstDelivered: number | null): { healthy: true; pid: number } | { healthy: false; reason: string } {
  if (s.unit && !(s.unit.activeState === 'active' && s.unit.subState === 'running')) {
    return { healthy: false, reason: `not ready: ${o.unitName} is ${s.unit.activeState} (${s.unit.subState}), ${s.unit.nRestarts} restart(s)` };
  }
  if (!s.status.ok) return { healthy: false, reason: `the control socket does not answer: ${s.status.problem}` };
  const st = s.status.data;
  if (st.version !== o.version) return { healthy: false, reason: `the daemon answering runs version ${st.version}, not ${o.version}` };
  const pid = st.release?.pid;
  if (typeof pid !== 'number') return { healthy: false, reason: 'the daemon answering does not say its pid (get-status release.pid)' };
  if (s.unit && s.unit.mainPid !== pid) return { healthy: false, reason: `${o.unitName}'s main process is ${s.unit.mainPid}, but process ${pid} answers` };
  const storage = st.storage;
  if (!storage || storage.state !== 'ok') return { healthy: false, reason: `the store is ${storage ? storage.state : 'not open'}${storage?.lastError ? ` (${storage.lastError.code ?? storage.lastError.kind} in ${storage.lastError.where})` : ''}` };
  if (storage.lastCommitTs === null || storage.lastCommitTs < st.release.startedTs) return { healthy: false, reason: 'the store has not committed since the daemon started' };
  const delivered = st.uplink?.delivered ?? 0;
  const draining = firstDelivered !== null && delivered > firstDelivered;
  if (o.requireUplink && !st.uplink?.connected && !draining) return { healthy: false, reason: 'the uplink is not connected to the broker (and was before the upgrade)' };
  return { healthy: true, pid };
}

export type GateVerdict = { passed: true; ms: number } | { passed: false; reason: string; ms: number };

/**
 * Samples every `intervalMs` until healthy for `settleMs` with one process, or `timeoutMs` passed.
 * `sample` and `sleep` are the I/O; `now` a monotonic clock in ms.
 */
export async function runGate(o: GateOptions & {
  timeoutMs: number; settleMs: number; intervalMs: number;
  sample: () => Promise<GateSample>; now: () => number; sleep: (ms: number) => Promise<void>;
  onSample?: (healthy: boolean, reason: string | null) => void;
}): Promise<GateVerdict> {
  const t0 = o.now();
  let since: number | null = null;
  let pid: number | null = null;
  const first = { pid: null as number | null, delivered: null as number | null };
  let reason = 'no sample was taken';
  for (;;) {
    const s = await o.sample();
    if (s.status.ok && s.status.data.release?.pid !== first.pid) {
      first.pid = s.status.data.release?.pid ?? null;
      first.delivered = s.status.data.uplink?.delivered ?? 0;
    }
    const v = judge(s, o, first.delivered);
    const t = o.now();
    if (v.healthy) {
      if (since === null || pid !== v.pid) {
        since = t;
        pid = v.pid;
      }
      o.onSample?.(true, null);
      if (t - since >= o.settleMs) return { passed: true, ms: t - t0 };
    } else {
      since = null;
      reason = v.reason;
      o.onSample?.(false, v.reason);
    }
    if (t - t0 >= o.timeoutMs) return { passed: false, reason: `not healthy within ${Math.round(o.timeoutMs / 1000)} s: ${reason}`, ms: t - t0 };
    await o.sleep(o.intervalMs);
  }
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { ControlError, request } from '../client.js';
import { context, EXIT, run, type Ctx } from '../context.js';
import type { DaemonStatus } from '../../control/status.js';
import { runGate, type GateSample, type UnitState } from '../../release/health-gate.js';

/**
 * `anjuctl release gate|probe|report`: what the release manager (packaging/anju-release) asks of the
 * daemon around a switch, printed as `KEY=value` lines for its POSIX sh reader:
 * - `gate`: the health gate (src/release/health-gate.ts) after the switch and restart: `gate=passed|failed`,
 *   `reason=`, `ms=`; progress on stderr. Exit 0 passed, 1 failed, 2 usage.
 * - `probe`: the running daemon's `version=`, `pid=`, `uplink=connected|disconnected` (the baseline
 *   before the switch). Exit 3 when anjud does not answer.
 * - `report`: anjud reads the journal now (hub.upgraded after a confirmed upgrade): `raised=`.
 */
export async function releaseGate(o: { expectVersion: string; timeoutS: string; settleS: string; uplink: string; unit: string }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  const timeoutS = Number(o.timeoutS);
  const settleS = Number(o.settleS);
  if (!(timeoutS > 0) || !(settleS >= 0) || (o.uplink !== 'required' && o.uplink !== 'optional')) {
    ctx.err('anjuctl release gate: --timeout-s > 0, --settle-s >= 0, --uplink required|optional');
    process.exit(EXIT.USAGE);
  }
  const v = await runGate({
    version: o.expectVersion, requireUplink: o.uplink === 'required', unitName: o.unit,
    timeoutMs: timeoutS * 1000, settleMs: settleS * 1000, intervalMs: 1000,
    sample: () => sample(ctx, o.unit), now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    onSample: progress(ctx),
  });
  line(ctx, 'gate', v.passed ? 'passed' : 'failed');
  line(ctx, 'reason', v.passed ? '' : v.reason);
  line(ctx, 'ms', Math.round(v.ms));
  process.exit(v.passed ? EXIT.OK : EXIT.FAILED);
}

export async function releaseProbe(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await request(ctx.socket, 'get-status', {}, 5000);
    if (!r.ok) { ctx.err(`anjuctl: get-status: ${r.code}: ${r.message}`); return EXIT.FAILED; }
    const s = r.data as DaemonStatus;
    line(ctx, 'version', s.version);
    line(ctx, 'pid', s.release?.pid ?? 0);
    line(ctx, 'uplink', s.uplink?.connected ? 'connected' : 'disconnected');
    return EXIT.OK;
  });
}

export async function releaseReport(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await request(ctx.socket, 'report-upgrades', {}, 10_000);
    if (!r.ok) { ctx.err(`anjuctl: report-upgrades: ${r.code}: ${r.message}`); return EXIT.FAILED; }
    line(ctx, 'raised', (r.data as { raised: number }).raised);
    return EXIT.OK;
  });
}

const line = (ctx: Ctx, k: string, v: string | number) => ctx.out(`${k}=${String(v).replace(/\n/g, ' ')}`);

/** One line on stderr each time the verdict changes, so the manager's output shows the way there. */
function progress(ctx: Ctx): (healthy: boolean, reason: string | null) => void {
  let last: string | null = null;
  return (healthy, reason) => {
    const now = healthy ? 'healthy, settling' : `waiting: ${reason ?? ''}`;
    if (now !== last) ctx.err(`health-gate: ${now}`);
    last = now;
  };
}

async function sample(ctx: Ctx, unit: string): Promise<GateSample> {
  let status: GateSample['status'];
  try {
    const r = await request(ctx.socket, 'get-status', {}, 5000);
    status = r.ok ? { ok: true, data: r.data as DaemonStatus } : { ok: false, problem: `${r.code ?? '?'}: ${r.message ?? ''}` };
  } catch (err) {
    status = { ok: false, problem: err instanceof ControlError ? `${err.kind} (${err.path})` : (err as Error).message };
  }
  return { unit: unitState(unit), status };
}

/** systemd's view of the unit, or null when systemd is not PID 1 here (sd_booted(3)). */
function unitState(unit: string): UnitState | null {
  if (!existsSync('/run/systemd/system')) return null;
  const r = spawnSync('systemctl', ['show', unit, '--property=ActiveState,SubState,MainPID,NRestarts'], { encoding: 'utf8' });
  const vars = Object.fromEntries((r.stdout ?? '').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { activeState: vars.ActiveState ?? 'unknown', subState: vars.SubState ?? 'unknown', mainPid: Number(vars.MainPID ?? 0), nRestarts: Number(vars.NRestarts ?? 0) };
}

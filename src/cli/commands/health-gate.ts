import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { ControlError, request } from '../client.js';
import { context, EXIT, run, type Ctx } from '../context.js';
import type { DaemonStatus } from '../../daemon/daemon.js';
import { runGate, type GateSample, type UnitState } from '../../release/health-gate.js';

/**
 * `anjuctl health-gate`: the release manager's health gate (src/release/health-gate.ts), run by
 * packaging/anju-release after it switched releases and restarted anjud. Prints `KEY=value` lines
 * for its POSIX sh reader: `gate=passed|failed`, `reason=`, `ms=`; progress on stderr.
 * Exit 0 passed, 1 failed, 2 usage.
 * `--probe` instead prints the running daemon's `version=`, `pid=` and `uplink=connected|disconnected`
 * (the manager's baseline before it switches); exit 3 when anjud does not answer.
 */
export function registerHealthGate(program: Command): void {
  program
    .command('health-gate')
    .description('wait until anjud (the version given) is ready, committing and connected, and stays so (the release manager runs it after an upgrade)')
    .option('--expect-version <v>', 'the version that must answer')
    .option('--timeout-s <s>', 'give up after this long', '120')
    .option('--settle-s <s>', 'healthy for this long, with one process', '10')
    .option('--uplink <mode>', 'required | optional: whether the uplink must connect (optional: the previous release was not connected either)', 'required')
    .option('--unit <name>', 'the systemd unit to watch (when systemd runs)', 'anjud.service')
    .option('--probe', 'print the running daemon\'s version, pid and uplink state, and exit')
    .action(async (o: { expectVersion?: string; timeoutS: string; settleS: string; uplink: string; unit: string; probe?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const line = (k: string, v: string | number) => ctx.out(`${k}=${String(v).replace(/\n/g, ' ')}`);
      if (o.probe) {
        await run(ctx, async () => {
          const r = await request(ctx.socket, 'get-status', {}, 5000);
          if (!r.ok) { ctx.err(`anjuctl: get-status: ${r.code}: ${r.message}`); return EXIT.FAILED; }
          const s = r.data as DaemonStatus;
          line('version', s.version);
          line('pid', s.release?.pid ?? 0);
          line('uplink', s.uplink?.connected ? 'connected' : 'disconnected');
          return EXIT.OK;
        });
        return;
      }
      const timeoutS = Number(o.timeoutS);
      const settleS = Number(o.settleS);
      if (!o.expectVersion || !(timeoutS > 0) || !(settleS >= 0) || (o.uplink !== 'required' && o.uplink !== 'optional')) {
        ctx.err('anjuctl health-gate: --expect-version <v> is required; --timeout-s > 0, --settle-s >= 0, --uplink required|optional');
        process.exit(EXIT.USAGE);
      }
      const v = await runGate({
        version: o.expectVersion, requireUplink: o.uplink === 'required', unitName: o.unit,
        timeoutMs: timeoutS * 1000, settleMs: settleS * 1000, intervalMs: 1000,
        sample: () => sample(ctx, o.unit), now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        onSample: progress(ctx),
      });
      line('gate', v.passed ? 'passed' : 'failed');
      line('reason', v.passed ? '' : v.reason);
      line('ms', Math.round(v.ms));
      process.exit(v.passed ? EXIT.OK : EXIT.FAILED);
    });
}

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

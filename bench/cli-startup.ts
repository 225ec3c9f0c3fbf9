import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packagesOf, runListingModules } from './loaded-modules.js';
import { repoRoot } from './repo-root.js';
import type { BenchContext, BenchResult } from './result.js';
import { median, round } from './stats.js';

/**
 * anjuctl start-up (issue 14 point 5): the wall time of one `anjuctl` process, from spawn to exit,
 * against `node -e 0` (Node's own start-up, the floor of any CLI written in it) measured in the same
 * run. Three commands: `--help`; `status` against a socket nobody listens on (the control-socket
 * path up to the connect: exit 3); `config validate` of config/anju.example.yaml (every key: the
 * whole schema; on a machine without the /etc/anju files it names, exit 78 after the full check).
 * Ratio = median anjuctl ms ÷ median `node -e 0` ms. The processes take turns (baseline, then each
 * command, SPAWNS times per round), so a burst of load hits all of them alike. Module counts (ours
 * and npm packages) come from one extra run with a module hook (loaded-modules.ts), not timed.
 */
const SPAWNS = 2;

interface Case {
  bench: string;
  args: (sock: string, root: string) => string[];
  /** Exit codes that mean the command did its work (not a crash: 1 with a stack trace). */
  exits: readonly number[];
  /** At most this many times `node -e 0`. */
  goal: number;
}

const CASES: readonly Case[] = [
  { bench: 'cli-help', args: () => ['--help'], exits: [0], goal: 2.5 },
  { bench: 'cli-status-stopped', args: (sock) => ['--socket', sock, 'status'], exits: [3], goal: 3 },
  { bench: 'cli-config-validate', args: (_s, root) => ['config', 'validate', join(root, 'config/anju.example.yaml')], exits: [0, 78], goal: 8 },
];

function timedSpawn(node: string, args: readonly string[], env: NodeJS.ProcessEnv): { ms: number; status: number | null; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(node, args, { env, encoding: 'utf8', input: '', timeout: 60_000 });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  return { ms, status: r.status, stderr: r.stderr };
}

export function benchCliStartup(ctx: BenchContext): BenchResult[] {
  const root = repoRoot();
  const node = process.execPath;
  const anjuctl = join(root, 'dist/src/cli/anjuctl.js');
  const dir = mkdtempSync(join(ctx.tmpDir, 'anju-cli-bench-'));
  const sock = join(dir, 'nobody.sock');
  // No config or socket from the environment: every run does the same work wherever the bench runs.
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'en_US.UTF-8', ANJU_CONFIG: join(dir, 'none.yaml') };
  delete env.ANJU_SOCKET;
  try {
    const baseline: number[] = [];
    const times = CASES.map(() => [] as number[]);
    for (let round = 0; round < ctx.rounds; round++) {
      for (let i = 0; i < SPAWNS; i++) {
        baseline.push(timedSpawn(node, ['-e', '0'], env).ms);
        CASES.forEach((c, k) => {
          const r = timedSpawn(node, [anjuctl, ...c.args(sock, root)], env);
          if (!c.exits.includes(r.status ?? -1)) throw new Error(`${c.bench}: anjuctl exited ${r.status}, expected ${c.exits.join(' or ')}: ${r.stderr.slice(0, 500)}`);
          times[k]!.push(r.ms);
        });
      }
    }
    const baseMs = median(baseline);
    return CASES.map((c, k) => {
      const listed = runListingModules(node, anjuctl, c.args(sock, root), env);
      const ms = median(times[k]!);
      const ratio = round(ms / baseMs);
      ctx.log(`  ${c.bench}: ${round(ms, 1)} ms vs node -e 0 ${round(baseMs, 1)} ms (x${ratio})`);
      return {
        bench: c.bench,
        ratio,
        goal: `<= ${c.goal}`,
        pass: ratio <= c.goal,
        details: {
          medianMs: round(ms, 1),
          baselineMs: round(baseMs, 1),
          spawns: times[k]!.length,
          ourModules: listed.modules.filter((m) => !m.includes('/node_modules/')).length,
          npmModules: listed.modules.filter((m) => m.includes('/node_modules/')).length,
          packages: packagesOf(listed.modules).join(' '),
          exit: listed.status,
        },
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

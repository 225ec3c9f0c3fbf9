import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bookwormRootfs, containerInit } from './container.js';
import { requireBinary } from './peers.js';
import { sleep, waitFor } from './wait.js';

/**
 * A Debian bookworm booted with its own systemd as PID 1 (systemd-nspawn --boot), for what only a real
 * service manager shows: a unit's sandbox (User=, NoNewPrivileges=, ProtectSystem=), READY/STATUS,
 * restarts, path units. It shares the host's network, so a Mosquitto or an HTTPS server on the host's
 * 127.0.0.1 is reachable from inside. The minimal root file system is made once with debootstrap,
 * shared with the package tests (tests/helpers/container.ts; or $ANJU_TEST_ROOTFS); each test boots a
 * throw-away copy of it. `repo` is bind-mounted read-only at REPO_INSIDE (not at its own path: nspawn
 * mounts a fresh tmpfs on the container's /tmp, which hid a checkout under /tmp), so the build and its Node
 * run inside unchanged.
 * Peers: debootstrap, systemd-container (systemd-nspawn); missing ones fail loudly.
 */

/** Where the repository is inside the container: link to `join(REPO_INSIDE, 'dist')`, never to the host path. */
export const REPO_INSIDE = '/anju-repo';

export interface Container {
  readonly root: string;
  /** Runs a command inside (all the container's namespaces), as root. */
  exec(argv: string[], o?: { input?: string }): SpawnSyncReturns<string>;
  /** `systemctl show UNIT -p NAME`'s value. */
  property(unit: string, name: string): string;
  log(): string;
  stop(): Promise<void>;
}

/** The bookworm root the package tests use too (tests/helpers/container.ts): one debootstrap per machine. */
export function ensureRootfs(): string {
  return bookwormRootfs();
}

/** A copy of the base root, prepared by `prepare(root)` (files written from the host), then booted. */
export async function bootContainer(o: { repo: string; prepare: (root: string) => void }): Promise<Container> {
  const nspawn = requireBinary('systemd-nspawn', 'systemd-container');
  const base = ensureRootfs();
  const work = mkdtempSync(join('/var/tmp', 'anju-nspawn-'));
  const root = join(work, 'root');
  const cp = spawnSync('cp', ['-a', base, root], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cannot copy ${base}: ${cp.stderr}`);
  mkdirSync(join(root, REPO_INSIDE), { recursive: true });
  o.prepare(root);
  let out = '';
  const proc: ChildProcess = spawn(nspawn, ['-D', root, '--register=no', '--keep-unit', '--boot', `--bind-ro=${o.repo}:${REPO_INSIDE}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise((r) => proc.once('exit', r));
  // The container's systemd (containerInit): once it runs systemd, its pid stays the container's init.
  const init = await waitFor('the container\'s systemd', () => {
    if (proc.exitCode !== null) throw new Error(`systemd-nspawn exited: ${out}`);
    return containerInit(proc.pid!) ?? undefined;
  }, 30_000);
  const exec = (argv: string[], x: { input?: string } = {}) =>
    spawnSync('nsenter', ['-t', String(init), '-a', ...argv], { encoding: 'utf8', timeout: 60_000, ...(x.input !== undefined ? { input: x.input } : {}) });
  const c: Container = {
    root,
    exec,
    property: (unit, name) => exec(['systemctl', 'show', unit, '-p', name, '--value']).stdout.trim(),
    log: () => out,
    async stop() {
      if (proc.exitCode === null) {
        exec(['systemctl', 'poweroff']);
        const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
        if (!done) { proc.kill('SIGKILL'); await exited; }
      }
      // The repository was bound inside the container's own mount namespace only; should it ever be
      // visible here (a mount left behind), deleting the copy would delete the repository: never.
      if (readdirSync(join(root, REPO_INSIDE)).length > 0) throw new Error(`${join(root, REPO_INSIDE)} is not empty after the container stopped: not deleting ${work}`);
      rmSync(work, { recursive: true, force: true });
    },
  };
  try {
    // 120 s as in tests/helpers/container.ts: with the whole suite on 2 cores, a boot that takes 13 s
    // alone once needed more than 60 (it had reached graphical.target when the wait gave up).
    await waitFor('the container booted', () => /^(running|degraded)$/.test(exec(['systemctl', 'is-system-running']).stdout.trim()), 120_000, () => out);
  } catch (err) {
    await c.stop(); // no container left running behind a failed test
    throw err;
  }
  return c;
}

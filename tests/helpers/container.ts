import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './peers.js';
import { waitFor } from './wait.js';

/**
 * A real Debian 12 with systemd as PID 1, for what needs it (issue 13: dpkg -i, READY=1, restarts,
 * the health gate, the unit's sandbox): a debootstrapped bookworm booted with systemd-nspawn. It
 * shares this machine's network, so a Mosquitto on 127.0.0.1 here is reachable from inside.
 * Commands run inside with nsenter (no machined on the host: --register=no).
 *
 * The root file system is made once per machine by debootstrap (about a minute and a half, from
 * deb.debian.org; ROOTFS_CACHE) and copied for each container, so every run starts from a fresh Debian.
 * Peers: debootstrap, systemd-container (systemd-nspawn), util-linux (nsenter). Missing ones fail loudly.
 */
export const ROOTFS_PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'socat', 'procps'];
const ROOTFS_CACHE = process.env.ANJU_TEST_ROOTFS ?? `/var/cache/anju-test/bookworm-${ROOTFS_PACKAGES.join('-')}`;
const MIRROR = process.env.ANJU_TEST_MIRROR ?? 'http://deb.debian.org/debian';

export interface Container {
  /** The container's root directory, as seen from here. */
  readonly root: string;
  exec(cmd: string, o?: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** exec, failing with its output unless it exits 0. */
  run(cmd: string, o?: { timeoutMs?: number }): Promise<string>;
  log(): string;
  stop(): Promise<void>;
}

/** The cached bookworm root (made now if missing; a lock keeps two runs from making it at once). */
export function bookwormRootfs(log: (line: string) => void = () => undefined): string {
  if (existsSync(join(ROOTFS_CACHE, '.complete'))) return ROOTFS_CACHE;
  const debootstrap = requireBinary('debootstrap', 'debootstrap');
  mkdirSync(join(ROOTFS_CACHE, '..'), { recursive: true });
  const lock = `${ROOTFS_CACHE}.lock`;
  const fd = openSync(lock, 'w');
  try {
    // flock(1) on the lock file: a second test run waits for the first one's debootstrap.
    const r = spawnSync('flock', [lock, 'sh', '-c', `test -e "${ROOTFS_CACHE}/.complete" || { rm -rf "${ROOTFS_CACHE}.tmp" && ${debootstrap} --variant=minbase --include=${ROOTFS_PACKAGES.join(',')} bookworm "${ROOTFS_CACHE}.tmp" ${MIRROR} && touch "${ROOTFS_CACHE}.tmp/.complete" && rm -rf "${ROOTFS_CACHE}" && mv "${ROOTFS_CACHE}.tmp" "${ROOTFS_CACHE}"; }`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
    log(`debootstrap: exit ${r.status}`);
    if (r.status !== 0) throw new Error(`debootstrap of bookworm into ${ROOTFS_CACHE} failed (exit ${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  } finally {
    closeSync(fd);
  }
  return ROOTFS_CACHE;
}

/**
 * The container's init (its PID 1, seen from here): the child of systemd-nspawn that runs systemd.
 * Only once it runs systemd: right after the start, nspawn's child is still nspawn itself setting up
 * the container's namespaces. From then on the same pid is the container's init.
 */
export function containerInit(nspawnPid: number): number | null {
  const r = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(nspawnPid)], { encoding: 'utf8' });
  for (const line of r.stdout.trim().split('\n')) {
    const [pid, comm] = line.trim().split(/\s+/);
    if ((comm === 'systemd' || comm === 'init') && Number(pid) > 0) return Number(pid);
  }
  return null;
}

export async function bootContainer(name: string): Promise<Container> {
  const nspawn = requireBinary('systemd-nspawn', 'systemd-container');
  const nsenter = requireBinary('nsenter', 'util-linux');
  const base = bookwormRootfs();
  const root = join(tmpdir(), `anju-ct-${name}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  // cp -a: device nodes, owners and links as they are (fs.cp refuses device nodes).
  const cp = spawnSync('cp', ['-a', base, `${root}.tmp`], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cannot copy the root file system ${base}: ${cp.stderr}`);
  renameSync(`${root}.tmp`, root);
  let out = '';
  const proc: ChildProcess = spawn(nspawn, ['-D', root, '--register=no', '--keep-unit', '--boot', '--console=pipe', `--machine=${name}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let init: number | null = null;
  const leader = (): number | null => (init ??= containerInit(proc.pid!));
  const exec: Container['exec'] = (cmd, o = {}) => new Promise((resolve) => {
    const pid = leader();
    if (pid === null) { resolve({ code: null, stdout: '', stderr: 'the container is not running' }); return; }
    execFile(nsenter, ['--target', String(pid), '--mount', '--uts', '--ipc', '--net', '--pid', '--',
      '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8', 'TERM=dumb', '/bin/sh', '-c', cmd],
    { encoding: 'utf8', timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
  const c: Container = {
    root,
    exec,
    async run(cmd, o) {
      const r = await exec(cmd, o);
      if (r.code !== 0) throw new Error(`in the container, \`${cmd}\` exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    log: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      await exec('systemctl poweroff --no-block', { timeoutMs: 10_000 });
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
      if (!stopped) { proc.kill('SIGKILL'); await exited; }
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('the container booted (systemd running)', async () => {
      if (proc.exitCode !== null) throw new Error(`systemd-nspawn exited ${proc.exitCode}:\n${out}`);
      const r = await exec('systemctl is-system-running', { timeoutMs: 10_000 });
      return ['running', 'degraded'].includes(r.stdout.trim());
    }, 120_000, () => out.slice(-4000));
  } catch (err) {
    await c.stop();
    throw err;
  }
  return c;
}

/** A file inside the container, read from here. */
export const readIn = (c: Container, path: string): string => readFileSync(join(c.root, path), 'utf8');

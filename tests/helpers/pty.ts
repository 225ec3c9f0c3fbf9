import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, lstatSync, openSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './peers.js';
import { waitFor } from './wait.js';

/**
 * A real serial line: socat joins two ptys. The daemon opens `devicePath` as its radar port;
 * the test writes the radar's bytes into `simPath`. `unplug()` kills socat, which makes both
 * ptys vanish like a USB adapter pulled out; `plug()` brings them back under the same names.
 *
 * The names are symlinks to /dev/pts/N. The kernel hands out the lowest free N, so a pty number
 * freed by one test is the next one another test (running in parallel) gets: a link left behind
 * after socat died would lead a daemon that keeps reopening its "unplugged" port straight into
 * another test's line (seen: the walk test's radar "open but silent" instead of "not open").
 * So `unplug()` removes the links, as the kernel removes /dev/ttyUSB0 when the adapter goes, and
 * `plug()` returns only once the links are this socat's own.
 */
export interface PtyPair {
  readonly devicePath: string;
  readonly simPath: string;
  write(bytes: Uint8Array): void;
  plug(): Promise<void>;
  unplug(): Promise<void>;
}

const isLink = (path: string): boolean => {
  try { return lstatSync(path).isSymbolicLink(); } catch { return false; }
};
const linkTarget = (path: string): string | null => {
  try { return readlinkSync(path); } catch { return null; }
};

export async function createPtyPair(dir: string, name = 'radar'): Promise<PtyPair> {
  const bin = requireBinary('socat', 'socat');
  const devicePath = join(dir, `${name}.dev`);
  const simPath = join(dir, `${name}.sim`);
  let proc: ChildProcess | null = null;
  let ptys: string[] = [];
  let fd: number | null = null;
  const pair: PtyPair = {
    devicePath,
    simPath,
    write(bytes) {
      if (fd === null) fd = openSync(simPath, 'r+');
      writeSync(fd, bytes);
    },
    async plug() {
      // Two live pairs under one name would share the links: the second silently takes them over.
      for (const p of [devicePath, simPath]) {
        if (isLink(p)) throw new Error(`${p} already exists: another pty pair uses the name "${name}" in ${dir}; give each pair its own name`);
      }
      // -d -d: socat names its ptys ("N PTY is /dev/pts/5") and says when the links are made.
      const child = spawn(bin, ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${simPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      proc = child;
      let err = '';
      child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
      await waitFor('socat pty links', () => {
        if (child.exitCode !== null) throw new Error(`socat exited (${child.exitCode}): ${err}`);
        if (!err.includes('starting data transfer loop')) return false;
        ptys = [...err.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
        return linkTarget(devicePath) === ptys[0] && linkTarget(simPath) === ptys[1];
      }, 10_000, () => err);
    },
    async unplug() {
      if (fd !== null) { closeSync(fd); fd = null; }
      const p = proc;
      proc = null;
      if (p && p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        await exited;
      }
      // SIGKILL leaves socat no chance to remove its links: the device nodes go, as with real hardware.
      if (linkTarget(devicePath) === ptys[0]) rmSync(devicePath, { force: true });
      if (linkTarget(simPath) === ptys[1]) rmSync(simPath, { force: true });
    },
  };
  await pair.plug();
  return pair;
}

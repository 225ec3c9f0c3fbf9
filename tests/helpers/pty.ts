import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './peers.js';
import { waitFor } from './wait.js';

/**
 * A real serial line: socat joins two ptys. The daemon opens `devicePath` as its radar port;
 * the test writes the radar's bytes into `simPath`. `unplug()` kills socat, which makes both
 * ptys vanish like a USB adapter pulled out; `plug()` brings them back under the same names.
 */
export interface PtyPair {
  readonly devicePath: string;
  readonly simPath: string;
  write(bytes: Uint8Array): void;
  plug(): Promise<void>;
  unplug(): Promise<void>;
}

export async function createPtyPair(dir: string, name = 'radar'): Promise<PtyPair> {
  const bin = requireBinary('socat', 'socat');
  const devicePath = join(dir, `${name}.dev`);
  const simPath = join(dir, `${name}.sim`);
  let proc: ChildProcess | null = null;
  let fd: number | null = null;
  const pair: PtyPair = {
    devicePath,
    simPath,
    write(bytes) {
      if (fd === null) fd = openSync(simPath, 'r+');
      writeSync(fd, bytes);
    },
    async plug() {
      proc = spawn(bin, [`pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${simPath}`], { stdio: 'ignore' });
      await waitFor('socat pty links', () => existsSync(devicePath) && existsSync(simPath), 5000);
    },
    async unplug() {
      if (fd !== null) { closeSync(fd); fd = null; }
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
      await waitFor('socat pty links to vanish', () => !existsSync(devicePath), 5000);
    },
  };
  await pair.plug();
  return pair;
}

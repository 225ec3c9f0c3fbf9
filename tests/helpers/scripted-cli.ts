import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { serialPortsOpen } from './control.js';
import { ROOT } from './daemon-process.js';
import { WAIT_MS, waitFor } from './wait.js';

export const ANJUCTL = join(ROOT, 'dist/src/cli/anjuctl.js');

/**
 * anjuctl driven by a scripted technician: stdin is a pipe the test writes answers into when the
 * prompt it expects has appeared on stdout (or stderr), as a person at the terminal would.
 */
export interface ScriptedCli {
  readonly proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits until the output (stdout + stderr) matches `re` at least `count` times. */
  waitForOutput(re: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  answer(line: string): void;
  exited: Promise<number | null>;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): ScriptedCli {
  const proc = spawn(process.execPath, [ANJUCTL, ...args], { env: { ...process.env, LANG: 'en_US.UTF-8', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  // 'close', not 'exit': 'exit' may come before the last of stdout and stderr has been read, and a
  // test reads them as soon as this resolves (seen on a loaded machine: a report's last lines missing).
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    async waitForOutput(re, count = 1, timeoutMs = 20_000) {
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
      await waitFor(`anjuctl output ${re}`, () => ((out + err).match(g)?.length ?? 0) >= count, timeoutMs, () => `stdout:\n${out}\nstderr:\n${err}`);
    },
    answer(line) { proc.stdin!.write(`${line}\n`); },
    exited,
  };
}

/** A one-shot anjuctl run (no stdin). */
export function ctl(args: string[], env: Record<string, string> = {}, timeout = 30_000) {
  return spawnSync(process.execPath, [ANJUCTL, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', ...env }, timeout, input: '' });
}

/**
 * Waits until every serial device of the daemon has its port open. The first open of a fresh socat
 * pty occasionally fails with "Cannot lock port" and the transport retries a moment later; tests
 * that feed frames must not start before that. Asks the control socket from this process: polling
 * with anjuctl cost a Node start-up (~0.5 s of CPU) every 50 ms.
 */
export async function waitForPortOpen(socket: string, timeoutMs = WAIT_MS): Promise<void> {
  await waitFor('serial ports open (control socket get-status)', () => serialPortsOpen(socket), timeoutMs);
}

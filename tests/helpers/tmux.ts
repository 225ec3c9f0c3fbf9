import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { requireBinary } from './peers.js';
import { waitFor } from './wait.js';

/**
 * A technician at a real terminal: a tmux server of the test's own (its socket in the test's dir),
 * one session of a given size running bash with a bare prompt (`$ `), commands typed with
 * send-keys, the screen read back with capture-pane (-e: with colour codes). Each command ends with
 * a marker line (`@@<n> <exit code>`) so the test knows it finished and what it printed.
 */
export interface Terminal {
  /** Types `line` and Enter; returns the command's number for `output`/`waitForExit`. */
  run(line: string): number;
  /** Types `keys` (then Enter unless `enter` is false), for a program that is asking. */
  type(keys: string, enter?: boolean): void;
  /** The whole scrollback, with ANSI colour codes. */
  capture(): string;
  /** Waits until the screen matches `re` (ANSI stripped); returns the screen. */
  waitForScreen(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for command `n` to finish; its exit code and what it printed (with colour codes), prompt lines left out. */
  finished(n: number, timeoutMs?: number): Promise<{ code: number; output: string }>;
  kill(): void;
}

export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

export function startTerminal(dir: string, name: string, o: { width: number; height: number; env: Record<string, string> }): Terminal {
  const tmux = requireBinary('tmux', 'tmux');
  const sock = join(dir, `tmux-${name}.sock`);
  const t = (...args: string[]) => execFileSync(tmux, ['-u', '-S', sock, ...args], { encoding: 'utf8', env: { ...process.env, ...o.env } });
  const env = Object.entries(o.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  t('new-session', '-d', '-s', name, '-x', String(o.width), '-y', String(o.height), ...env, 'env', 'PS1=$ ', 'bash', '--norc', '--noprofile');
  t('set-option', '-t', name, 'history-limit', '20000');
  let n = 0;
  const capture = () => t('capture-pane', '-p', '-e', '-J', '-S', '-', '-t', name);
  return {
    run(line) {
      n += 1;
      t('send-keys', '-t', name, '-l', `${line}; echo @@${n} $?`);
      t('send-keys', '-t', name, 'Enter');
      return n;
    },
    type(keys, enter = true) {
      if (keys) t('send-keys', '-t', name, '-l', keys);
      if (enter) t('send-keys', '-t', name, 'Enter');
    },
    capture,
    waitForScreen: (re, timeoutMs = 30_000) => waitFor(`terminal ${name} shows ${re}`, () => {
      const s = stripAnsi(capture());
      return re.test(s) ? s : false;
    }, timeoutMs, () => stripAnsi(capture())),
    async finished(k, timeoutMs = 60_000) {
      const end = new RegExp(`^@@${k} (\\d+)$`, 'm');
      const screen = await waitFor(`command ${k} finished in terminal ${name}`, () => {
        const s = capture();
        return end.test(stripAnsi(s)) ? s : false;
      }, timeoutMs, () => stripAnsi(capture()));
      const lines = screen.split('\n');
      const start = lines.findIndex((l) => stripAnsi(l).includes(`echo @@${k} $?`));
      const stop = lines.findIndex((l) => end.test(stripAnsi(l)));
      const code = Number(end.exec(stripAnsi(screen))![1]);
      return { code, output: lines.slice(start + 1, stop).join('\n') };
    },
    kill() {
      try { t('kill-server'); } catch { /* already gone */ }
    },
  };
}

import { Worker } from 'node:worker_threads';
import { deepFreeze, ruleProblem, type ConfigResult } from './result.js';
import type { RemoteContext } from './remote-policy.js';

/**
 * Config validation for the running daemon, in a short-lived worker thread (validate-worker.ts).
 * zod and the schema cost resident memory once loaded (the module code, the schema objects, and the
 * V8 heap growth loading them leaves behind: the daemon started with ~9 MB more RSS when it
 * validated in-thread), and the daemon needs them only to validate: at start-up and for the
 * cloud's set-config. The worker loads them, returns the parsed
 * config with every default filled in (or every problem, with file:line:col, key path, expected and
 * found, exactly as loadConfigFile reports them) and exits, taking that memory with it.
 * `anjud --check-config` and anjuctl, which exit right after, validate in-thread (load.ts).
 */
export type ValidateRequest = { kind: 'file'; file: string } | { kind: 'text'; text: string } | { kind: 'remote'; text: string; remote: RemoteContext };

/**
 * How long a set-config's text may take to validate, worker start included. The example config
 * takes about 2 s on a busy 2-core VM, most of it loading zod and the schema; a hostile 1 MiB
 * document (deep nesting such as `- - - - …`, which yaml answers with a stack overflow per level, or
 * 100k keys in one mapping) took 6-20 s of one core there, and longer on a Pi. Past this bound the
 * worker is terminated and the text refused, so one set-config costs at most this much CPU (and one
 * runs at a time: ANJU_CMD_BUSY). Start-up (a local file) has no bound.
 */
export const SET_CONFIG_VALIDATE_TIMEOUT_MS = 30_000;

function validateInWorker(req: ValidateRequest, timeoutMs?: number): Promise<ConfigResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./validate-worker.js', import.meta.url), { workerData: req });
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      resolve({ ok: false, problems: [ruleProblem('', 'ANJU_CFG_TOO_SLOW', { s: timeoutMs / 1000 })] });
      void worker.terminate();
    }, timeoutMs);
    // The structured clone is a fresh object: freeze it again, as loadConfigFile does.
    worker.once('message', (r: ConfigResult) => resolve(r.ok ? { ...r, config: deepFreeze(r.config) } : r));
    worker.once('error', reject);
    // After a result this does nothing (a promise settles once).
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the config validation worker exited (code ${code}) without a result`));
    });
  });
}

/** `loadConfigFile` (load.ts), off the main thread. Rejects only if the worker itself fails. */
export const loadConfigFileOffThread = (file: string): Promise<ConfigResult> => validateInWorker({ kind: 'file', file });

/** `validateConfigText` (load.ts), off the main thread, for set-config on site. Rejects only if the worker itself fails. */
export const validateConfigTextOffThread = (text: string, timeoutMs = SET_CONFIG_VALIDATE_TIMEOUT_MS): Promise<ConfigResult> =>
  validateInWorker({ kind: 'text', text }, timeoutMs);

/** `validateRemoteConfigText` (load.ts: a config from the cloud), off the main thread. Rejects only if the worker itself fails. */
export const validateRemoteConfigTextOffThread = (text: string, remote: RemoteContext, timeoutMs = SET_CONFIG_VALIDATE_TIMEOUT_MS): Promise<ConfigResult> =>
  validateInWorker({ kind: 'remote', text, remote }, timeoutMs);

/**
 * Worker thread entry of validate-off-thread.ts: loads the schema (zod, yaml, every settings
 * schema), validates one config, posts the ConfigResult back as plain data, and ends. Its heap,
 * with zod in it, goes away with the thread; the daemon's own heap never holds the schema.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigFile, validateConfigText, validateRemoteConfigText } from './load.js';
import type { ConfigResult } from './result.js';
import type { ValidateRequest } from './validate-off-thread.js';

const req = workerData as ValidateRequest;
let result: ConfigResult;
try {
  result = req.kind === 'file' ? loadConfigFile(req.file) : req.kind === 'text' ? validateConfigText(req.text) : validateRemoteConfigText(req.text, req.remote);
} catch (err) {
  // Validation never throws for bad input (load.ts); should it all the same, the verdict on this text
  // is still "invalid" (exit 78, ANJU_CMD_INVALID_CONFIG), not a failed worker (exit 1).
  result = { ok: false, problems: [{ path: '', message: `cannot validate this config: ${(err as Error).message}` }] };
}
parentPort!.postMessage(result);

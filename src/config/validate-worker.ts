/**
 * Worker thread entry of validate-off-thread.ts: loads the schema (zod, yaml, every settings
 * schema), validates one config, posts the ConfigResult back as plain data, and ends. Its heap,
 * with zod in it, goes away with the thread; the daemon's own heap never holds the schema.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigFile, validateConfigText } from './load.js';
import type { ValidateRequest } from './validate-off-thread.js';

const req = workerData as ValidateRequest;
parentPort!.postMessage(req.kind === 'file' ? loadConfigFile(req.file) : validateConfigText(req.text));

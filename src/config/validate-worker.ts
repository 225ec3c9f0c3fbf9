/**
 * Worker thread entry of validate-off-thread.ts: loads the schema (zod, yaml, every settings
 * schema), validates one config, posts the ConfigResult back as plain data, and ends. Its heap,
 * with zod in it, goes away with the thread; the daemon's own heap never holds the schema. The
 * validators never throw (load.ts): whatever the text, the answer is a verdict, never a failed worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigFile, validateConfigText, validateRemoteConfigText } from './load.js';
import type { ValidateRequest } from './validate-off-thread.js';

const req = workerData as ValidateRequest;
parentPort!.postMessage(req.kind === 'file' ? loadConfigFile(req.file) : req.kind === 'text' ? validateConfigText(req.text) : validateRemoteConfigText(req.text, req.remote));

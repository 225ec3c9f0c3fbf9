import { open, stat, truncate } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { get } from 'node:https';
import { UpdateErrors, type UpdateOutcome } from './errors.js';

/**
 * Downloads an update package over HTTPS into `file`, resuming with an HTTP Range request from what
 * the file already holds (after a dropped connection, or a command sent again after anjud restarted),
 * and never taking more than the announced `size`: the size is signed, so a server that sends more is
 * cut off and refused, whatever it says in Content-Length. TLS is verified against the system's CAs
 * (plus NODE_EXTRA_CA_CERTS, for a district CA); redirects are followed to https only.
 */
export interface DownloadOptions {
  url: string;
  file: string;
  size: number;
  /** Connection or read idle longer than this: the attempt is dropped and resumed. */
  stallMs: number;
  maxAttempts: number;
  /** Before attempt n (1-based, n >= 2): how long to wait. */
  retryDelayMs: (attempt: number) => number;
  signal: AbortSignal;
  /** Bytes the file holds now; called as data arrives. May abort the download by returning a failure. */
  onProgress: (received: number) => UpdateOutcome | null;
  /** An attempt that failed and will be resumed: why, and from which byte. */
  onRetry: (why: string, from: number, attempt: number) => void;
}

const MAX_REDIRECTS = 5;

class Permanent extends Error {
  constructor(readonly code: (typeof UpdateErrors)[keyof typeof UpdateErrors], message: string) {
    super(message);
  }
}

export async function download(o: DownloadOptions): Promise<UpdateOutcome<{ resumedFrom: number[] }>> {
  const resumedFrom: number[] = [];
  let lastError = '';
  for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
    if (o.signal.aborted) return { ok: false, code: UpdateErrors.INTERRUPTED, message: 'stopped' };
    let have = await fileSize(o.file);
    if (have > o.size) {
      await truncate(o.file, 0); // a leftover longer than the package cannot be part of it
      have = 0;
    }
    if (have === o.size) return { ok: true, value: { resumedFrom } };
    if (attempt > 1) {
      o.onRetry(lastError, have, attempt);
      await sleep(o.retryDelayMs(attempt), o.signal);
      if (have > 0) resumedFrom.push(have);
    }
    try {
      await attemptOnce(o, have);
    } catch (err) {
      if (err instanceof Permanent) return { ok: false, code: err.code, message: err.message };
      if (o.signal.aborted) return { ok: false, code: UpdateErrors.INTERRUPTED, message: 'stopped' };
      lastError = (err as Error).message;
      continue;
    }
  }
  if (await fileSize(o.file) === o.size) return { ok: true, value: { resumedFrom } };
  return { ok: false, code: UpdateErrors.DOWNLOAD, message: `gave up after ${o.maxAttempts} attempts: ${lastError}` };
}

/** One request from byte `from`; resolves when the file is complete, throws otherwise. */
async function attemptOnce(o: DownloadOptions, from: number): Promise<void> {
  const res = await request(o, o.url, from, 0);
  const fh = await open(o.file, from > 0 && res.statusCode === 206 ? 'a' : 'w', 0o640);
  let have = from > 0 && res.statusCode === 206 ? from : 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (have + chunk.length > o.size) {
        res.destroy();
        throw new Permanent(UpdateErrors.SIZE_MISMATCH, `the server sent more than the signed size of ${o.size} bytes`);
      }
      try {
        await fh.write(chunk);
      } catch (err) {
        res.destroy();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new Permanent(UpdateErrors.NO_SPACE, `the disk is full: ${(err as Error).message}`);
        throw new Permanent(UpdateErrors.DOWNLOAD, `cannot write ${o.file}: ${(err as Error).message}`);
      }
      have += chunk.length;
      const stop = o.onProgress(have);
      if (stop && !stop.ok) {
        res.destroy();
        throw new Permanent(stop.code, stop.message);
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (!res.complete) throw new Error(`the connection was cut at byte ${have} of ${o.size}`);
  if (have !== o.size) throw new Permanent(UpdateErrors.SIZE_MISMATCH, `the server sent ${have} bytes in all, the signed size is ${o.size}`);
}

/** GET `url` from byte `from`, following https redirects; a response whose status and range fit, or a throw. */
function request(o: DownloadOptions, url: string, from: number, redirects: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Permanent(UpdateErrors.URL, `not a URL: ${url}`));
      return;
    }
    if (u.protocol !== 'https:') {
      reject(new Permanent(UpdateErrors.URL, `redirected to ${u.protocol}//: only https is followed`));
      return;
    }
    const req = get(u, { headers: from > 0 ? { Range: `bytes=${from}-` } : {}, signal: o.signal, timeout: o.stallMs }, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) reject(new Permanent(UpdateErrors.DOWNLOAD, `more than ${MAX_REDIRECTS} redirects`));
        else resolve(request(o, new URL(res.headers.location, u).toString(), from, redirects + 1));
        return;
      }
      const fail = (e: Error) => { res.resume(); reject(e); };
      if (status === 206) {
        // bytes <first>-<last>/<total>: it must continue exactly where the file ends.
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
        if (!m || Number(m[1]) !== from) return fail(new Error(`the server answered the range from ${from} with ${res.headers['content-range'] ?? 'no Content-Range'}`));
        if (m[3] !== '*' && Number(m[3]) !== o.size) return fail(new Permanent(UpdateErrors.SIZE_MISMATCH, `the server's file has ${m[3]} bytes, the signed size is ${o.size}`));
      } else if (status === 200) {
        const length = res.headers['content-length'];
        if (length !== undefined && Number(length) !== o.size) return fail(new Permanent(UpdateErrors.SIZE_MISMATCH, `the server's file has ${length} bytes, the signed size is ${o.size}`));
      } else if (status === 416 || (status >= 400 && status < 500 && status !== 408 && status !== 429)) {
        return fail(new Permanent(UpdateErrors.DOWNLOAD, `HTTP ${status} from ${u.host}`));
      } else {
        return fail(new Error(`HTTP ${status} from ${u.host}`)); // 5xx, 408, 429: try again
      }
      res.setTimeout(o.stallMs, () => res.destroy(new Error(`no data for ${o.stallMs / 1000} s`)));
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer for ${o.stallMs / 1000} s`)));
    req.on('error', reject);
  });
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

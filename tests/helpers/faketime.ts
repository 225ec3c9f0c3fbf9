import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './peers.js';

/**
 * Steps the wall clock of ONE process (the daemon), not the machine's: libfaketime (Debian package
 * `faketime`) preloaded into it, reading its offset from a file on every call (FAKETIME_NO_CACHE),
 * with the monotonic clock left alone (FAKETIME_DONT_FAKE_MONOTONIC), as NTP stepping the clock
 * would. `set(offsetS)` moves the process's wall clock to real time + offsetS from its next read.
 */
export interface FakeWallClock {
  /** Environment for spawnDaemon({ env }). */
  readonly env: Readonly<Record<string, string>>;
  set(offsetS: number): void;
}

/** libfaketimeMT.so.1 (the multi-threaded build: Node runs threads), wherever this distribution put it. */
function libfaketime(): string {
  requireBinary('faketime', 'faketime');
  const dirs = ['/usr/lib/faketime', ...readdirSync('/usr/lib').map((d) => join('/usr/lib', d, 'faketime'))];
  const lib = dirs.map((d) => join(d, 'libfaketimeMT.so.1')).find((f) => existsSync(f));
  if (!lib) throw new Error('libfaketimeMT.so.1 not found under /usr/lib: install it: sudo apt-get install -y faketime');
  return lib;
}

export function fakeWallClock(dir: string, offsetS = 0): FakeWallClock {
  const file = join(dir, 'faketime-offset');
  const set = (s: number): void => writeFileSync(file, `${s >= 0 ? '+' : ''}${s}\n`);
  set(offsetS);
  const env = { LD_PRELOAD: libfaketime(), FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
  // A clock that does not move would let a test pass for the wrong reason: check that Node under
  // libfaketime sees an offset in Date.now() and not in process.hrtime (the monotonic clock).
  const probeFile = join(dir, 'faketime-probe');
  writeFileSync(probeFile, '-3600\n');
  const check = spawnSync(process.execPath, ['-e', 'console.log(Date.now(), String(process.hrtime.bigint()))'], {
    env: { ...process.env, ...env, FAKETIME_TIMESTAMP_FILE: probeFile }, encoding: 'utf8',
  });
  const [wall, mono] = check.stdout.trim().split(' ').map(Number);
  const realWall = Date.now();
  const realMono = Number(process.hrtime.bigint());
  if (check.status !== 0 || !(Math.abs(wall! - (realWall - 3_600_000)) < 60_000) || !(Math.abs(mono! - realMono) < 60e9)) {
    throw new Error(`libfaketime does not step Node's wall clock alone here: wall ${wall} (expected ~${realWall - 3_600_000}), monotonic ${mono} ns (expected ~${realMono}). ${check.stderr}`);
  }
  return { env, set };
}

/**
 * Acceptance, issue 7 ("systemd and the device"):
 *  - the shipped unit rates <= 2.5 in `systemd-analyze security --offline=true`, and a copy of it whose
 *    ExecStart points at the built daemon passes `systemd-analyze verify` without a word;
 *  - the udev rules are well-formed and name the radar, RS-485 and Zigbee adapters;
 *  - the release manager's resume unit passes `systemd-analyze verify` too (the package itself, with
 *    systemd as PID 1, is tested in tests/integration/package-e2e.test.ts);
 *  - the watchdog: the real built daemon, with NOTIFY_SOCKET on a datagram socket this test reads
 *    and WATCHDOG_USEC=1 s, says READY=1 and STATUS= and pings WATCHDOG=1; the pings stop while its
 *    main loop is frozen (a real busy loop run in it through the inspector, not SIGSTOP) and while
 *    another process holds SQLite's write lock so the store cannot commit (the daemon still alive),
 *    and come back when the loop or the store does.
 * systemd is not PID 1 here (nor in CI): nothing is started by systemd; its tools are run directly.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSdNotify, systemdNotifySender, type NotifyLog, type NotifySender } from '../../src/daemon/sd-notify.js';
import { ANJUD, ROOT, spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { freePort, requireBinary } from '../helpers/peers.js';
import { createPtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { connectInspector, createNotifyListener, processState } from '../helpers/watchdog-peers.js';
import { breath, presence } from './frames.js';
import { shippedEnvironment } from '../../bench/shipped-node-options.js';

const UNIT = join(ROOT, 'systemd/anjud.service');
const RULES = join(ROOT, 'systemd/99-anju-serial.rules');
/** The ExecStart binary of the shipped unit: the release in force's wrapper (packaging/README.md). */
const SHIPPED_BIN = '/usr/lib/anju/current/bin/anjud';
const RESUME_UNIT = join(ROOT, 'systemd/anju-release-resume.service');

const dir = mkdtempSync(join(tmpdir(), 'anju-systemd-'));
const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

function analyze(args: string[]): { status: number | null; out: string } {
  const bin = requireBinary('systemd-analyze', 'systemd');
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('systemd/anjud.service', () => {
  it('rates 2.5 or lower in systemd-analyze security --offline=true', () => {
    const r = analyze(['security', '--offline=true', UNIT]);
    const m = /Overall exposure level for anjud\.service: (\d+(?:\.\d+)?)/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![1]), r.out).toBeLessThanOrEqual(2.5);
  });

  it('passes systemd-analyze verify with ExecStart at the built daemon, differing from the shipped unit only there', () => {
    // verify checks that the ExecStart binary exists and is executable; /usr/bin/anjud exists only
    // on an installed hub, so verify a copy that runs the built file instead.
    const shipped = readFileSync(UNIT, 'utf8');
    expect(shipped).toMatch(new RegExp(`^ExecStart=${SHIPPED_BIN} `, 'm'));
    expect(statSync(ANJUD).mode & 0o111, `${ANJUD} must be executable (npm run build marks it so)`).not.toBe(0);
    const copyDir = join(dir, 'verify');
    mkdirSync(copyDir);
    const copy = shipped.replace(new RegExp(`^ExecStart=${SHIPPED_BIN} `, 'm'), `ExecStart=${ANJUD} `);
    writeFileSync(join(copyDir, 'anjud.service'), copy);
    const a = shipped.split('\n');
    const b = copy.split('\n');
    expect(b.length).toBe(a.length);
    const differing = a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]]]));
    expect(differing).toEqual([[`ExecStart=${SHIPPED_BIN} --config /etc/anju/anju.yaml`, `ExecStart=${ANJUD} --config /etc/anju/anju.yaml`]]);

    const r = analyze(['verify', join(copyDir, 'anjud.service')]);
    expect(r.status, r.out).toBe(0);
    // verify exits 0 even for unknown keys or bad values in our unit (it only prints them), so
    // every line of output fails the test, except warnings about other units' files that verify
    // loads as dependencies (network-online.target, bluetooth.service ...): those are the host's.
    const ours = r.out.split('\n').filter((l) => l.trim() !== '' && !isAboutAnotherUnit(l));
    expect(ours, r.out).toEqual([]);
  });

  it('anju-release-resume.service passes systemd-analyze verify with ExecStart at the release manager in this checkout', () => {
    const shipped = readFileSync(RESUME_UNIT, 'utf8');
    expect(shipped).toMatch(/^ExecStart=\/usr\/lib\/anju\/anju-release resume$/m);
    const copyDir = join(dir, 'verify-resume');
    mkdirSync(copyDir);
    writeFileSync(join(copyDir, 'anju-release-resume.service'), shipped.replace('ExecStart=/usr/lib/anju/anju-release', `ExecStart=${join(ROOT, 'packaging/anju-release')}`));
    const r = analyze(['verify', join(copyDir, 'anju-release-resume.service')]);
    expect(r.status, r.out).toBe(0);
    expect(r.out.split('\n').filter((l) => l.trim() !== '' && !isAboutAnotherUnit(l)), r.out).toEqual([]);
  });

  it('gives node the V8 memory flags the memory bench runs with, and node takes them', () => {
    // The bench reads the same line (bench/shipped-node-options.ts): it measures what ships.
    const opts = shippedEnvironment(readFileSync(UNIT, 'utf8')).NODE_OPTIONS!;
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(opts)?.[1]);
    expect(oldSpaceMb).toBeGreaterThan(0);
    expect(opts).toMatch(/--max-semi-space-size=\d+/);
    const heapLimitMb = (nodeOptions: string | undefined): number => {
      const env = { ...process.env, NODE_OPTIONS: nodeOptions };
      if (nodeOptions === undefined) delete env.NODE_OPTIONS;
      const r = spawnSync(process.execPath, ['-p', 'require("v8").getHeapStatistics().heap_size_limit'], { env, encoding: 'utf8' });
      expect(r.stderr).toBe(''); // an unknown or misspelt flag would be refused here
      expect(r.status).toBe(0);
      return Number(r.stdout) / 2 ** 20;
    };
    const limited = heapLimitMb(opts);
    expect(limited).toBeGreaterThanOrEqual(oldSpaceMb); // old space plus the young generation
    expect(limited).toBeLessThan(oldSpaceMb + 64);
    expect(heapLimitMb(undefined)).toBeGreaterThan(limited); // so the flags did take effect
  });
});

/** A verify message about another unit's file on this host, e.g. "/lib/systemd/system/x.service:3: ...". */
function isAboutAnotherUnit(line: string): boolean {
  if (line.includes('anjud')) return false;
  return /^(\/(usr\/)?lib\/systemd\/|\/etc\/systemd\/|\/run\/systemd\/)\S+:/.test(line) || /^[\w@.-]+\.(service|target|socket|mount|timer|path|slice|device):/.test(line);
}

describe('systemd/99-anju-serial.rules', () => {
  // systemd 252 has no `udevadm verify` (added in 254), and udev is not running here: the rules are
  // checked for udev's syntax (key[{attr}] op "value", comma-separated) and for what they must do.
  const MATCH_KEYS = new Set(['ACTION', 'DEVPATH', 'KERNEL', 'KERNELS', 'SUBSYSTEM', 'SUBSYSTEMS', 'DRIVER', 'DRIVERS', 'ATTR', 'ATTRS', 'ENV', 'TAG', 'TAGS', 'TEST', 'PROGRAM', 'RESULT', 'NAME', 'SYMLINK']);
  const ASSIGN_KEYS = new Set(['NAME', 'SYMLINK', 'OWNER', 'GROUP', 'MODE', 'ENV', 'TAG', 'RUN', 'LABEL', 'GOTO', 'IMPORT', 'OPTIONS', 'ATTR', 'SYSCTL']);
  const ATTR_KEYS = new Set(['ATTR', 'ATTRS', 'ENV', 'TEST', 'IMPORT', 'RUN', 'SYSCTL']);
  type Token = { key: string; attr: string | null; op: string; value: string };
  function parseRule(line: string): Token[] {
    return line.split(/,\s*/).map((t) => {
      const m = /^([A-Z_]+)(?:\{([^}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"$/.exec(t.trim());
      if (!m) throw new Error(`not a udev key: ${t} (in: ${line})`);
      const [, key, attr, op, value] = m as unknown as [string, string, string | undefined, string, string];
      const isMatch = op === '==' || op === '!=';
      if (!(isMatch ? MATCH_KEYS : ASSIGN_KEYS).has(key)) throw new Error(`${key} cannot be used with ${op} (in: ${line})`);
      if ((attr !== undefined) !== ATTR_KEYS.has(key) && !(key === 'IMPORT' || key === 'RUN')) throw new Error(`${key} ${attr ? 'takes no' : 'needs an'} {attribute} (in: ${line})`);
      return { key, attr: attr ?? null, op, value };
    });
  }
  const lines = readFileSync(RULES, 'utf8').split('\n');
  const active = lines.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  // The commented templates technicians copy must be valid rules as well.
  const templates = lines.filter((l) => /^#\s*SUBSYSTEM==/.test(l)).map((l) => l.replace(/^#\s*/, ''));

  it('are well-formed udev rules, templates included', () => {
    expect(active.length).toBeGreaterThan(0);
    expect(templates.length).toBeGreaterThan(0);
    for (const l of [...active, ...templates]) expect(() => parseRule(l), l).not.toThrow();
  });

  it('give the radar, RS-485 and Zigbee adapters their names, group dialout, and one name per adapter', () => {
    const names = new Set<string>();
    const matches = new Set<string>();
    for (const l of active) {
      const t = parseRule(l);
      const get = (key: string, op: string, attr: string | null = null) => t.filter((x) => x.key === key && x.op === op && x.attr === attr).map((x) => x.value);
      expect(get('SUBSYSTEM', '=='), l).toEqual(['tty']);
      expect(get('GROUP', '='), l).toEqual(['dialout']);
      expect(get('MODE', '='), l).toEqual(['0660']);
      const symlinks = get('SYMLINK', '+=');
      expect(symlinks.length, l).toBe(1);
      names.add(symlinks[0]!);
      // Same match keys twice would give one adapter two names (or two adapters one name).
      const key = t.filter((x) => x.op === '==').map((x) => `${x.key}{${x.attr ?? ''}}==${x.value}`).sort().join(',');
      expect(matches.has(key), `duplicate match: ${l}`).toBe(false);
      matches.add(key);
    }
    expect([...names].sort()).toEqual(['anju-radar', 'anju-rs485', 'anju-zigbee']);
    const text = active.join('\n');
    for (const id of ['"1a86"', '"7523"', '"10c4"', '"ea60"', '"0403"', '"6001"', '"1cf1"', '"0030"']) expect(text).toContain(id);
  });
});

describe('watchdog', () => {
  it('pings only while the store reports progress, whatever the loop does (real systemd-notify)', async () => {
    requireBinary('systemd-notify', 'systemd');
    const listener = await createNotifyListener(join(dir, 'policy.sock'));
    cleanup.push(() => listener.close());
    const warnings: Array<Record<string, unknown>> = [];
    const log: NotifyLog = { info: () => undefined, warn: (o) => { warnings.push(o as Record<string, unknown>); } };
    // The real systemd-notify does the sending; the test notes when each datagram was handed to it,
    // since on a loaded machine one may arrive long after it was decided on.
    const env = { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '400000', PATH: process.env.PATH };
    const real = systemdNotifySender(process.pid, env.PATH);
    const pings: number[] = [];
    let inFlight = 0;
    const send: NotifySender = (socket, assignments, done) => {
      if (assignments.includes('WATCHDOG=1')) pings.push(performance.now());
      inFlight++;
      real(socket, assignments, (err) => { inFlight--; done(err); });
    };
    // WATCHDOG_USEC 0.4 s: a ping every 200 ms; flush every 50 ms: stale after max(150, 200) ms.
    const n = createSdNotify({ env, log, send });
    const wd = n.startWatchdog({ storeFlushMs: 50 });
    expect(wd).toEqual({ intervalMs: 200, storeStaleAfterMs: 200, maxLagMs: 100 });
    let committing = true;
    const flushes = setInterval(() => { if (committing) n.progress(); }, 50);
    cleanup.push(() => clearInterval(flushes));

    const t0 = performance.now();
    await waitFor('3 pings through systemd-notify', () => listener.with('WATCHDOG', t0).length >= 3, 20_000);

    const before = warnings.length;
    committing = false;
    // Withheld for the store alone: a tick on time (the loop is fine) that found no commit. From
    // then on, and once no datagram decided earlier is still being sent, no ping may go out.
    const stale = (w: Record<string, unknown>) => (w.storeAgeMs as number) > 200 && (w.lagMs as number) <= 100;
    await waitFor('a ping withheld for the store alone, nothing in flight', () => warnings.slice(before).some(stale) && inFlight === 0, 20_000, () => JSON.stringify(warnings));
    const quiet = performance.now();
    // Five more ticks (1 s) without a commit: none of them hands systemd-notify a ping.
    const withheldAt = warnings.length;
    await waitFor('5 more pings withheld', () => warnings.length >= withheldAt + 5, 20_000);
    expect(pings.filter((t) => t >= quiet)).toEqual([]);

    committing = true;
    const back = performance.now();
    await listener.waitFor('pings again once the store commits', (m) => 'WATCHDOG' in m.vars && m.atMs >= back, 20_000);
    await n.stopping();
    await listener.waitFor('STOPPING=1', (m) => m.vars.STOPPING === '1', 20_000);
  });

  it('the daemon: READY, STATUS and pings; none while its main loop is frozen or its store cannot commit', async () => {
    requireBinary('systemd-notify', 'systemd');
    const listener = await createNotifyListener(join(dir, 'notify.sock'));
    cleanup.push(() => listener.close());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const stateDir = join(dir, 'state');
    const cfg = join(dir, 'anju.yaml');
    // No broker: the uplink keeps retrying, which is fine for this test. Readings flush every 200 ms.
    writeFileSync(cfg, `${testConfig({ hubId: 'hub-wd', stateDir, brokerUrl: `mqtt://127.0.0.1:${await freePort()}`, devices: [{ id: 'radar', path: pty.devicePath }] })}store: { readings_flush_ms: 200 }\n`);

    // What systemd would put in the environment with WatchdogSec=1s (no WATCHDOG_PID: the pid is not
    // known before the spawn, and an absent one is allowed), plus the inspector on a free port.
    const saved = { ...process.env };
    Object.assign(process.env, { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '1000000', NODE_OPTIONS: '--inspect=127.0.0.1:0' });
    let d: DaemonProcess;
    try {
      d = spawnDaemon(['--config', cfg]);
    } finally {
      for (const k of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'NODE_OPTIONS']) { if (k in saved) process.env[k] = saved[k]; else delete process.env[k]; }
    }
    cleanup.push(() => d.proc.kill('SIGKILL'));
    const pid = d.proc.pid!;

    const ready = await listener.waitFor('READY=1', (m) => m.vars.READY === '1');
    expect(ready.vars.MAINPID).toBe(String(pid));
    const status = await listener.waitFor('STATUS=', (m) => m.vars.STATUS !== undefined);
    expect(status.vars.STATUS).toMatch(/^queue: \d+ alarms, \d+ events, \d+ reports; uplink (connected|disconnected); devices up: \d\/1; open alarms: \d+$/);
    // Readings keep the store busy, so every flush really writes.
    pty.write(presence(true));
    const feeding = setInterval(() => pty.write(breath(16)), 100);
    cleanup.push(() => clearInterval(feeding));
    await waitFor('3 pings', () => listener.with('WATCHDOG', ready.atMs).length >= 3, 10_000);

    // (a) A frozen main loop: a busy loop run in the daemon's main thread through the inspector,
    // as an infinite loop in a bug would. The process keeps running (state R, not stopped).
    const wsUrl = await waitFor('inspector URL', () => /Debugger listening on (ws:\/\/\S+)/.exec(d.stderr())?.[1]);
    const inspector = await connectInspector(wsUrl);
    cleanup.push(() => inspector.close());
    const freezeMs = 3000;
    const frozeAt = performance.now();
    const frozen = inspector.call('Runtime.evaluate', { expression: `{ const end = Date.now() + ${freezeMs}; while (Date.now() < end); 'thawed' }`, returnByValue: true });
    await sleep(freezeMs / 2);
    expect(processState(pid)).toBe('R');
    expect(await frozen).toMatchObject({ result: { value: 'thawed' } });
    const thawedAt = performance.now();
    // Detach now: node with --inspect waits for attached debuggers before it exits.
    inspector.close();
    // A ping already spawned when the loop froze may land a little later; none after that.
    expect(listener.with('WATCHDOG', frozeAt + 300, thawedAt)).toEqual([]);
    await d.waitForLog('the late tick noticed', (l) => l.msg.startsWith('withholding the watchdog ping: the main loop ran'));
    await listener.waitFor('pings after the thaw', (m) => 'WATCHDOG' in m.vars && m.atMs > thawedAt, 5000);

    // (b) The store stops committing: another connection holds SQLite's write lock. The daemon's
    // flushes wait out the busy timeout and fail; the pings stop while the process lives on.
    const db = new Database(join(stateDir, 'anju.db'), { timeout: 10_000 });
    cleanup.push(() => db.close());
    db.exec('BEGIN EXCLUSIVE');
    const lockedAt = performance.now();
    // Each flush now blocks the loop for SQLite's 5 s busy timeout, then fails; log lines written
    // meanwhile reach the pipe a loop turn later. So: wait for the daemon to say both, generously.
    await d.waitForLog('a failed flush', (l) => l.msg === 'cannot commit readings or detector state; will retry' && /database is locked/.test(JSON.stringify(l.err)), 30_000);
    await d.waitForLog('a ping withheld for the store', (l) => l.msg.startsWith('withholding the watchdog ping') && l.msg.includes('no store commit') && (l.storeAgeMs as number) > (l.storeStaleAfterMs as number), 30_000);
    // No ping since the 600 ms bound (3 flushes) passed, plus time for one already on its way.
    expect(performance.now() - lockedAt).toBeGreaterThan(5000);
    expect(listener.with('WATCHDOG', lockedAt + 1500)).toEqual([]);
    expect(d.proc.exitCode).toBeNull();
    expect(['R', 'S', 'D']).toContain(processState(pid)); // running or waiting, not stopped (T) or dead (Z)
    db.exec('ROLLBACK');
    const releasedAt = performance.now();
    expect(listener.with('WATCHDOG', lockedAt + 1500, releasedAt)).toEqual([]);
    await listener.waitFor('pings once the store commits again', (m) => 'WATCHDOG' in m.vars && m.atMs > releasedAt, 20_000);

    clearInterval(feeding);
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    await listener.waitFor('STOPPING=1', (m) => m.vars.STOPPING === '1', 3000);
  }, 120_000);
});

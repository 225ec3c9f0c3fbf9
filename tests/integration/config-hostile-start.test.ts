/**
 * Hostile or broken config files at start-up (issue 12, findings 3, 6 and 8), through the built
 * daemon: YAML alias errors and alias bombs are config problems (exit 78 with line and column, which
 * stops systemd's restarts), never a stack trace and exit 1; a URL that hides a plain-text host behind
 * a query or fragment is refused before any CONNECT leaves; and a control socket path that names an
 * existing file (the database) is refused without removing it, while the daemon keeps delivering.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startListener } from '../helpers/cloud-commands.js';
import { ANJUD, spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-hostile-start-'));
const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const base = (name: string, url = 'mqtt://127.0.0.1:1', extra = '') => testConfig({
  hubId: 'hub-start', stateDir: join(dir, `state-${name}`), brokerUrl: url, devices: [{ id: 'r', path: join(dir, 'no-such-port') }], ...(extra ? { uplinkExtra: extra } : {}),
});
const LAUGHS = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');

describe('YAML alias errors are config problems', () => {
  it.each([
    ['an unresolved alias', (t: string) => t.replace('hub: { id: hub-start }', 'hub: { id: *a }'), /:1:\d+: .*alias/],
    ['a billion laughs', (t: string) => `${t}${LAUGHS}\n`, /:\d+:\d+: .*alias/],
  ])('%s: exit 78 with line and column from --check-config and from the run path', async (what, edit, where) => {
    const f = write(`${what.replace(/\W+/g, '-')}.yaml`, edit(base('alias')));
    const checked = spawnSync(process.execPath, [ANJUD, '--check-config', f], { encoding: 'utf8' });
    expect(checked.status, checked.stderr).toBe(78);
    expect(checked.stderr).toMatch(where);
    expect(checked.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const run = spawnDaemon(['--config', f]);
    cleanup.push(() => run.proc.kill('SIGKILL'));
    expect((await run.exited).code, run.stderr()).toBe(78);
    expect(run.stderr()).toMatch(where);
    expect(existsSync(join(dir, 'state-alias'))).toBe(false); // nothing was started
  });
});

describe('the uplink URL is checked as the client parses it', () => {
  it.each([['a query', '?x=@localhost'], ['a fragment', '#@127.0.0.1']])('refuses a plain-text host hidden behind %s: exit 78, no CONNECT reaches a plain listener', async (_what, tail) => {
    const listener = await startListener();
    cleanup.push(() => listener.close());
    const pw = write('hub.password', 'never-in-clear-4411\n');
    // 0.0.0.0 reaches the 127.0.0.1 listener on Linux, but is not a loopback name.
    const f = write('sneaky.yaml', base('sneaky', `mqtt://0.0.0.0:${listener.port}${tail}`, `username: hub, password_file: "${pw}"`));
    const d = spawnDaemon(['--config', f]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await waitFor('anjud to exit', () => d.proc.exitCode !== null, 15_000, () => `listener got ${listener.connections} connection(s): ${JSON.stringify(listener.received())}`);
    expect(d.proc.exitCode).toBe(78);
    expect(d.stderr()).toMatch(/uplink\.url: .*(query|fragment)/);
    expect(listener.connections).toBe(0);
    expect(listener.received()).not.toContain('never-in-clear');
  });
});

describe('the control socket removes nothing but a stale socket', () => {
  it('refuses a socket path that is the database, keeps the database, and keeps its uplink', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const state = join(dir, 'state-sock');
    const db = join(state, 'anju.db');
    const text = testConfig({ hubId: 'hub-sock', stateDir: state, brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }] })
      .replace(`socket: "${state}/anjud.sock"`, `socket: "${db}"`);
    const f = write('sock.yaml', text);
    const d = spawnDaemon(['--config', f]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    const refused = await d.waitForLog('the refusal', (l) => l.code === 'ANJU_ERR_CONTROL_SOCKET');
    expect(String(refused.found)).toContain('regular file');
    await d.waitForLog('delivering', (l) => l.msg === 'uplink connected');
    expect(statSync(db).isFile()).toBe(true);
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    expect(statSync(db).isFile()).toBe(true); // stop() removes only a socket it made
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});

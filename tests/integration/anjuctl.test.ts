/** anjuctl against a running daemon over its control socket, in English and Chinese, tables and JSON. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon-process.js';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

const ANJUCTL = join(ROOT, 'dist/src/cli/anjuctl.js');

describe('anjuctl', () => {
  const cleanup: Array<() => unknown> = [];
  let hub: Hub;
  let socket: string;
  const ctl = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [ANJUCTL, ...args, '--socket', socket], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', ...env }, timeout: 60_000 });

  beforeAll(async () => {
    hub = await startHub({ name: 'ctl', radars: ['bed-radar'], sustainS: 2 });
    socket = hub.socket;
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  it('status: a table in English, the same in Chinese, and JSON for scripts', () => {
    const en = ctl(['status']);
    expect(en.status, en.stderr).toBe(0);
    expect(en.stdout).toMatch(/Hub hub-ctl/);
    expect(en.stdout).toMatch(/Uplink connected/);
    expect(en.stdout).toMatch(/bed-radar\s+seeed-mr60bha1\s+bedroom\s+open/);
    expect(en.stdout).toContain('no open alarms');
    expect(en.stdout).not.toContain('\u001b['); // no colour when not a terminal
    const zh = ctl(['status'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toContain('网关 hub-ctl');
    expect(zh.stdout).toContain('已连接');
    expect(zh.stdout).toContain('没有未关闭的报警');
    expect(ctl(['status', '--lang', 'zh'], { LANG: 'en_US.UTF-8' }).stdout).toContain('上行连接');
    const json = JSON.parse(ctl(['status', '--json']).stdout) as { hub: string; devices: Array<{ id: string }> };
    expect(json.hub).toBe('hub-ctl');
    expect(json.devices.map((d) => d.id)).toEqual(['bed-radar']);
  });

  it('live and events tail follow readings and events; alarms list and ack', async () => {
    const live = spawn(process.execPath, [ANJUCTL, 'live', '--device', 'bed-radar', '--count', '2', '--socket', socket], { env: { ...process.env, LANG: 'en_US.UTF-8' } });
    const tail = spawn(process.execPath, [ANJUCTL, 'events', 'tail', '--count', '1', '--json', '--socket', socket]);
    let liveOut = '';
    let tailOut = '';
    let tailErr = '';
    live.stdout.on('data', (d: Buffer) => { liveOut += d.toString(); });
    tail.stdout.on('data', (d: Buffer) => { tailOut += d.toString(); });
    live.stderr.on('data', (d: Buffer) => { liveOut += d.toString(); });
    tail.stderr.on('data', (d: Buffer) => { tailErr += d.toString(); });
    cleanup.push(() => { live.kill(); tail.kill(); });
    let gone = 0;
    const exited = Promise.all([live, tail].map((p) => new Promise((r) => p.once('exit', (code) => { gone++; r(code); }))));
    // Both say "waiting" once the daemon confirmed their subscription: what comes next, they see.
    await waitFor('live and events tail subscribed', () => liveOut.includes('waiting for events') && tailErr.includes('waiting for events'), 30_000, () => `live:\n${liveOut}\ntail:\n${tailOut}${tailErr}`);
    // Presence with every breath, until the alarm is raised and both have what they wait for.
    await feedUntil(hub.pty, () => [presence(true), breath(30)], 'live and events tail done', () => gone === 2, { everyMs: 700 });
    const [liveCode, tailCode] = await exited;
    expect(liveCode).toBe(0);
    expect(liveOut).toMatch(/bed-radar {2}presence = true/);
    expect(liveOut).toMatch(/bed-radar {2}breathRatePerMin = 30/);
    expect(tailCode).toBe(0);
    const ev = JSON.parse(tailOut.trim()) as { stream: string; type: string; state: string; id: string };
    expect(ev).toMatchObject({ stream: 'event', type: 'alarm.breathing_rate', state: 'raised' });

    const list = ctl(['alarms', 'list']);
    expect(list.stdout).toContain(ev.id.slice(0, 8)); // short ids in tables (src/cli/short-id.ts)
    expect(list.stdout).toContain('Abnormal breathing rate');
    expect(list.stdout).toContain('NOT acknowledged');
    const ack = ctl(['alarms', 'ack', ev.id, '--by', 'tech-li']);
    expect(ack.status, ack.stderr).toBe(0);
    expect(ack.stdout).toBe(`alarm ${ev.id} acknowledged (Abnormal breathing rate)\n`);
    expect(ctl(['alarms', 'list']).stdout).toContain('acknowledged by tech-li');
    const unknown = ctl(['alarms', 'ack', 'no-such']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('ANJU_CMD_NOT_FOUND');
  });

  it('says clearly when the daemon is not running (exit 3) or the user lacks the group (exit 4)', () => {
    const gone = spawnSync(process.execPath, [ANJUCTL, 'status', '--socket', join(hub.dir, 'nope.sock')], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8' } });
    expect(gone.status).toBe(3);
    expect(gone.stderr).toContain('anjud is not running');
    const zh = spawnSync(process.execPath, [ANJUCTL, 'status', '--socket', join(hub.dir, 'nope.sock')], { encoding: 'utf8', env: { ...process.env, LANG: 'zh_CN.UTF-8' } });
    expect(zh.stderr).toContain('anjud 未运行');
    if (process.getuid?.() === 0) {
      // As an unprivileged user (not in the socket's group): permission denied, with the fix.
      const denied = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ANJUCTL, 'status', '--socket', socket], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8' } });
      expect(denied.stderr).toContain('usermod -aG anju');
      expect(denied.status).toBe(4);
    }
  });
});

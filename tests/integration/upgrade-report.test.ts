/**
 * The release manager's outcomes reach the cloud (issue 13, point 3), through the real daemon and a
 * real broker: anjud reads the manager's journal (packaging/README.md) at start and on the local
 * `report-upgrades` command, and commits
 * - `hub.upgrade_rolled_back` when it is the release running again after a failed health gate,
 * - `hub.upgraded` when it is the release a confirmed upgrade switched to,
 * each once per attempt, however often it restarts; get-status shows the last attempt. Attempts that
 * are not this release's to tell (pending, refused, another version) and files that do not parse
 * raise nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../../src/cli/client.js';
import type { DaemonStatus } from '../../src/daemon/daemon.js';
import { ROOT, spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { waitFor } from '../helpers/wait.js';
import { problems } from './uplink-contract.schemas.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

describe('release journal -> events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-upgrade-report-'));
  const journal = join(dir, 'journal');
  mkdirSync(journal);
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });
  const attempt = (id: string, vars: Record<string, string>) =>
    writeFileSync(join(journal, id), `${Object.entries({ id, ...vars }).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);

  it('the release running again reports the rollback once; a confirmed upgrade is reported by the release it switched to, when told', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-rel/events');
    cleanup.push(() => events.close());
    const stateDir = join(dir, 'state');
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, testConfig({ hubId: 'hub-rel', stateDir, brokerUrl: broker.url, devices: [] }).replace('devices:\n', 'devices: []\n'));
    // What the manager left: this release (VERSION) was upgraded to 9.0.0, which failed its gate.
    const rolledBack = `20261207T140000Z-${VERSION}-9.0.0`;
    attempt(rolledBack, { kind: 'upgrade', from: VERSION, to: '9.0.0', state: 'rolled_back', ts: '1796650000000', reason: 'not ready within 120 s: anjud.service is activating (auto-restart)', gate: 'failed' });
    // Not this process's to tell: refused (nothing switched), another release's confirmation, garbage.
    attempt(`20261207T130000Z-0.0.9-${VERSION}`, { kind: 'upgrade', from: '0.0.9', to: VERSION, state: 'refused', ts: '1796640000000', reason: 'config', gate: '' });
    attempt('20261207T120000Z-0.0.8-0.0.9', { kind: 'upgrade', from: '0.0.8', to: '0.0.9', state: 'confirmed', ts: '1796630000000', reason: '', gate: 'passed' });
    writeFileSync(join(journal, '20261207T110000Z-x-y'), 'rm -rf /\n');

    const start = (): DaemonProcess => {
      const d = spawnDaemon(['--config', cfg], { env: { ANJU_RELEASE_JOURNAL: journal } });
      cleanup.push(() => { if (d.proc.exitCode === null) d.proc.kill('SIGKILL'); });
      return d;
    };
    let d = start();
    const rb = await events.waitFor('hub.upgrade_rolled_back', (m) => m.body.type === 'hub.upgrade_rolled_back');
    expect(rb.body).toMatchObject({
      severity: 'warning', state: 'info', device: null,
      data: { attempt: rolledBack, version: VERSION, rolled_back_from: '9.0.0', trigger: 'health_gate', reason: 'not ready within 120 s: anjud.service is activating (auto-restart)', gate: 'failed' },
    });
    expect(problems('event.v1.json', rb.body)).toEqual([]);
    await d.waitForLog('the unparsable file named', (l) => l.msg === 'skipping a release journal file that does not parse' && String(l.file).endsWith('20261207T110000Z-x-y'));
    const socket = join(stateDir, 'anjud.sock');
    const status = (await request(socket, 'get-status')).data as DaemonStatus;
    expect(status.release).toMatchObject({ pid: d.proc.pid, lastAttempt: { id: rolledBack, state: 'rolled_back', from: VERSION, to: '9.0.0' } });
    expect(status.storage?.lastCommitTs).toBeGreaterThan(0);
    // What a technician sees: the release running, and the one that was tried and why it is back.
    const shown = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/anjuctl.js'), '--socket', socket, '--lang', 'en', 'status'], { encoding: 'utf8' });
    expect(shown.stdout).toContain(`Hub hub-rel  version ${VERSION}`);
    expect(shown.stdout).toMatch(new RegExp(`Release last upgrade ${VERSION.replace(/\./g, '\\.')} -> 9\\.0\\.0: ROLLED BACK .*reason: not ready within 120 s`));

    // A restart (systemd, a crash) does not report it again: the database remembers.
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    d = start();
    await d.waitForLog('started', (l) => l.msg === 'anjud started');
    // "anjud started" may come before the control socket listens: wait for it to answer.
    await waitFor('the control socket answering', async () => (await request(socket, 'get-status').catch(() => null))?.ok === true, 30_000);
    // Later: the manager confirms an upgrade to this release and tells the running daemon.
    const confirmed = `20261207T150000Z-0.0.9-${VERSION}`;
    attempt(confirmed, { kind: 'upgrade', from: '0.0.9', to: VERSION, state: 'confirmed', ts: '1796660000000', reason: '', gate: 'passed' });
    expect(await request(socket, 'report-upgrades')).toMatchObject({ ok: true, data: { raised: 1 } });
    const up = await events.waitFor('hub.upgraded', (m) => m.body.type === 'hub.upgraded');
    expect(up.body).toMatchObject({ severity: 'info', data: { attempt: confirmed, version: VERSION, previous: '0.0.9', gate: 'passed' } });
    expect(problems('event.v1.json', up.body)).toEqual([]);
    expect(await request(socket, 'report-upgrades')).toMatchObject({ ok: true, data: { raised: 0 } });
    // A fence: every event committed before this one has arrived once it and all lower seqs have.
    await request(socket, 'test-event', { nonce: 'fence', by: 'test' });
    const fence = await events.waitFor('the fence', (m) => m.body.type === 'hub.test');
    await waitFor('every seq up to the fence', () => new Set(events.messages.map((m) => m.body.seq)).size >= (fence.body.seq as number));
    const types = events.messages.map((m) => m.body.type);
    expect(types.filter((t) => t === 'hub.upgrade_rolled_back')).toHaveLength(1);
    expect(types.filter((t) => t === 'hub.upgraded')).toHaveLength(1);
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });
});

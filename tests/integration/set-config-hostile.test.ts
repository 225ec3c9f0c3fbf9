/**
 * The cloud's set-config is hostile input (issue 12, findings 3-6 and 8), tried against the real
 * daemon and a real Mosquitto: a config that would make the control socket delete the database, one
 * that would read a secret file and send it to a listener of the sender's choice, URLs that smuggle
 * a plain-text host past the `insecure` guard, YAML alias bombs, and a kill -9 while a new config is
 * being verified (the known-good one must run after the restart, and the cloud hears why).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCloud, startListener, type CloudCommands, type Listener } from '../helpers/cloud-commands.js';
import { testConfig } from '../helpers/daemon-process.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { waitFor } from '../helpers/wait.js';

const HUB = 'hub-hostile';
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('set-config from a hostile cloud', () => {
  const SECRET = 'first-line-of-a-secret-file-7731';
  const cleanup: Array<() => unknown> = [];
  let hub: Hub;
  let cfgPath: string; // in etc/, the config directory (/etc/anju in the field)
  let state: string;
  let db: string;
  let cloud: CloudCommands;
  let listener: Listener;
  let original: string;

  const setConfig = (id: string, yaml: string) => cloud.send(HUB, 'set-config', { yaml }, id);
  const expectUnchanged = () => {
    expect(readFileSync(cfgPath, 'utf8')).toBe(original);
    expect(existsSync(`${cfgPath}.new`)).toBe(false);
    expect(hub.daemon.proc.exitCode).toBeNull();
  };
  const secretFile = () => join(hub.dir, 'secret.txt'); // readable by the daemon, outside the config directory

  beforeAll(async () => {
    hub = await startHub({ name: 'hostile', hubId: HUB, radars: ['r'], configFile: 'etc/anju.yaml', start: false });
    ({ cfgPath, stateDir: state } = hub);
    db = join(state, 'anju.db');
    writeFileSync(secretFile(), `${SECRET}\nsecond line\n`);
    listener = await startListener();
    cleanup.push(() => listener.close());
    original = testConfig({ hubId: HUB, stateDir: state, brokerUrl: hub.broker.url, devices: [{ id: 'r', path: hub.pty.devicePath }], uplinkExtra: 'apply_verify_s: 120' });
    hub.writeConfig(original);
    cloud = await connectCloud(hub.broker.url);
    cleanup.push(() => cloud.close());
    await hub.start();
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  it('refuses a control socket on the database or the config file, and the database stays intact', async () => {
    const before = statSync(db);
    const onDb = await setConfig('socket-db', original.replace(`socket: "${state}/anjud.sock"`, `socket: "${db}"`));
    expect(onDb).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(onDb.message)).toMatch(/control\.socket: .*not a socket/);
    const onCfg = await setConfig('socket-cfg', original.replace(`socket: "${state}/anjud.sock"`, `socket: "${cfgPath}"`));
    expect(onCfg).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(onCfg.message)).toContain('control.socket');
    expect(statSync(db).ino).toBe(before.ino);
    expectUnchanged();
  });

  it('refuses a config that reads a secret file and points the uplink at a listener of its choice; nothing reaches the listener', async () => {
    const steal = original.replace(`url: "${hub.broker.url}"`, `url: "mqtt://127.0.0.1:${listener.port}", username: thief, password_file: "${secretFile()}"`);
    const r = await setConfig('steal', steal);
    expect(r).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(r.message)).toContain('uplink.password_file');
    // The refusal is the decision: nothing was scheduled, so nothing can connect later.
    expect(listener.connections).toBe(0);
    expect(String(r.message)).not.toContain(SECRET);
    expectUnchanged();
  });

  it.each([
    ['a query', '?x=@localhost'],
    ['a fragment', '#@127.0.0.1'],
  ])('refuses a plain-text URL whose host hides behind %s; no credentials reach a plain listener', async (what, tail) => {
    // 0.0.0.0 reaches this machine's 127.0.0.1 listener on Linux, but is not a loopback name: plain
    // text to it needs uplink.insecure, which this config does not set.
    const sneaky = original.replace(`url: "${hub.broker.url}"`, `url: "mqtt://0.0.0.0:${listener.port}${tail}", username: hub, password: in-clear-${what.length}`);
    const r = await setConfig(`url-${what}`, sneaky);
    expect(r).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(r.message)).toContain('uplink.url');
    expect(listener.connections).toBe(0);
    expect(listener.received()).not.toContain('in-clear');
    expectUnchanged();
  });

  it('answers YAML alias errors with ANJU_CMD_INVALID_CONFIG, line and column', async () => {
    const unresolved = await setConfig('alias', original.replace(`id: ${HUB}`, 'id: *hubid'));
    expect(unresolved).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(unresolved.message)).toMatch(/^set-config:1:\d+: .*alias/);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const bomb = await setConfig('laughs', `${original}${laughs}\n`);
    expect(bomb).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(bomb.message)).toMatch(/^set-config:\d+:\d+: .*alias/);
    expectUnchanged();
  });

  it('keeps the known-good config on disk while a new one is verified: after a kill -9 the old one runs and the cloud hears why', async () => {
    // A listener that never answers MQTT holds the port: a free port could meanwhile become another test's broker.
    const dead = await startListener();
    cleanup.push(() => dead.close());
    const next = original.replace(hub.broker.url, `mqtt://127.0.0.1:${dead.port}`);
    const r = await setConfig('dead', next);
    expect(r).toMatchObject({ ok: true, data: { accepted: true, verify_s: 120 } });
    const daemon = hub.daemon;
    await daemon.waitForLog('the new config started', () => daemon.logs.filter((l) => l.msg === 'anjud started').length === 2);
    await hub.kill('SIGKILL');
    expect(readFileSync(cfgPath, 'utf8')).toBe(original); // the config in force on disk is the known-good one

    await hub.start(); // connected with the known-good config
    const back = await hub.sub.waitFor('hub.config_rolled_back', (m) => m.topic.endsWith('/events') && m.body.type === 'hub.config_rolled_back', 30_000);
    expect(back.body.data).toMatchObject({ attempted_hash: hashOf(next), hash: hashOf(original) });
    expect(String((back.body.data as { reason: string }).reason)).toMatch(/interrupted/);
    await waitFor('the side file cleaned up', () => !existsSync(`${cfgPath}.new`));
    expect(readFileSync(cfgPath, 'utf8')).toBe(original);
  });
});

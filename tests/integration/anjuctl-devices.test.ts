/**
 * `anjuctl devices add | remove` against a running daemon (real Mosquitto, MR60BHA1 and LD2410 on
 * socat ptys): a dry run changes nothing; refusals (duplicate id, unknown model, a port in use, an
 * option of another transport, a schema error with its key path) change nothing; an add and a
 * remove are applied through set-config with comments kept; a removal warns about open alarms; an
 * add prepared while another config came into force is refused (base_hash); an add whose restarted
 * daemon cannot reach the broker is rolled back. English and Chinese.
 */
import { readFileSync, rmSync, symlinkSync, writeFileSync, mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { daemonStatus, devicePortOpen } from '../helpers/control.js';
import { feedUntil } from '../helpers/hub.js';
import { ctl as run, spawnCli, waitForPortOpen } from '../helpers/scripted-cli.js';
import { request } from '../../src/cli/client.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('anjuctl devices add | remove', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-devedit-'));
  const stateDir = join(dir, 'state');
  const socket = join(stateDir, 'anjud.sock');
  const cfg = join(dir, 'anju.yaml');
  const cleanup: Array<() => unknown> = [];
  let broker: Mosquitto;
  let bed: PtyPair;
  let hall: PtyPair;
  let daemon: DaemonProcess;
  const ctl = (args: string[], env: Record<string, string> = {}) => run([...args, '--socket', socket, '--config', cfg], env, 60_000);
  const logs = () => `\n${daemon.logs.filter((l) => l.level >= 40 || /config|stopped|started/.test(l.msg)).slice(-10).map((l) => JSON.stringify(l)).join('\n')}`;
  const withHall = (text: string) => text.replace(/(- \{ id: bed-radar.*\n)/, `$1  - { id: hall-radar, model: hilink-ld2410, room: hall, serial: { path: ${hall.devicePath} } }\n`);
  const list = () => JSON.parse(ctl(['devices', 'list', '--json']).stdout) as Array<{ id: string; model: string; room: string; link: string }>;

  beforeAll(async () => {
    broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    bed = await createPtyPair(dir, 'bed');
    hall = await createPtyPair(dir, 'hall');
    cleanup.push(() => bed.unplug(), () => hall.unplug());
    const base = testConfig({ hubId: 'hub-devedit', stateDir, brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: bed.devicePath }], uplinkExtra: 'apply_verify_s: 5' });
    // A hand-written file: the comments must survive every edit.
    writeFileSync(cfg, `# Mrs Wang's flat, installed 2026-11-02\n${base.replace('devices:\n', 'devices:\n  # the radar above the bed\n')}# end of file\n`);
    daemon = spawnDaemon(['--config', cfg]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('uplink', (l) => l.msg === 'uplink connected');
    await waitForPortOpen(socket);
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add --dry-run shows the changes key by key and changes nothing; --out writes the edited copy; --json', () => {
    const before = readFileSync(cfg, 'utf8');
    const out = join(dir, 'edited.yaml');
    const r = ctl(['devices', 'add', '--id', 'hall-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath, '--dry-run', '--out', out]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`add hall-radar to ${cfg}: 4 change(s)`);
    expect(r.stdout).toContain('+ devices[hall-radar].model: hilink-ld2410');
    expect(r.stdout).toContain(`+ devices[hall-radar].serial.path: ${hall.devicePath}`);
    expect(r.stdout).toContain('dry run: nothing applied');
    expect(readFileSync(cfg, 'utf8')).toBe(before);
    // One line more, in the style of its neighbour; every other byte as it was.
    expect(readFileSync(out, 'utf8')).toBe(withHall(before));
    expect(run(['config', 'validate', out]).status).toBe(0);
    const j = JSON.parse(ctl(['devices', 'add', '--id', 'hall-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath, '--dry-run', '--json']).stdout) as { ok: boolean; outcome: string; changes: Array<{ path: string; kind: string }> };
    expect(j).toMatchObject({ ok: true, outcome: 'dry_run', action: 'add', device: 'hall-radar' });
    expect(j.changes).toContainEqual({ path: 'devices[hall-radar].room', kind: 'added', to: 'hall' });
  });

  it('refuses a duplicate id, an unknown model, a port in use (also through a symlink), a foreign option and a schema error; nothing changes', () => {
    const before = readFileSync(cfg, 'utf8');
    const add = (...a: string[]) => ctl(['devices', 'add', ...a]);
    const dup = add('--id', 'bed-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath);
    expect(dup.status).toBe(78);
    expect(dup.stderr).toContain('device id bed-radar is already used (seeed-mr60bha1, bedroom): choose another id; nothing changed');
    const dupZh = ctl(['devices', 'add', '--id', 'bed-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath], { LANG: 'zh_CN.UTF-8' });
    expect(dupZh.stderr).toContain('设备 ID bed-radar 已被使用');
    const model = add('--id', 'x', '--model', 'mr60', '--room', 'hall', '--path', hall.devicePath);
    expect(model.status).toBe(78);
    expect(model.stderr).toMatch(/unknown model mr60; models this build knows: serial: hilink-ld2410, seeed-mr60bha1, seeed-mr60bha2; ble: ble-heart-rate, ble-pulse-oximeter; zigbee: .*; modbus: /);
    const port = add('--id', 'x', '--model', 'hilink-ld2410', '--room', 'hall', '--path', bed.devicePath);
    expect(port.status).toBe(78);
    expect(port.stderr).toContain(`serial port ${bed.devicePath} is already used by bed-radar`);
    const link = join(dir, 'by-id-bed');
    symlinkSync(bed.devicePath, link);
    expect(add('--id', 'x', '--model', 'hilink-ld2410', '--room', 'hall', '--path', link).stderr).toContain('is already used by bed-radar');
    const foreign = add('--id', 'x', '--model', 'hilink-ld2410', '--room', 'hall', '--address', 'AA:BB:CC:DD:EE:01');
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain('--address: not an option of hilink-ld2410 (a serial device); its options: --path --baud-rate');
    const missing = add('--id', 'x', '--model', 'hilink-ld2410', '--path', hall.devicePath);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--room is required');
    const schema = add('--id', 'x', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath, '--baud-rate', '0');
    expect(schema.status).toBe(78);
    expect(schema.stderr).toMatch(new RegExp(`would not be a valid config[^\\n]*\\n${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: devices\\[1\\]\\.serial\\.baudRate: out of range \\(expected > 0, found number 0\\)`));
    const frag = ctl(['devices', 'add', '{ id: x, model: hilink-ld2410, room: hall, colour: red, serial: { path: /dev/null } }']);
    expect(frag.status).toBe(78);
    expect(frag.stderr).toMatch(/devices\[1\]\.colour: unknown key/);
    // A copy that is not the file anjud runs: applying an edit of it would replace the config in force.
    const copy = join(dir, 'stale-copy.yaml');
    writeFileSync(copy, `${before}# a hand edit never applied\n`);
    const stale = run(['devices', 'add', '--id', 'x', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath, '--socket', socket, '--config', copy]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(new RegExp(`stale-copy\\.yaml \\(hash [0-9a-f]{16}\\) is not the config anjud runs \\(hash [0-9a-f]{16}\\)`));
    const json = JSON.parse(add('--id', 'bed-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--json').stdout) as { ok: boolean; code: string };
    expect(json).toMatchObject({ ok: false, code: 'duplicate-id' });
    expect(readFileSync(cfg, 'utf8')).toBe(before);
  });

  it('Modbus: the bus is chosen or created (dry run), an unknown bus is refused', () => {
    const add = (...a: string[]) => ctl(['devices', 'add', '--id', 'gas-1', '--model', 'gas-detector-4000x', '--room', 'kitchen', ...a, '--dry-run']);
    const none = add();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('which Modbus bus? Configured: -');
    const created = add('--bus', 'rs485', '--path', join(dir, 'rs485.dev'), '--unit', '3');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain('+ modbus[rs485].devices[gas-1].unitId: 3');
    expect(created.stdout).toContain(`+ modbus[rs485].rtu.path: ${join(dir, 'rs485.dev')}`);
    const unknown = add('--bus', 'rs485');
    expect(unknown.status).toBe(78);
    expect(unknown.stderr).toContain('no Modbus bus rs485 (configured: -); to create it, add --path (RS-485) or --host (Modbus TCP)');
    const inUse = add('--bus', 'rs485', '--path', bed.devicePath);
    expect(inUse.status).toBe(78);
    expect(inUse.stderr).toContain('is already used by bed-radar');
  });

  it('Modbus remove (dry run on another file): a device leaves its bus; the bus goes with its last device', () => {
    const other = join(dir, 'modbus.yaml');
    writeFileSync(other, `${readFileSync(cfg, 'utf8')}modbus:
  - id: rs485
    rtu: { path: "${join(dir, 'rs485.dev')}" }
    devices:
      - { id: gas-1, model: gas-detector-4000x, room: kitchen, unitId: 1 }
      - { id: co-1, model: gas-module-6000h, room: kitchen, unitId: 2 }
`);
    const rm = (id: string) => run(['devices', 'remove', id, '--dry-run', '--socket', socket, '--config', other, '--out', join(dir, `${id}.yaml`)]);
    const one = rm('gas-1');
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toContain('- modbus[rs485].devices[gas-1].model: gas-detector-4000x');
    expect(one.stdout).not.toContain('- modbus[rs485].rtu');
    writeFileSync(other, readFileSync(join(dir, 'gas-1.yaml'), 'utf8'));
    const last = rm('co-1');
    expect(last.status, last.stderr).toBe(0);
    expect(last.stdout).toContain(`- modbus[rs485].rtu.path: ${join(dir, 'rs485.dev')}`);
    expect(readFileSync(join(dir, 'co-1.yaml'), 'utf8')).toContain('modbus: []');
    expect(run(['config', 'validate', join(dir, 'co-1.yaml')]).status).toBe(0);
  });

  it('add applies through set-config: the daemon restarts with the device, its port open, comments kept', async () => {
    const before = readFileSync(cfg, 'utf8');
    const r = ctl(['devices', 'add', '--id', 'hall-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath]);
    expect(r.status, r.stdout + r.stderr + logs()).toBe(0);
    expect(r.stderr).toContain('anjud accepted config');
    expect(r.stdout).toMatch(/applied: config [0-9a-f]{16} is in force/);
    expect(readFileSync(cfg, 'utf8')).toBe(withHall(before));
    expect(readFileSync(`${cfg}.bak`, 'utf8')).toBe(before);
    // Waits ask the control socket from here (helpers/control.ts); what anjuctl shows is asserted below.
    await waitFor('hall-radar port open', () => devicePortOpen(socket, 'hall-radar'), 15_000);
    // The fragment form, in JSON: same path.
    const j = ctl(['devices', 'add', '--json', JSON.stringify({ id: 'hall-radar-2', model: 'seeed-mr60bha2', room: 'hall', serial: { path: join(dir, 'not-plugged') } })]);
    expect(j.status, j.stdout + j.stderr + logs()).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, action: 'add', device: 'hall-radar-2', outcome: 'applied' });
    expect(list().map((d) => d.id)).toEqual(['bed-radar', 'hall-radar', 'hall-radar-2']);
  });

  it('remove: an unknown id is refused; a device with an open alarm is removed with a warning', async () => {
    const none = ctl(['devices', 'remove', 'nope']);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('unknown device nope; configured devices: bed-radar, hall-radar, hall-radar-2');
    await waitFor('bed-radar port open', () => devicePortOpen(socket, 'bed-radar'), 15_000);
    // A breathing rate of 30/min for longer than sustain_s (3 s) raises alarm.breathing_rate on bed-radar.
    await feedUntil(bed, () => [presence(true), breath(30)], 'alarm.breathing_rate open', async () =>
      (await daemonStatus(socket)).alarms.some((a) => a.device === 'bed-radar' && a.type === 'alarm.breathing_rate'), { timeoutMs: 20_000 });
    expect((JSON.parse(ctl(['status', '--json']).stdout) as { alarms: Array<{ device: string; type: string }> }).alarms).toContainEqual(expect.objectContaining({ device: 'bed-radar', type: 'alarm.breathing_rate' }));
    const zh = ctl(['devices', 'remove', 'hall-radar-2', '--dry-run'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.status).toBe(0);
    expect(zh.stdout).toContain('从');
    expect(zh.stdout).toContain('演练');
    const r = ctl(['devices', 'remove', 'bed-radar']);
    expect(r.status, r.stdout + r.stderr + logs()).toBe(0);
    expect(r.stderr).toMatch(/warning: bed-radar has 1 open alarm\(s\): alarm\.breathing_rate \(\S+\)/);
    expect(r.stdout).toContain('- devices[bed-radar].model: seeed-mr60bha1');
    expect(r.stdout).toMatch(/applied: config/);
    expect(list().map((d) => d.id)).toEqual(['hall-radar', 'hall-radar-2']);
    expect(readFileSync(cfg, 'utf8')).not.toContain('bed-radar');
    expect(readFileSync(cfg, 'utf8')).toContain('# end of file');
  });

  it('an add is refused, nothing changed, when another config came into force while it was prepared (the cloud\'s set-config): base_hash', async () => {
    // The race, made certain: anjuctl talks to anjud through a relay that holds its set-config until
    // another config (a comment more: another hash) has been applied, then passes it on.
    const before = readFileSync(cfg, 'utf8');
    // Its verify time short: anjuctl waits 10 s for the answer it is held from.
    const other = `${before.replace('apply_verify_s: 5', 'apply_verify_s: 1')}# changed from the cloud while the technician was typing\n`;
    const relayPath = join(dir, 'relay.sock');
    let held = 0;
    const relay = createServer((client) => {
      let holding = false;
      const attach = () => {
        const u = connect(socket);
        u.pipe(client, { end: false });
        u.on('error', () => undefined);
        u.on('close', () => { if (!holding) client.end(); }); // a held request outlives the restart
        return u;
      };
      let upstream = attach();
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      let buf = '';
      client.on('data', (chunk) => {
        buf += chunk.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl + 1);
          buf = buf.slice(nl + 1);
          if (!line.includes('"set-config"')) { upstream.write(line); continue; }
          held++;
          holding = true;
          void (async () => {
            const logged = daemon.logs.length;
            const r = await request(socket, 'set-config', { yaml: other });
            expect(r.ok, JSON.stringify(r)).toBe(true);
            await daemon.waitForLog('the other config applied', (l) => l.msg === 'new config applied' && daemon.logs.indexOf(l) >= logged, 20_000);
            await waitFor('anjud answering on the other config', async () => {
              try { return (await daemonStatus(socket)).configHash === (r.ok && 'hash' in r.data ? r.data.hash : ''); } catch { return false; }
            });
            upstream = attach(); // the restart closed the first connection
            holding = false;
            upstream.write(line);
          })();
        }
      });
    });
    await new Promise<void>((r) => relay.listen(relayPath, r));
    try {
      const cli = spawnCli(['devices', 'add', '--id', 'kitchen-radar', '--model', 'hilink-ld2410', '--room', 'kitchen', '--path', join(dir, 'kitchen.dev'), '--socket', relayPath, '--config', cfg]);
      const code = await cli.exited;
      expect(held).toBe(1);
      expect(code, cli.stdout() + cli.stderr() + logs()).toBe(1);
      expect(cli.stderr()).toContain('ANJU_CMD_STALE_CONFIG');
      expect(cli.stderr()).toContain('another config came into force while this edit was made');
      // The other config is the one in force and on disk; the add did not undo it.
      expect(readFileSync(cfg, 'utf8')).toBe(other);
      expect(list().map((d) => d.id)).toEqual(['hall-radar', 'hall-radar-2']);
    } finally {
      relay.close();
    }
  });

  it('an add whose restarted daemon cannot reach the broker is rolled back (exit 1), the previous file back', async () => {
    const before = readFileSync(cfg, 'utf8');
    await broker.stop();
    const r = ctl(['devices', 'add', '--id', 'bed-radar', '--model', 'seeed-mr60bha1', '--room', 'bedroom', '--path', bed.devicePath]);
    expect(r.status, r.stdout + r.stderr + logs()).toBe(1);
    expect(r.stdout).toContain('ROLLED BACK');
    expect(readFileSync(cfg, 'utf8')).toBe(before);
    expect(list().map((d) => d.id)).toEqual(['hall-radar', 'hall-radar-2']);
  });
});

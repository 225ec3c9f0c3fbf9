/**
 * `anjuctl pair --ble` through the running daemon: the real node-ble scanning a fake BlueZ on a
 * private D-Bus (a configured band, an oximeter that appears only once the scan runs, a thermometer
 * of no known model), real Mosquitto. The list says which model each matches and which is
 * configured, and gives the `devices add` line, which then adds the oximeter for real. Failures: a
 * missing adapter, a powered-off one, no bluetoothd, a bad --seconds. English and Chinese.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonStatus } from '../helpers/control.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startFakeBluez, type FakeBluez } from '../helpers/fake-bluez.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { spawnCli } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';

interface Scanned { address: string; name: string | null; rssi: number | null; models: string[]; configured_as: string | null; add_command: string | null }

describe('anjuctl pair --ble', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-blepair-'));
  const socket = join(dir, 'state', 'anjud.sock');
  const cfg = join(dir, 'anju.yaml');
  const cleanup: Array<() => unknown> = [];
  let bluez: FakeBluez;
  let broker: Mosquitto;
  let daemon: DaemonProcess;
  // Asynchronous: the fake bluetoothd runs in this process and must answer while anjuctl waits.
  const ctl = async (args: string[], env: Record<string, string> = {}) => {
    const c = spawnCli([...args, '--socket', socket, '--config', cfg], env);
    c.proc.stdin!.end();
    const status = await c.exited;
    return { status, stdout: c.stdout(), stderr: c.stderr() };
  };

  beforeAll(async () => {
    bluez = await startFakeBluez();
    cleanup.push(() => bluez.stop());
    bluez.addDevice({ address: 'AA:BB:CC:DD:EE:10', name: 'band', rssi: -70, services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', flags: ['notify'] }] }] });
    bluez.addDevice({
      address: 'AA:BB:CC:DD:EE:21', name: "Grandma's PO60", known: false, rssi: -48,
      services: [{ uuid: '1822', characteristics: [{ uuid: '2a5f', flags: ['notify'] }] }, { uuid: '180f', characteristics: [{ uuid: '2a19', flags: ['read'], value: Uint8Array.of(80) }] }],
    });
    bluez.addDevice({ address: 'AA:BB:CC:DD:EE:30', name: 'thermo', known: false, rssi: -85, services: [{ uuid: '1809', characteristics: [{ uuid: '2a1c', flags: ['indicate'] }] }] });
    // Paired once, now out of range: BlueZ knows it, the scan does not hear it.
    bluez.addDevice({ address: 'AA:BB:CC:DD:EE:40', name: 'old band', services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', flags: ['notify'] }] }] }).setInRange(false);
    broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    writeFileSync(cfg, `hub: { id: hub-blepair }
state_dir: "${join(dir, 'state')}"
control: { socket: "${socket}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1, apply_verify_s: 10 }
devices:
  - { id: band, model: ble-heart-rate, room: bedroom, ble: { address: "AA:BB:CC:DD:EE:10" } }
ble: { bus_address: "${bluez.busAddress}", reconnect_min_s: 0.2, reconnect_max_s: 1, liveness_s: 1 }
`);
    daemon = spawnDaemon(['--config', cfg]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists what the scan heard: model by advertised services, configured or not, and the devices add line', async () => {
    const starts = bluez.discoveryStarts;
    const r = await ctl(['pair', '--ble', '--seconds', '2', '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { adapter: string; seconds: number; devices: Scanned[] };
    expect(out).toMatchObject({ adapter: 'hci0', seconds: 2 });
    expect(out.devices.map((d) => d.address)).toEqual(['AA:BB:CC:DD:EE:21', 'AA:BB:CC:DD:EE:10', 'AA:BB:CC:DD:EE:30', 'AA:BB:CC:DD:EE:40']); // strongest first, not heard last
    expect(out.devices[0]).toMatchObject({
      name: "Grandma's PO60", rssi: -48, models: ['ble-pulse-oximeter'], configured_as: null,
      add_command: "anjuctl devices add --id pulse-oximeter-ee21 --model ble-pulse-oximeter --room '<room>' --address AA:BB:CC:DD:EE:21 --name 'Grandma'\\''s PO60'",
    });
    expect(out.devices[1]).toMatchObject({ name: 'band', models: ['ble-heart-rate'], configured_as: 'band', add_command: null });
    expect(out.devices[2]).toMatchObject({ name: 'thermo', models: [], configured_as: null, add_command: null });
    expect(out.devices[3]).toMatchObject({ name: 'old band', rssi: null, models: ['ble-heart-rate'], configured_as: null });
    expect(bluez.discoveryStarts).toBe(starts + 1); // it scanned...
    expect(bluez.discovering).toBe(false); // ...and stopped scanning
  });

  it('prints a table and the line to paste (en, zh); with --room the line is complete', async () => {
    const en = await ctl(['pair', '--ble', '--seconds', '1', '--room', 'bedroom']);
    expect(en.status, en.stderr).toBe(0);
    expect(en.stderr).toContain('scanning for Bluetooth LE devices for 1 s (the configured devices\' adapter, else hci0)');
    expect(en.stdout).toMatch(/ADDRESS\s+NAME\s+RSSI\s+MODEL\s+CONFIGURED/);
    expect(en.stdout).toMatch(/AA:BB:CC:DD:EE:21\s+Grandma's PO60\s+-48 dBm\s+ble-pulse-oximeter\s+no/);
    expect(en.stdout).toMatch(/AA:BB:CC:DD:EE:10\s+band\s+-70 dBm\s+ble-heart-rate\s+band/);
    expect(en.stdout).toMatch(/AA:BB:CC:DD:EE:30\s+thermo\s+-85 dBm\s+unknown\s+no/);
    expect(en.stdout).toMatch(/AA:BB:CC:DD:EE:40\s+old band\s+not heard\s+ble-heart-rate\s+no/);
    expect(en.stdout).toContain("To add a device found above:\n  anjuctl devices add --id pulse-oximeter-ee21 --model ble-pulse-oximeter --room bedroom --address AA:BB:CC:DD:EE:21 --name 'Grandma'\\''s PO60'");
    expect(en.stdout).not.toContain('<room>');
    const zh = await ctl(['pair', '--ble', '--seconds', '1'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toMatch(/地址\s+名称\s+信号\s+型号\s+已配置/);
    expect(zh.stdout).toContain('添加上面发现的设备：');
    expect(zh.stdout).toContain('把 <room> 换成设备所在房间');
  });

  it('the printed line adds the oximeter through devices add; the next scan says it is configured', async () => {
    const r = await ctl(['pair', '--ble', '--seconds', '1', '--room', 'bedroom', '--json']);
    const line = (JSON.parse(r.stdout) as { devices: Scanned[] }).devices.find((d) => d.address === 'AA:BB:CC:DD:EE:21')!.add_command!;
    // The line as a shell would split it (only single quotes are used).
    const argv = [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!)).slice(1);
    const add = await ctl(argv);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect(add.stdout).toContain('+ devices[pulse-oximeter-ee21].ble.address: AA:BB:CC:DD:EE:21');
    expect(add.stdout).toMatch(/applied: config/);
    const list = async () => JSON.parse((await ctl(['devices', 'list', '--json'])).stdout) as Array<{ id: string; link: string }>;
    // Waited for through the control socket from here (no anjuctl start per look); then devices list once.
    await waitFor('oximeter connected', async () => {
      try { return (await daemonStatus(socket)).devices.some((d) => d.id === 'pulse-oximeter-ee21' && d.ble?.connected === true); } catch { return false; }
    }, 20_000);
    expect(await list()).toContainEqual(expect.objectContaining({ id: 'pulse-oximeter-ee21', link: 'connected' }));
    const again = JSON.parse((await ctl(['pair', '--ble', '--seconds', '1', '--json'])).stdout) as { devices: Scanned[] };
    expect(again.devices.find((d) => d.address === 'AA:BB:CC:DD:EE:21')).toMatchObject({ configured_as: 'pulse-oximeter-ee21', add_command: null });
    const text = await ctl(['pair', '--ble', '--seconds', '1']);
    expect(text.stdout).not.toContain('--address AA:BB:CC:DD:EE:21');
    expect(text.stdout).toContain('--address AA:BB:CC:DD:EE:40'); // the old band, unconfigured, is still offered
  });

  it('fails clearly: a missing adapter, a powered-off one, a bad --seconds, no bluetoothd', async () => {
    const missing = await ctl(['pair', '--ble', '--seconds', '1', '--adapter', 'hci1']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Bluetooth scan failed: adapter-missing: adapter hci1 not found (BlueZ has: hci0)');
    expect(missing.stderr).toContain('-> plug the dongle in');
    const json = JSON.parse((await ctl(['pair', '--ble', '--seconds', '1', '--adapter', 'hci1', '--json'])).stdout) as { ok: boolean; code: string; message: string };
    expect(json).toMatchObject({ ok: false, code: 'ANJU_CMD_FAILED', message: expect.stringContaining('adapter-missing') });
    for (const s of ['0', '61', 'x']) {
      const bad = await ctl(['pair', '--ble', '--seconds', s]);
      expect(bad.status, s).toBe(2);
      expect(bad.stderr).toContain('--seconds: a BLE scan lasts 1-60 s');
    }
    bluez.setPowered(false);
    try {
      const off = await ctl(['pair', '--ble', '--seconds', '1'], { LANG: 'zh_CN.UTF-8' });
      expect(off.status).toBe(1);
      expect(off.stderr).toContain('蓝牙扫描失败：adapter-powered-off');
    } finally {
      bluez.setPowered(true);
    }
    bluez.crash();
    try {
      const gone = await ctl(['pair', '--ble', '--seconds', '1']);
      expect(gone.status).toBe(1);
      expect(gone.stderr).toContain('Bluetooth scan failed: bluez-unavailable');
      expect(gone.stderr).toContain('sudo systemctl start bluetooth');
    } finally {
      await bluez.restart();
    }
    expect((await ctl(['status', '--json'])).status).toBe(0); // the daemon is still up
  });
});

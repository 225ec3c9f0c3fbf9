/**
 * The commissioning walk test end to end: the real daemon with a simulated home (an MR60BHA1 radar
 * on a socat pty, a Modbus TCP gas detector), a real Mosquitto, the reference cloud consumer
 * acknowledging events (delivery cloud_ack), and anjuctl walktest driven by a scripted technician
 * who answers the prompts on stdin and "does" what they say (the test feeds the frames).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudConsumer, type CloudConsumer } from '../../examples/cloud-consumer/consumer.js';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { startTcpSlave, type TcpSlaveSim } from '../helpers/modbus-tcp-slave.js';
import { type PtyPair } from '../helpers/pty.js';
import { spawnCli } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

interface Report {
  ok: boolean;
  devices: Array<{ id: string; result: string; proofMs: number | null; evidence: string; hint: string | null; hintCode: string | null; alarm: { type: string; seq: number } | null; cloud: { confirmed: boolean; via: string; roundTripMs: number } | null }>;
  uplink: { connected: boolean; delivery: string; roundTripMs: number | null; test: { seq: number | null; confirmed: boolean; via: string | null; roundTripMs: number | null } | null };
  clock: { state: string };
}

describe('anjuctl walktest', () => {
  const cleanup: Array<() => unknown> = [];
  let hub: Hub;
  let dir: string;
  let socket: string;
  let cfg: string;
  let pty: PtyPair;
  let gas: TcpSlaveSim;
  let cloud: CloudConsumer;

  beforeAll(async () => {
    gas = await startTcpSlave();
    gas.setUnit(1, { holding: { 0: 0, 1: 0x0200 } }); // clean air, LEL head
    cleanup.push(() => gas.close());
    hub = await startHub({
      name: 'walk', radars: ['bed-radar'], subscribe: false, start: false,
      yaml: (h) => `hub: { id: hub-walk }
state_dir: "${h.stateDir}"
control: { socket: "${h.socket}" }
uplink: { url: "${h.brokerUrl}", delivery: cloud_ack, reconnect_min_s: 0.2, reconnect_max_s: 1, retry_s: 2 }
devices:
  - { id: bed-radar, model: seeed-mr60bha1, room: bedroom, serial: { path: "${h.ptys['bed-radar']!.devicePath}" } }
modbus:
  - id: kitchen-bus
    tcp: { host: 127.0.0.1, port: ${gas.port} }
    devices:
      - { id: gas-kitchen, model: gas-detector-4000x, room: kitchen, unitId: 1, pollIntervalMs: 300, timeoutMs: 500, retries: 0 }
`,
    });
    ({ dir, socket, cfgPath: cfg } = hub);
    pty = hub.pty;
    cloud = createCloudConsumer({ url: hub.broker.url, dbPath: ':memory:', ackDebounceMs: 50 });
    await cloud.start();
    cleanup.push(() => cloud.stop());
    await hub.start();
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  it('every device passes: the radar sees her, the gas test alarm reaches the cloud (cloud ack), a report in text and JSON', async () => {
    const reportFile = join(dir, 'report.json');
    const cli = spawnCli(['walktest', '--socket', socket, '--config', cfg, '--timeout-s', '20', '--report', reportFile]);
    cleanup.push(() => cli.proc.kill());

    await cli.waitForOutput(/\[1\/2\] bed-radar/);
    await cli.waitForOutput(/Lie on the bed/);
    await cli.waitForOutput(/Press Enter when ready/);
    cli.answer('');
    await cli.waitForOutput(/Waiting up to 20 s for presence and a breathing rate/);
    // The technician lies down: the radar reports presence, then a breathing rate.
    await feedUntil(pty, () => [presence(true), breath(16)], 'the walk test moved on to the gas detector', () => /\[2\/2\] gas-kitchen/.test(cli.stdout()), { everyMs: 300 });
    expect(cli.stdout()).toMatch(/PASS in \d+\.\d s: presence yes, breathing 16\/min/);
    // The step's lines may come in more than one write (a loaded machine): wait for them, not only the header.
    await cli.waitForOutput(/Apply test gas/);
    await cli.waitForOutput(/Press Enter when ready/, 2);
    cli.answer('');
    await cli.waitForOutput(/Waiting up to 20 s for the gas alarm/);
    gas.setUnit(1, { holding: { 0: 125, 1: 0x0201 } }); // test gas: 12.5 %LEL, alarm level 1

    expect(await cli.exited).toBe(0);
    const out = cli.stdout();
    expect(out).toMatch(/Combustible gas raised \(seq \d+\); waiting for the cloud/);
    expect(out).toMatch(/the cloud confirmed it \(cloud_ack\) after \d+\.\d s/);
    expect(out).toMatch(/Commissioning report: hub hub-walk/);
    expect(out).toMatch(/bed-radar\s+seeed-mr60bha1\s+bedroom\s+PASS/);
    expect(out).toMatch(/gas-kitchen\s+gas-detector-4000x\s+kitchen\s+PASS\s+\d+\.\d s\s+cloud_ack \d+\.\d s/);
    expect(out).toContain('Uplink: sending a test event (hub.test) and waiting for the cloud to confirm it...');
    expect(out).toMatch(/Uplink: connected, delivery cloud_ack, round trip \d+\.\d s \(test event hub\.test, seq \d+\)/);
    expect(out).toMatch(/Clock: /);
    expect(out).toContain('All 2 devices passed.');
    expect(out).not.toContain('\u001b[');

    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.ok).toBe(true);
    expect(report.devices.map((d) => [d.id, d.result])).toEqual([['bed-radar', 'pass'], ['gas-kitchen', 'pass']]);
    const g = report.devices[1]!;
    expect(g.alarm?.type).toBe('alarm.gas');
    expect(g.cloud).toMatchObject({ confirmed: true, via: 'cloud_ack' });
    expect(g.cloud!.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(g.cloud!.roundTripMs).toBeLessThan(10_000);
    expect(report.uplink).toMatchObject({ connected: true, delivery: 'cloud_ack' });
    // The uplink round trip is the hub.test event's, confirmed by the cloud ack like the alarm.
    expect(report.uplink.test).toMatchObject({ confirmed: true, via: 'cloud_ack' });
    expect(report.uplink.roundTripMs).toBe(report.uplink.test!.roundTripMs);
    expect(report.uplink.test!.seq).toBeGreaterThan(g.alarm!.seq);
    expect(cloud.events('hub-walk').find((e) => e.type === 'hub.test')?.seq).toBe(report.uplink.test!.seq);
    // The cloud really has the test alarm, stored under the seq the walk test reported.
    expect(cloud.events('hub-walk').find((e) => e.type === 'alarm.gas' && e.state === 'raised')?.seq).toBe(g.alarm!.seq);
    expect(['synced', 'unsynced', 'unknown']).toContain(report.clock.state);
  });

  it('an unplugged radar fails with a useful hint (en, zh and JSON), exit 1', async () => {
    await pty.unplug();
    await waitFor('the daemon saw the port go', async () => (await hub.status()).devices.find((d) => d.id === 'bed-radar')?.serial?.open === false);
    const cli = spawnCli(['walktest', '--socket', socket, '--config', cfg, '--device', 'bed-radar', '--timeout-s', '2']);
    cleanup.push(() => cli.proc.kill());
    await cli.waitForOutput(/Press Enter when ready/);
    cli.answer('');
    expect(await cli.exited).toBe(1);
    const out = cli.stdout();
    expect(out).toMatch(/FAIL: no data: port \S+radar\.dev is not open .*check the cable and the USB adapter; run `anjuctl diagnose`/);
    expect(out).toContain('1 of 1 devices did not pass.');

    // Chinese, and JSON on stdout while the prompts go to stderr; stdin closed: it proceeds unasked.
    const zh = spawnCli(['walktest', '--socket', socket, '--config', cfg, '--device', 'bed-radar', '--timeout-s', '1', '--json'], { LANG: 'zh_CN.UTF-8' });
    zh.proc.stdin!.end();
    expect(await zh.exited).toBe(1);
    expect(zh.stderr()).toContain('请躺在床上');
    expect(zh.stderr()).toMatch(/失败：无数据：端口 \S+ 未打开/);
    const report = JSON.parse(zh.stdout()) as Report;
    expect(report.ok).toBe(false);
    expect(report.devices[0]).toMatchObject({ id: 'bed-radar', result: 'fail', hintCode: 'wtHintPortClosed' });
    expect(report.devices[0]!.hint).toMatch(/check the cable.*anjuctl diagnose/); // JSON stays English
    await pty.plug();
  });

  it('a technician may skip a device (s): it is reported as skipped, exit 1; unknown --device is a usage error', async () => {
    const cli = spawnCli(['walktest', '--socket', socket, '--config', cfg, '--device', 'bed-radar', '--timeout-s', '5']);
    cleanup.push(() => cli.proc.kill());
    await cli.waitForOutput(/Press Enter when ready/);
    cli.answer('s');
    expect(await cli.exited).toBe(1);
    expect(cli.stdout()).toMatch(/bed-radar\s+seeed-mr60bha1\s+bedroom\s+SKIPPED/);
    const bad = spawnCli(['walktest', '--socket', socket, '--device', 'nope']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('unknown device nope; configured devices: bed-radar, gas-kitchen');
  });

  it('a home with only a radar: the uplink round trip is still measured (hub.test); unconfirmed by the cloud, the walk test fails', async () => {
    const run = async (extra: string[]) => {
      const cli = spawnCli(['walktest', '--socket', socket, '--config', cfg, '--device', 'bed-radar', '--timeout-s', '20', '--json', ...extra]);
      cleanup.push(() => cli.proc.kill());
      await cli.waitForOutput(/Press Enter when ready/);
      cli.answer('');
      await cli.waitForOutput(/Waiting up to 20 s/);
      await feedUntil(pty, () => [presence(true), breath(15)], 'the radar proved', () => /PASS|FAIL|失败/.test(cli.stdout() + cli.stderr()), { everyMs: 300 });
      return { code: await cli.exited, report: JSON.parse(cli.stdout()) as Report, err: cli.stderr() };
    };
    await waitFor('the radar port open again', async () => (await hub.status()).devices.find((d) => d.id === 'bed-radar')?.serial?.open === true);
    const ok = await run([]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.report.devices.map((d) => [d.id, d.result, d.alarm])).toEqual([['bed-radar', 'pass', null]]);
    expect(ok.report.uplink.test).toMatchObject({ confirmed: true, via: 'cloud_ack' });
    expect(ok.report.uplink.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(ok.report.uplink.roundTripMs).toBeLessThan(10_000);
    expect(cloud.events('hub-walk').filter((e) => e.type === 'hub.test').map((e) => e.seq)).toContain(ok.report.uplink.test!.seq);

    await cloud.stop(); // the cloud stops acknowledging
    const bad = await run(['--cloud-timeout-s', '2']);
    expect(bad.code).toBe(1);
    expect(bad.report.ok).toBe(false);
    expect(bad.report.devices[0]!.result).toBe('pass');
    expect(bad.report.uplink.test).toMatchObject({ confirmed: false, roundTripMs: null });
    expect(bad.err).toContain('FAIL: NOT confirmed by the cloud within 2 s');
  });
});

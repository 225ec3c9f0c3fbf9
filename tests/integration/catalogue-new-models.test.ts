/**
 * Issue 14 acceptance: a new model of a known kind is one folder (profile.json, README.md,
 * fixtures), nothing else. The folders are made here in a local profile folder
 * (`device_profiles.local_dir`), as a technician would on site; the production catalogue reads them.
 * - a serial radar variant (a known wire protocol at another line speed): its fixture frames, sent on
 *   a socat pty to the real daemon, come out as exactly the expected readings;
 * - a Zigbee smoke detector variant: each fixture message decodes through the catalogue as expected,
 *   and through the daemon (fake coordinator at our controller port) its alarm reaches the cloud.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe } from '../../src/cli/client.js';
import { parseConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/core/clock.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { loadCatalogue } from '../../src/drivers/catalogue.js';
import { decodeZigbeeProfileMessage, zigbeeModelsOf } from '../../src/drivers/zigbee-registry.js';
import { openSystemPort } from '../../src/transports/serial/serial-transport.js';
import { ROOT, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { createFakeCoordinator } from '../helpers/fake-zigbee-controller.js';
import { hex } from '../helpers/hex.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';

const SERIAL_MODEL = 'acme-vital-radar';
const ZIGBEE_MODEL = 'acme-smoke-z1';
const SMOKE_IEEE = '0x00124b0001c0ffee';

interface Reading { metric: string; value: unknown }
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Writes one model folder the way devices/README.md tells a newcomer to: profile, README, fixtures. */
function addFolder(root: string, model: string, profile: object, fixtures: { file: string; cases: unknown[] }): void {
  const dir = join(root, model);
  mkdirSync(join(dir, 'fixtures'), { recursive: true });
  writeFileSync(join(dir, 'profile.json'), JSON.stringify({ ...profile, model }, null, 2));
  writeFileSync(join(dir, 'README.md'), `# ${model}\n\nA variant added on site (test).\n`);
  writeFileSync(join(dir, 'fixtures', fixtures.file), JSON.stringify({ model, cases: fixtures.cases }, null, 2));
}

describe('a new serial model and a new Zigbee model, each one folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-cat-'));
  const local = join(dir, 'devices');
  const cleanup: Array<() => unknown> = [];
  const serialCases = readJson<{ cases: Array<{ name: string; hex: string; expect: Reading[] }> }>(join(ROOT, 'devices/seeed-mr60bha1/fixtures/frames.json')).cases;
  const smokeCases = readJson<{ cases: Array<{ name: string; cluster: string; type: string; data: Record<string, unknown>; expect: Reading[] }> }>(join(ROOT, 'devices/heiman-hs1sa/fixtures/messages.json')).cases;

  beforeAll(() => {
    // A radar speaking the MR60BHA1 protocol at 9600 baud: a known decoder, a new model.
    const radar = readJson<Record<string, unknown>>(join(ROOT, 'devices/seeed-mr60bha1/profile.json'));
    addFolder(local, SERIAL_MODEL, { ...radar, vendor: 'ACME', name: 'ACME vital-signs radar (MR60BHA1 protocol, 9600 baud)', serial: { ...(radar.serial as object), baudRate: 9600 } },
      { file: 'frames.json', cases: serialCases });
    // An IAS smoke detector with its own Zigbee model id.
    const smoke = readJson<{ zigbee: Record<string, unknown> }>(join(ROOT, 'devices/heiman-hs1sa/profile.json'));
    addFolder(local, ZIGBEE_MODEL, { ...smoke, vendor: 'ACME', name: 'ACME Z1 smoke detector (IAS Zone, fire)', zigbee: { ...smoke.zigbee, modelIds: ['ACME-SMOKE-Z1'], manufacturerNames: ['ACME'] } },
      { file: 'messages.json', cases: smokeCases });
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the catalogue lists both, from the local folder, with their profile\'s transport, driver and supervision class', () => {
    const c = loadCatalogue({ localDir: local });
    expect(c.problems).toEqual([]);
    expect(c.get(SERIAL_MODEL)).toMatchObject({ transport: 'serial', driver: 'seeed-mr60bha1', supervisionClass: 'radar', source: 'local' });
    expect(c.get(ZIGBEE_MODEL)).toMatchObject({ transport: 'zigbee', driver: 'zigbee-ias', supervisionClass: 'smoke', source: 'local' });
  });

  it('the Zigbee model\'s fixtures decode through the catalogue exactly', () => {
    const profile = zigbeeModelsOf(loadCatalogue({ localDir: local }))[ZIGBEE_MODEL]!;
    for (const fc of readJson<{ cases: typeof smokeCases }>(join(local, ZIGBEE_MODEL, 'fixtures/messages.json')).cases) {
      expect(decodeZigbeeProfileMessage(profile, { cluster: fc.cluster, type: fc.type, data: fc.data }), fc.name).toEqual({ ok: true, measurements: fc.expect });
    }
  });

  it('the serial model\'s fixture frames come out of the real daemon as exactly the expected readings', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir, 'acme');
    cleanup.push(() => pty.unplug());
    const socket = join(dir, 'state', 'anjud.sock');
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: hub-cat }
state_dir: "${join(dir, 'state')}"
control: { socket: "${socket}" }
uplink: { url: "${broker.url}", delivery: puback }
device_profiles: { local_dir: "${local}" }
devices:
  - { id: acme-radar, model: ${SERIAL_MODEL}, room: bedroom, serial: { path: "${pty.devicePath}" } }
`);
    const daemon: DaemonProcess = spawnDaemon(['--config', cfg]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('serial port open', (l) => l.msg === 'serial port open', 15_000);
    const got: Reading[] = [];
    const sub = await subscribe(socket, { events: false, readings: true }, (_s, d) => {
      if (d.device === 'acme-radar') got.push({ metric: String(d.metric), value: d.value });
    });
    cleanup.push(() => sub.stop());
    await sleep(200);
    const cases = readJson<{ cases: typeof serialCases }>(join(local, SERIAL_MODEL, 'fixtures/frames.json')).cases;
    const expected = cases.flatMap((c) => c.expect);
    for (const c of cases) pty.write(hex(c.hex));
    await waitFor(`${expected.length} readings`, () => got.length >= expected.length, 15_000, () => `got ${got.length}`);
    expect(got).toEqual(expected);
    expect(daemon.proc.exitCode).toBeNull();
  });

  it('the Zigbee model\'s alarm reaches the cloud through the daemon', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-cat-zb/events');
    cleanup.push(() => events.close());
    const state = join(dir, 'zb-state');
    const r = parseConfig(`hub: { id: hub-cat-zb }
state_dir: "${state}"
control: { socket: "${join(state, 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
device_profiles: { local_dir: "${local}" }
zigbee: { serial: { path: /dev/anju-zigbee, adapter: zstack } }
devices:
  - { id: hall-smoke, model: ${ZIGBEE_MODEL}, room: hall, zigbee: { ieee: "${SMOKE_IEEE}" } }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const fake = createFakeCoordinator();
    const daemon = createDaemon({
      config: r.config, log: pino({ level: 'silent' }), clock: systemClock, version: 'test', openPort: openSystemPort,
      configHash: r.hash, zigbeeControllerFactory: fake.factory,
    });
    daemon.start();
    cleanup.push(() => daemon.stop());
    await waitFor('coordinator running', () => fake.running && daemon.status().uplink?.connected, 15_000);
    fake.emit().message({ ieee: SMOKE_IEEE, endpoint: 1, cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 0b1, extendedstatus: 0, zoneid: 23, delay: 0 }, linkquality: 90 });
    const alarm = await events.waitFor('alarm.smoke', (m) => m.body.type === 'alarm.smoke' && m.body.state === 'raised');
    expect(alarm.body).toMatchObject({ severity: 'critical', device: 'hall-smoke' });
  });
});

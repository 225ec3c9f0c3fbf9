/**
 * The cloud's messages as hostile input (issue 12, findings 7 and 13), through the running daemon and
 * a real Mosquitto: 20k malformed acks give a bounded number of log lines (they gave 12.5k lines)
 * and are counted; an ack or command over its size limit is counted and never parsed (a command is
 * answered ANJU_CMD_TOO_LARGE); one over the announced MQTT 5 Maximum Packet Size is never even
 * delivered, and the hub stays connected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../src/cli/client.js';
import type { DaemonStatus } from '../../src/daemon/daemon.js';
import { MAX_ACK_BYTES, MAX_COMMAND_BYTES, UPLINK_MAX_PACKET_BYTES } from '../../src/uplink/contract.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/wait.js';

const HUB = 'hub-inbound';
const BASE = `anju/v1/${HUB}`;

describe('inbound bounds of the uplink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-inbound-'));
  const socket = join(dir, 'state', 'anjud.sock');
  const cleanup: Array<() => unknown> = [];
  let broker: Mosquitto;
  let daemon: DaemonProcess;
  let cloud: MqttClient;
  const replies = new Map<string, Record<string, unknown>>();
  const status = async (): Promise<DaemonStatus> => (await request(socket, 'get-status')).data as DaemonStatus;

  beforeAll(async () => {
    // Mosquitto queues at most 1000 messages per subscriber by default: let the whole flood through.
    broker = await startMosquitto({ globalConf: 'allow_anonymous true\nmax_queued_messages 0' });
    cleanup.push(() => broker.stop());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: ${HUB} }
state_dir: "${join(dir, 'state')}"
log: { level: info }
control: { socket: "${socket}" }
uplink: { url: "${broker.url}", reconnect_min_s: 0.2, reconnect_max_s: 1 }
devices: []
`);
    cloud = connect(broker.url, { protocolVersion: 5, clientId: 'test-cloud' });
    cleanup.push(() => cloud.endAsync(true));
    await waitFor('cloud client', () => cloud.connected);
    await cloud.subscribeAsync('cloud/replies', { qos: 1 });
    cloud.on('message', (_t, payload, packet) => {
      replies.set(packet.properties?.correlationData?.toString() ?? '', JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    daemon = spawnDaemon(['--config', cfg]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('connected', (l) => l.msg === 'uplink connected');
    await waitFor('the daemon subscribed', async () => {
      cloud.publish(`${BASE}/cmd/ping`, '{}', { qos: 1, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from('hello') } });
      await new Promise((r) => setTimeout(r, 200));
      return replies.has('hello');
    });
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  const command = async (id: string, payload: string | Buffer): Promise<Record<string, unknown>> => {
    await cloud.publishAsync(`${BASE}/cmd/set-config`, payload, { qos: 1, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from(id) } });
    return waitFor(`reply ${id}`, () => replies.get(id), 20_000);
  };

  it('20k malformed acks: counted, a bounded number of log lines, the daemon stays up', async () => {
    const linesBefore = daemon.logs.length;
    const bad = ['two', '{"seq":"2"}', '{"seq":-1}', '[]', '', '{"seq":1.5}', '{"report_seq":null}', '\u0000\u00ff'];
    const N = 20_000;
    for (let i = 0; i < N; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, k) => cloud.publishAsync(`${BASE}/ack`, bad[(i + k) % bad.length]!, { qos: 1 })));
    }
    // The hub handles one subscription's messages in order: a command answered after them means
    // every ack before it was handled (and logged, if it was going to be).
    await cloud.publishAsync(`${BASE}/cmd/ping`, '{}', { qos: 1, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from('after-acks') } });
    await waitFor('ping after the acks', () => replies.get('after-acks'), 60_000);
    const lines = daemon.logs.slice(linesBefore);
    expect(lines.filter((l) => l.msg.startsWith('ignoring a malformed cloud ack')).length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(50);
    expect((await status()).uplink!.inbound.malformedAcks).toBe(N);
    expect(daemon.proc.exitCode).toBeNull();
  });

  it('an ack and a command over their size limits are counted and never parsed; the command is answered', async () => {
    const before = (await status()).uplink!.inbound;
    // Valid JSON, a valid ack but for the padding: parsed, it would be applied.
    await cloud.publishAsync(`${BASE}/ack`, `{"seq":1${' '.repeat(MAX_ACK_BYTES)}}`, { qos: 1 });
    const yaml = 'x'.repeat(MAX_COMMAND_BYTES);
    const r = await command('too-large', JSON.stringify({ yaml }));
    expect(r).toMatchObject({ v: 1, hub: HUB, cmd: 'set-config', ok: false, code: 'ANJU_CMD_TOO_LARGE' });
    const after = (await status()).uplink!;
    expect(after.inbound.oversized).toBe(before.oversized + 2);
    expect(after.inbound.malformedAcks).toBe(before.malformedAcks); // not parsed
    expect(after.lastCloudAck).toBeNull();
    expect(daemon.logs.some((l) => l.code === 'ANJU_ERR_UPLINK_OVERSIZED')).toBe(true);
  });

  it('a command over the announced MQTT 5 maximum packet size never reaches the hub, which stays connected', async () => {
    const before = (await status()).uplink!;
    await cloud.publishAsync(`${BASE}/cmd/set-config`, Buffer.alloc(UPLINK_MAX_PACKET_BYTES + 1, 0x20), {
      qos: 1, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from('beyond') },
    });
    // Messages to one subscriber stay in order: once the ping behind it is answered, it was dropped.
    expect(await command('after', '{}')).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
    expect(replies.has('beyond')).toBe(false);
    const after = (await status()).uplink!;
    expect(after.inbound.oversized).toBe(before.inbound.oversized);
    expect(after.connects).toBe(before.connects);
    expect(after.connected).toBe(true);
  });
});

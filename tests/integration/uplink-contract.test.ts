/**
 * Contract test for docs/uplink.md and docs/schema/ (issue 3, point 8), so the documented contract
 * cannot drift from the code:
 * - without a daemon: the schemas stay within what zod 4's z.fromJSONSchema enforces, reject wrong
 *   messages, accept their own examples and every example in docs/uplink.md; every command has an
 *   arguments schema that accepts exactly what the hub accepts; the ack schema agrees with parseAck();
 *   every error code and event type in src/ is documented; the docs' links resolve;
 * - a real Mosquitto and the real built daemon (dist/; build first): an alarm raised through a pty,
 *   reminded, acknowledged with ack-alarm and cleared; telemetry; heartbeats; cloud acks; every command
 *   (valid, unknown, bad JSON, invalid arguments) with MQTT 5 response topic and correlation data, and
 *   failed ones changing nothing; a clean stop, a restart, a set-config applied, and kill -9 (the will).
 *   Every message captured on anju/v1/<hub>/# and on the response topics is validated against its
 *   schema and must not carry a field the schema does not list (the schemas themselves allow additional
 *   properties, for consumers' sake).
 * ANJU_CONTRACT_DUMP=file writes everything the test saw on the wire, to refresh the docs' examples.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../../src/core/clock.js';
import { request } from '../../src/cli/client.js';
import { hubCommands } from '../../src/daemon/commands.js';
import { CommandError, CommandErrors, createCommandDispatcher, type CommandSpec } from '../../src/uplink/commands.js';
import { parseAck, topics } from '../../src/uplink/contract.js';
import { ROOT, spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';
import { check, literalsInSrc, problems, schemaFiles, schemas, UPLINK_MD, unsupportedKeywords, validator, type Json } from './uplink-contract.schemas.js';

// Every command the hub can offer, the optional ones included (set-config and update need the supervisor).
type HubCommandOptions = Parameters<typeof hubCommands>[0];
const commandOptions = { clock: systemClock, uplink: () => null, status: () => ({}), ackAlarm: () => ({ ok: false, reason: 'unknown' }) } as unknown as HubCommandOptions;
const commandSpecs = hubCommands({ ...commandOptions, applyConfig: () => ({}) as never, getConfig: () => ({}) as never, nightData: () => null, update: () => ({}) as never }) as unknown as Record<string, CommandSpec<unknown>>;
const commandNames = Object.keys(commandSpecs);

/** update: the shapes of its arguments (what they say is the update manager's business, tested in ota-update.test.ts). */
function updateSamples(): unknown[] {
  const ok = { url: 'https://p.example/anju_0.2.0_arm64.deb', size: 10, sha256: 'a'.repeat(64), version: '0.2.0', arch: 'arm64', signature: `${'A'.repeat(86)}==` };
  return [
    ok, { ...ok, signature: undefined }, { ...ok, url: '' }, { ...ok, url: 'h'.repeat(2049) }, { ...ok, url: 'http://x' }, { ...ok, size: 0 }, { ...ok, size: 1.5 }, { ...ok, size: '10' },
    { ...ok, size: 2 ** 53 }, { ...ok, sha256: 'A'.repeat(64) }, { ...ok, sha256: 'a'.repeat(63) }, { ...ok, version: '1.2' }, { ...ok, version: '01.2.3' }, { ...ok, version: '1.2.3-rc.1' },
    { ...ok, version: '1.2.3+build' }, { ...ok, arch: 'ARM64' }, { ...ok, arch: '' }, { ...ok, signature: 'abc' }, { ...ok, signature: `${'A'.repeat(87)}=` }, { ...ok, extra: 1 },
    { ...ok, arch: undefined }, { ...ok, version: '1.2.3-' }, { ...ok, version: '1.2.3-a..b' }, { ...ok, version: '1234567890.0.0' },
  ];
}

const ERROR_CODES = literalsInSrc(/'(ANJU_CMD_[A-Z0-9_]+)'/g);
const EVENT_TYPES = literalsInSrc(/'((?:alarm|hub|device|event)\.[a-z0-9_]+)'/g);
const silent = pino({ level: 'silent' });

describe('docs/schema and docs/uplink.md (no daemon)', () => {
  it('has a schema for every message and every command, each within what z.fromJSONSchema enforces', () => {
    const expected = ['event.v1.json', 'report.v1.json', 'unstored.v1.json', 'telemetry.v1.json', 'status.v1.json', 'inventory.v1.json', 'availability.v1.json', 'heartbeat.v1.json', 'ack.v1.json', 'command-response.v1.json', ...commandNames.map((n) => `cmd-${n}.v1.json`)];
    expect(schemaFiles).toEqual(expected.sort());
    for (const f of schemaFiles) {
      const s = schemas[f]!;
      expect(s.$schema, f).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(unsupportedKeywords(s, f), f).toEqual([]);
      expect(() => validator(f), f).not.toThrow();
      for (const def of Object.keys((s.$defs as Json | undefined) ?? {})) expect(() => validator(f, def), `${f}#${def}`).not.toThrow();
    }
  });

  it('accepts each schema\'s own examples, and they carry no undocumented field', () => {
    for (const f of schemaFiles) {
      const examples = schemas[f]!.examples as unknown[] | undefined;
      expect(examples?.length, `${f} has examples`).toBeGreaterThan(0);
      for (const e of examples!) expect(problems(f, e), `${f} ${JSON.stringify(e)}`).toEqual([]);
    }
  });

  it('rejects wrong messages (the validation is not vacuous)', () => {
    const ex = (f: string, i = 0) => structuredClone((schemas[f]!.examples as Json[])[i]!);
    const wrong: Array<[string, unknown]> = [
      ['event.v1.json', { ...ex('event.v1.json'), seq: '1' }],
      ['event.v1.json', { ...ex('event.v1.json'), seq: 0 }],
      ['event.v1.json', { ...ex('event.v1.json'), id: undefined }],
      ['event.v1.json', { ...ex('event.v1.json'), severity: 'urgent' }],
      ['event.v1.json', { ...ex('event.v1.json'), state: 'open' }],
      ['event.v1.json', { ...ex('event.v1.json'), device: 5 }],
      ['event.v1.json', { ...ex('event.v1.json'), data: null }],
      ['event.v1.json', { ...ex('event.v1.json'), v: 2 }],
      ['event.v1.json', { ...ex('event.v1.json'), hub: 'a/b' }],
      ['event.v1.json', { ...ex('event.v1.json'), ts: 1.5 }],
      ['report.v1.json', { ...ex('report.v1.json'), report_seq: 0 }],
      ['report.v1.json', { ...ex('report.v1.json'), report_seq: undefined, seq: 1 }],
      ['report.v1.json', { ...ex('report.v1.json'), type: 'alarm.apnea' }],
      ['report.v1.json', { ...ex('report.v1.json'), gap: { from: 1 } }],
      ['report.v1.json', { ...ex('report.v1.json'), epoch: undefined }],
      ['status.v1.json', { ...ex('status.v1.json', 0), reason: 'shutdown' }],
      ['status.v1.json', { ...ex('status.v1.json', 1), reason: undefined }],
      ['status.v1.json', { ...ex('status.v1.json', 1), uptime_s: 3 }],
      ['status.v1.json', { ...ex('status.v1.json', 0), state: 'maybe' }],
      ['status.v1.json', { ...ex('status.v1.json', 0), config_hash: 'not-hex' }],
      ['status.v1.json', { ...ex('status.v1.json', 1), reason: 'crashed' }],
      ['heartbeat.v1.json', { ...ex('heartbeat.v1.json'), queue: undefined }],
      ['heartbeat.v1.json', { ...ex('heartbeat.v1.json'), queue: { alarm: -1, event: 0 } }],
      ['heartbeat.v1.json', { ...ex('heartbeat.v1.json'), queue: { alarm: 0, event: 0, report: -1 } }],
      ['heartbeat.v1.json', { ...ex('heartbeat.v1.json'), last_report_seq: 'one' }],
      ['heartbeat.v1.json', { ...ex('heartbeat.v1.json'), oldest_unsent_alarm_age_s: 'old' }],
      ['heartbeat.v1.json', { ...ex('heartbeat.v1.json'), devices: { total: 1 } }],
      ['ack.v1.json', { seq: -1 }],
      ['ack.v1.json', { seq: 1.5 }],
      ['ack.v1.json', { seq: '2' }],
      ['ack.v1.json', { report_seq: -1 }],
      ['ack.v1.json', { seq: 2, report_seq: '1' }],
      ['ack.v1.json', { epoch: '3f9a1c0d5e7b2a44' }],
      ['ack.v1.json', {}],
      ['ack.v1.json', '2'],
      ['command-response.v1.json', { ...ex('command-response.v1.json', 2), code: undefined }],
      ['command-response.v1.json', { ...ex('command-response.v1.json', 2), code: 'oops' }],
      ['command-response.v1.json', { ...ex('command-response.v1.json', 0), code: 'ANJU_CMD_FAILED' }],
      ['command-response.v1.json', { ...ex('command-response.v1.json', 0), ok: 'yes' }],
      ['command-response.v1.json', { ...ex('command-response.v1.json', 2), data: {} }],
      ['cmd-resync.v1.json', { since_seq: 0, limit: 0 }],
      ['cmd-resync.v1.json', { limit: 5 }],
      ['cmd-resync.v1.json', { since_report_seq: 0, extra: 1 }],
      ['cmd-resync.v1.json', { since_seq: 0, since_report_seq: -1 }],
      ['cmd-ping.v1.json', { x: 1 }],
    ];
    for (const [f, msg] of wrong) expect(check(f, JSON.parse(JSON.stringify(msg))), `${f} must reject ${JSON.stringify(msg)}`).not.toEqual([]);
    // The $defs are checked too: a data object of the wrong shape fails.
    expect(check('event.v1.json', { breathRatePerMin: 30, direction: 'up' }, 'alarm.breathing_rate.raised')).not.toEqual([]);
    expect(check('report.v1.json', { startTs: 1 }, 'report.sleep.info')).not.toEqual([]);
    expect(check('command-response.v1.json', { pong: false, ts: 1 }, 'data.ping')).not.toEqual([]);
    expect(check('command-response.v1.json', { count: 0, lastSeq: null, reportCount: -1, lastReportSeq: null }, 'data.resync')).not.toEqual([]);
    expect(check('command-response.v1.json', { count: 0, lastSeq: null, reportCount: 1, lastReportSeq: 0 }, 'data.resync')).not.toEqual([]);
    expect(check('command-response.v1.json', { reportCount: 1, lastReportSeq: 1 }, 'data.resync')).not.toEqual([]);
    // And the undocumented-field check bites.
    expect(problems('event.v1.json', { ...ex('event.v1.json'), colour: 'red' })).toEqual(['event.v1.json: undocumented field $.colour']);
    expect(problems('event.v1.json', { ...ex('event.v1.json'), data: { ...(ex('event.v1.json').data as Json), extra: 1 } })).toEqual(['event.v1.json: undocumented field $.data.extra']);
    expect(problems('heartbeat.v1.json', { ...ex('heartbeat.v1.json'), queue: { alarm: 0, event: 0, telemetry: 0 } })).toEqual(['heartbeat.v1.json: undocumented field $.queue.telemetry']);
  });

  it('command argument schemas agree with the hub\'s own validation', () => {
    const samples: unknown[] = [
      {}, [], null, 'x', 0, { x: 1 }, { since_seq: 0 }, { since_seq: 7, limit: 1 }, { since_seq: 0, limit: 10_000 },
      { since_seq: 0, limit: 10_001 }, { since_seq: 0, limit: 0 }, { since_seq: -1 }, { since_seq: 1.5 }, { since_seq: '3' },
      { since_seq: 2 ** 53 }, { since_seq: Number.MAX_SAFE_INTEGER }, { limit: 5 }, { since_seq: 0, extra: true }, { since_seq: null },
      { since_report_seq: 0 }, { since_report_seq: 3, limit: 2 }, { since_seq: 1, since_report_seq: 2 }, { since_seq: 1, since_report_seq: 2, limit: 10_000 },
      { since_report_seq: -1 }, { since_report_seq: 1.5 }, { since_report_seq: '1' }, { since_report_seq: null }, { since_report_seq: 2 ** 53 },
      { since_report_seq: 0, extra: 1 }, { since_report_seq: 0, limit: 0 }, { since_report_seq: 0, limit: 10_001 }, { since_seq: '0', since_report_seq: 0 },
      { id: 'e944eda4' }, { id: 'x', by: 'nurse' }, { id: '' }, { id: 'x'.repeat(64) }, { id: 'x'.repeat(65) }, { id: 'x', by: '' }, { id: 'x', by: 'b'.repeat(129) }, { id: 5 },
      { yaml: 'x', base_hash: '0123456789abcdef' }, { yaml: 'x', base_hash: '0123456789ABCDEF' }, { yaml: 'x', base_hash: 'abc' },
      { report_seq: 1 }, { report_seq: 0 }, { date: '2026-11-29' }, { date: '2026-11-29T00:00' }, { device: 'bed-radar' }, { device: 'a b' }, { report_seq: 2, date: '2026-01-01', device: 'x' },
      { yaml: 'hub: { id: x }' }, { yaml: '' }, { yaml: 5 }, { yaml: 'x', extra: 1 }, { yaml: 'x'.repeat(1024 * 1024) }, { yaml: 'x'.repeat(1024 * 1024 + 1) },
      ...updateSamples(),
    ];
    for (const name of commandNames) {
      for (const s of samples) {
        const hub = commandSpecs[name]!.args.safeParse(s).success;
        expect(check(`cmd-${name}.v1.json`, s).length === 0, `${name} ${JSON.stringify(s)}: the hub says ${hub ? 'valid' : 'invalid'}`).toBe(hub);
      }
    }
  });

  it('the ack schema agrees with parseAck()', () => {
    const samples: unknown[] = [
      { seq: 0 }, { seq: 5 }, { seq: 5, by: 'cloud-1' }, 5, 0, -1, 1.5, '5', null, {}, { seq: null }, { seq: '5' }, { seq: -2 }, { seq: 2 ** 53 }, [5], true,
      { report_seq: 1 }, { seq: 5, report_seq: 2 }, { report_seq: 0, epoch: 'e' }, { report_seq: -1 }, { report_seq: 1.5 }, { seq: 5, report_seq: null },
      { seq: 5, report_seq: '2' }, { report_seq: 2 ** 53 }, { epoch: 'e' }, { report_seq: 1, epoch: 5 },
    ];
    for (const s of samples) {
      const hub = parseAck(Buffer.from(JSON.stringify(s))) !== null;
      expect(check('ack.v1.json', s).length === 0, `ack ${JSON.stringify(s)}: the hub ${hub ? 'applies' : 'ignores'} it`).toBe(hub);
    }
  });

  it('ANJU_CMD_NOT_READY and ANJU_CMD_FAILED responses match the schema (dispatcher, in process)', async () => {
    const notReady = await createCommandDispatcher('hub-x', hubCommands(commandOptions), silent)
      .handle('resync', Buffer.from('{"since_seq":0}'));
    expect(notReady).toMatchObject({ ok: false, code: 'ANJU_CMD_NOT_READY' });
    const failing = { boom: { args: z.strictObject({}), run: () => { throw new Error('disk on fire'); } } } as unknown as Record<string, CommandSpec<never>>;
    const failed = await createCommandDispatcher('hub-x', failing, silent).handle('boom', Buffer.from(''));
    expect(failed).toMatchObject({ ok: false, code: CommandErrors.FAILED, message: 'disk on fire' });
    const custom = { busy: { args: z.strictObject({}), run: () => { throw new CommandError('ANJU_CMD_NOT_READY', 'later'); } } } as unknown as Record<string, CommandSpec<never>>;
    expect(await createCommandDispatcher('hub-x', custom, silent).handle('busy', Buffer.from('{}'))).toMatchObject({ code: 'ANJU_CMD_NOT_READY' });
    for (const r of [notReady, failed]) expect(problems('command-response.v1.json', r)).toEqual([]);
  });

  it('docs/uplink.md: every example validates; every topic, command, error code and schema is there; links resolve', () => {
    const md = readFileSync(UPLINK_MD, 'utf8');
    const blocks = [...md.matchAll(/<!-- schema: ([\w.-]+) -->\s*```json\n([\s\S]*?)```/g)];
    const seen = new Set<string>();
    for (const [, file, text] of blocks) {
      seen.add(file!);
      const body = JSON.parse(text!) as unknown;
      expect(problems(file!, body), `docs/uplink.md example for ${file}: ${text}`).toEqual([]);
    }
    expect([...seen].sort(), 'every schema has an example in docs/uplink.md').toEqual(schemaFiles);
    const t = topics('<hubId>');
    for (const topic of [t.events, t.reports, t.unstored, t.telemetry, t.status, t.inventory, t.availability('<deviceId>'), t.heartbeat, t.ack, `${t.cmdPrefix}<name>`]) expect(md, topic).toContain(topic);
    for (const name of commandNames) expect(md, name).toContain(`### \`${name}\``);
    expect(ERROR_CODES).toEqual(expect.arrayContaining([...Object.values(CommandErrors), 'ANJU_CMD_NOT_READY']));
    for (const code of ERROR_CODES) {
      expect(md, code).toContain(`| \`${code}\` |`);
      expect(check('command-response.v1.json', { v: 1, hub: 'h', cmd: 'x', ok: false, code, message: 'm' }), code).toEqual([]);
    }
    const defs = Object.keys(schemas['event.v1.json']!.$defs as Json);
    expect(EVENT_TYPES.length).toBeGreaterThan(0);
    for (const type of EVENT_TYPES) {
      const hint = `event type ${type} is in src/: document its data in docs/schema/event.v1.json $defs ('${type}.<state>') and give it a row in docs/uplink.md section 5`;
      expect(defs.some((d) => d.startsWith(`${type}.`)), hint).toBe(true);
      expect(md.split('\n').some((l) => l.startsWith('| `') && l.includes(`\`${type}\``)), hint).toBe(true);
    }
    for (const f of schemaFiles) expect(md, f).toContain(`](schema/${f})`);
    for (const doc of ['README.md', 'docs/uplink.md', 'docs/pipeline.md']) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        expect(existsSync(join(ROOT, dirname(doc), target!)), `${doc} links to ${target}`).toBe(true);
      }
    }
  });
});

const HUB = 'hub-contract';
const BASE = `anju/v1/${HUB}`;
const REPLY = 'contract/replies/cloud-1';

interface Captured { topic: string; payload: Buffer; body: unknown; retain: boolean; qos: number; props: IPublishPacket['properties'] }

describe('the real daemon on a real Mosquitto, against docs/schema', () => {
  let dir: string;
  let stateDir: string;
  let cfgPath: string;
  let broker: Mosquitto;
  let pty: PtyPair;
  let cloud: MqttClient;
  let daemon: DaemonProcess;
  const daemons: DaemonProcess[] = [];
  const captured: Captured[] = [];
  let corr = 0;

  const since = (i: number) => captured.slice(i);
  const on = (suffix: string, from = 0) => since(from).filter((m) => m.topic === `${BASE}/${suffix}`);
  const bodyOf = (m: Captured) => m.body as Json;

  async function command(name: string, payload: string | Buffer, o: { responseTopic?: string | null; correlation?: Buffer | null; topic?: string } = {}): Promise<{ msg: Captured; res: Json }> {
    const correlation = o.correlation === undefined ? Buffer.concat([Buffer.from([0x00, 0xff, 0xfe]), Buffer.from(`#${++corr}`)]) : o.correlation;
    const responseTopic = o.responseTopic === undefined ? REPLY : o.responseTopic;
    await cloud.publishAsync(o.topic ?? `${BASE}/cmd/${name}`, payload, {
      qos: 1,
      properties: { ...(responseTopic ? { responseTopic } : {}), ...(correlation ? { correlationData: correlation } : {}) },
    });
    if (!responseTopic) return { msg: null as unknown as Captured, res: {} };
    const msg = await waitFor(`response to ${name} ${String(payload)}`, () => captured.find((m) => m.topic === responseTopic
      && (correlation ? m.props?.correlationData !== undefined && Buffer.compare(m.props.correlationData, correlation) === 0 : m.props?.correlationData === undefined)), 10_000);
    expect(msg.qos).toBe(1);
    expect(msg.retain).toBe(false);
    return { msg, res: msg.body as Json };
  }

  /** The outbox as the hub's SQLite file has it: every event row with its marks, and the last cloud ack. */
  function outboxSnapshot(): unknown {
    const db = new Database(join(stateDir, 'anju.db'), { readonly: true });
    try {
      return {
        events: db.prepare('SELECT seq, id, ts, type, state, data, delivered_ts IS NOT NULL AS pubacked, acked_ts FROM events ORDER BY seq').all(),
        reports: db.prepare('SELECT seq, id, ts, data, delivered_ts IS NOT NULL AS pubacked, acked_ts, sent_unsynced, ts_corrected FROM reports ORDER BY seq').all(),
        cloudAck: db.prepare("SELECT value FROM meta WHERE key = 'cloud_ack'").get() ?? null,
        reportCloudAck: db.prepare("SELECT value FROM meta WHERE key = 'report_cloud_ack'").get() ?? null,
      };
    } finally {
      db.close();
    }
  }

  async function startDaemon(): Promise<{ birth: Json; from: number }> {
    const from = captured.length;
    daemon = spawnDaemon(['--config', cfgPath]);
    daemons.push(daemon);
    await daemon.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
    const birth = await waitFor('birth', () => on('status', from).find((m) => bodyOf(m).state === 'online'), 10_000);
    return { birth: bodyOf(birth), from };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anju-contract-'));
    stateDir = join(dir, 'state');
    broker = await startMosquitto();
    pty = await createPtyPair(dir);
    cfgPath = join(dir, 'anju.yaml');
    writeFileSync(cfgPath, `${testConfig({
      hubId: HUB, stateDir, brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: pty.devicePath }],
      sustainS: 3, clearAfterS: 1, delivery: 'cloud_ack', uplinkExtra: 'heartbeat_s: 1, apply_verify_s: 10, telemetry: { interval_s: 1 }',
    })}  sleep_report: { min_in_bed_s: 4, end_after_out_s: 2, min_out_of_bed_s: 1, report_by: null }\nalarms: { renotify_s: 1 }\n`);
    cloud = connect(broker.url, { protocolVersion: 5, clientId: 'contract-cloud', reconnectPeriod: 0 });
    cloud.on('message', (topic, payload, packet) => {
      let body: unknown;
      try { body = JSON.parse(payload.toString('utf8')); } catch { body = undefined; }
      captured.push({ topic, payload, body, retain: packet.retain, qos: packet.qos, props: packet.properties });
    });
    await waitFor('cloud client connected', () => cloud.connected, 10_000);
    // Retain As Published, so the status's retain flag is visible on a live subscription.
    await cloud.subscribeAsync({ [`${BASE}/#`]: { qos: 1, rap: true }, 'contract/replies/#': { qos: 1 } });
  });

  afterAll(async () => {
    for (const d of daemons) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
    await cloud?.endAsync(true);
    await pty?.unplug();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let birth1: Json;
  let raised: Captured;
  let cleared: Captured;
  /** seq of the last event of the alarm's episode, and the first publish of every event by seq. */
  let lastSeq = 0;
  const firstPublish = new Map<number, unknown>();
  /** The first publish of report_seq 1. */
  let report1: unknown;
  const eventsInSeqOrder = () => [...firstPublish.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);

  it('birth: retained, QoS 1, online with version, started_ts, uptime_s and the config hash', async () => {
    const { birth } = await startDaemon();
    birth1 = birth;
    const m = on('status').find((x) => bodyOf(x).state === 'online')!;
    expect(m.retain).toBe(true);
    expect(m.qos).toBe(1);
    const hash = createHash('sha256').update(readFileSync(cfgPath, 'utf8')).digest('hex').slice(0, 16);
    expect(birth).toMatchObject({ v: 1, hub: HUB, state: 'online', config_hash: hash, uptime_s: expect.any(Number), version: expect.any(String) });
    expect(birth.reason).toBeUndefined();
    expect(Number(birth.started_ts)).toBeLessThanOrEqual(Number(birth.ts));
  });

  it('offers exactly the commands that have an arguments schema and a section in docs/uplink.md', async () => {
    const { res } = await command('no-such-command', '{}');
    expect(res).toMatchObject({ ok: false, code: CommandErrors.UNKNOWN });
    const known = /known: (.*)$/.exec(String(res.message))?.[1]?.split(', ') ?? [];
    expect(known.sort(), `commands the hub offers (${String(res.message)})`).toEqual([...commandNames].sort());
    for (const name of known) expect(schemas[`cmd-${name}.v1.json`], `docs/schema/cmd-${name}.v1.json`).toBeDefined();
  });

  it('events: an alarm raised, reminded, acknowledged (ack-alarm) and cleared through the pty; one gapless seq across classes', async () => {
    pty.write(presence(true));
    for (let i = 0; i < 6; i++) { pty.write(breath(30)); await sleep(1000); }
    raised = await waitFor('alarm raised', () => on('events').find((m) => bodyOf(m).type === 'alarm.breathing_rate' && bodyOf(m).state === 'raised'), 15_000);
    const id = bodyOf(raised).id as string;
    expect(bodyOf(raised)).toMatchObject({ v: 1, hub: HUB, seq: 1, severity: 'critical', device: 'bed-radar', data: { breathRatePerMin: 30, direction: 'high' } });

    // Nobody took it: a reminder every alarms.renotify_s (1 s here; the hub checks every 5 s).
    const reminder = await waitFor('hub.alarm_reminder', () => on('events').find((m) => bodyOf(m).type === 'hub.alarm_reminder'), 15_000);
    expect(bodyOf(reminder)).toMatchObject({ severity: 'critical', device: 'bed-radar', state: 'info', data: { alarm_id: id, alarm_seq: 1, alarm_type: 'alarm.breathing_rate', reminder: 1 } });

    const ackArgs = { id, by: 'dispatcher-7' };
    expect(check('cmd-ack-alarm.v1.json', ackArgs)).toEqual([]);
    const { res: ack } = await command('ack-alarm', JSON.stringify(ackArgs));
    expect(ack).toMatchObject({ ok: true, data: { alarm_id: id, alarm_type: 'alarm.breathing_rate', acked_by: 'dispatcher-7', acked_ts: expect.any(Number), already_acknowledged: false } });
    const { res: again } = await command('ack-alarm', JSON.stringify({ id }));
    expect(again).toMatchObject({ ok: true, data: { acked_by: 'dispatcher-7', acked_ts: (ack.data as Json).acked_ts, already_acknowledged: true } });
    const acked = await waitFor('hub.alarm_acknowledged', () => on('events').find((m) => bodyOf(m).type === 'hub.alarm_acknowledged'), 10_000);
    expect(bodyOf(acked)).toMatchObject({ severity: 'info', device: 'bed-radar', state: 'info', data: { alarm_id: id, alarm_seq: 1, alarm_type: 'alarm.breathing_rate', by: 'dispatcher-7' } });
    const { res: st } = await command('get-status', '');
    expect((st.data as Json).alarms).toEqual([expect.objectContaining({ id, seq: 1, type: 'alarm.breathing_rate', device: 'bed-radar', ackedBy: 'dispatcher-7' })]);

    for (let i = 0; i < 4; i++) { pty.write(breath(16)); await sleep(700); }
    cleared = await waitFor('alarm cleared', () => on('events').find((m) => bodyOf(m).state === 'cleared'), 15_000);
    expect(bodyOf(cleared)).toMatchObject({ type: 'alarm.breathing_rate', state: 'cleared', device: 'bed-radar' });
    expect(bodyOf(cleared).id).not.toBe(id);
    const { res: st2 } = await command('get-status', '');
    expect((st2.data as Json).alarms).toEqual([]);

    const events = on('events');
    for (const m of events) {
      expect(m.qos).toBe(1);
      expect(m.retain).toBe(false);
      const seq = Number(bodyOf(m).seq);
      if (!firstPublish.has(seq)) firstPublish.set(seq, m.body);
      else expect(m.body, 'a resend is the same message').toEqual(firstPublish.get(seq));
    }
    lastSeq = Number(bodyOf(cleared).seq);
    // One sequence for alarms and events (raise, reminder(s), acknowledgement, clear), no holes, one id per seq.
    expect([...firstPublish.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(new Set(events.map((m) => bodyOf(m).id)).size).toBe(lastSeq);
    // Acknowledged: no reminder after the acknowledgement.
    expect(events.filter((m) => bodyOf(m).type === 'hub.alarm_reminder').every((m) => Number(bodyOf(m).seq) < Number(bodyOf(acked).seq))).toBe(true);
  });

  it('telemetry: the readings in QoS 1 messages with message expiry, consecutive ids from 1, no gap', async () => {
    const tel = await waitFor('telemetry up to the last readings', () => {
      const ms = on('telemetry');
      const readings = ms.flatMap((m) => (bodyOf(m).readings as unknown[][]));
      return readings.some((r) => r[2] === 'breathRatePerMin' && r[3] === 16) && ms;
    }, 15_000);
    let next = 1;
    for (const m of tel) {
      const b = bodyOf(m) as { seq_from: number; seq_to: number; gap?: unknown; readings: unknown[][] };
      expect(m.qos).toBe(1);
      expect(m.retain).toBe(false);
      expect(m.props?.messageExpiryInterval).toBeGreaterThan(86_000);
      expect(m.props?.messageExpiryInterval).toBeLessThanOrEqual(86_400);
      expect(b.gap).toBeUndefined();
      expect(b.seq_from).toBe(next);
      expect(b.readings).toHaveLength(b.seq_to - b.seq_from + 1);
      for (const r of b.readings) expect(r[1]).toBe('bed-radar');
      next = b.seq_to + 1;
    }
    const metrics = new Set(tel.flatMap((m) => (bodyOf(m).readings as unknown[][]).map((r) => r[2])));
    expect([...metrics]).toEqual(expect.arrayContaining(['presence', 'breathRatePerMin']));
  });

  it('heartbeat: QoS 0, not retained, MQTT 5 message expiry 2 x heartbeat_s, queue and last_seq', async () => {
    const from = captured.length;
    const hb = await waitFor('heartbeat after the events', () => on('heartbeat', from).find((m) => bodyOf(m).last_seq === lastSeq), 10_000);
    expect(hb.qos).toBe(0);
    expect(hb.retain).toBe(false);
    expect(hb.props?.messageExpiryInterval).toBeGreaterThanOrEqual(1);
    expect(hb.props?.messageExpiryInterval).toBeLessThanOrEqual(2);
    // cloud_ack: PUBACKed but not acknowledged by the cloud, all are still in the outbox.
    expect(bodyOf(hb)).toMatchObject({ v: 1, hub: HUB, queue: { alarm: 2, event: lastSeq - 2 }, last_cloud_ack_seq: null, last_cloud_ack_ts: null, devices: { total: 1, open: 1, seen_last_5min: 1 } });
    expect(['synced', 'unsynced', 'unknown']).toContain(bodyOf(hb).clock);
    expect(bodyOf(hb).oldest_unsent_alarm_age_s).toEqual(expect.any(Number));
  });

  it('cloud ack: {"seq": N} takes seq <= N out of the outbox; malformed acks are ignored; N is clamped to last_seq', async () => {
    const status = async () => (await command('get-status', '')).res.data as { outbox: { depth: { alarm: number; event: number; report: number } }; uplink: { lastCloudAck: { seq: number } | null } };
    const ack = async (payload: unknown) => cloud.publishAsync(`${BASE}/ack`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });

    await ack({ seq: 1 });
    // The hub handles its messages in order, so get-status sent after the ack sees it.
    let s = await status();
    expect(s.outbox.depth).toEqual({ alarm: 1, event: lastSeq - 2, report: 0 });
    expect(s.uplink.lastCloudAck?.seq).toBe(1);

    for (const bad of ['{"seq":"2"}', 'two', '{"seq":-1}']) {
      expect(check('ack.v1.json', (() => { try { return JSON.parse(bad) as unknown; } catch { return bad; } })()), bad).not.toEqual([]);
      await ack(bad);
    }
    await daemon.waitForLog('malformed ack logged', (l) => l.msg.startsWith('ignoring a malformed cloud ack'));
    s = await status();
    expect(s.outbox.depth.alarm).toBe(1);

    expect(check('ack.v1.json', { seq: lastSeq })).toEqual([]);
    await ack({ seq: lastSeq });
    s = await status();
    expect(s.outbox.depth).toEqual({ alarm: 0, event: 0, report: 0 });
    expect(s.uplink.lastCloudAck?.seq).toBe(lastSeq);
    await ack({ seq: 99 }); // beyond anything this hub assigned
    s = await status();
    expect(s.uplink.lastCloudAck?.seq).toBe(lastSeq);

    const from = captured.length;
    const hb = await waitFor('heartbeat after the acks', () => on('heartbeat', from).find((m) => bodyOf(m).last_cloud_ack_seq === lastSeq && (bodyOf(m).queue as Json).alarm === 0), 10_000);
    expect(bodyOf(hb)).toMatchObject({ queue: { alarm: 0, event: 0 }, oldest_unsent_alarm_age_s: null, last_seq: lastSeq, last_cloud_ack_ts: expect.any(Number) });
    const snap = outboxSnapshot() as { events: Array<{ acked_ts: number | null }> };
    expect(snap.events.map((e) => e.acked_ts !== null)).toEqual(Array(lastSeq).fill(true));
  });

  it('hub.test: asked for on the local socket only (test-event), sent as the next event, acknowledged like any', async () => {
    const { res: remote } = await command('test-event', JSON.stringify({ nonce: 'x', by: 'cloud' }));
    expect(remote).toMatchObject({ ok: false, code: CommandErrors.UNKNOWN }); // the cloud cannot ask for it
    // Nor sound the home's siren from afar, or walk its escalation ladder (local only, like test-event).
    for (const [cmd, args] of [['siren-test', { device: 'hall-siren' }], ['escalation-test', { by: 'cloud' }]] as const) {
      expect((await command(cmd, JSON.stringify(args))).res, cmd).toMatchObject({ ok: false, code: CommandErrors.UNKNOWN });
    }
    const from = captured.length;
    const r = await request(join(stateDir, 'anjud.sock'), 'test-event', { nonce: 'contract-1', by: 'walktest:contract' });
    expect(r).toMatchObject({ ok: true, data: { raised: true, nonce: 'contract-1' } });
    const m = await waitFor('hub.test', () => on('events', from).find((x) => bodyOf(x).type === 'hub.test'), 10_000);
    expect(bodyOf(m)).toMatchObject({ seq: lastSeq + 1, severity: 'info', device: null, state: 'info', data: { nonce: 'contract-1', by: 'walktest:contract' } });
    lastSeq += 1;
    firstPublish.set(lastSeq, m.body);
    await cloud.publishAsync(`${BASE}/ack`, JSON.stringify({ seq: lastSeq }), { qos: 1 });
    const { res } = await command('get-status', '');
    expect((res.data as { outbox: unknown }).outbox).toMatchObject({ depth: { alarm: 0, event: 0 }, lastSeq });
  });

  it('reports: the night ends (out of bed) in report.sleep on reports, with report_seq 1 and no event seq spent; acked by report_seq', async () => {
    const from = captured.length;
    pty.write(presence(false));
    const rep = await waitFor('report.sleep', () => on('reports', from).find((m) => bodyOf(m).type === 'report.sleep'), 20_000);
    expect(rep.qos).toBe(1);
    expect(rep.retain).toBe(false);
    expect(bodyOf(rep)).toMatchObject({ v: 1, hub: HUB, report_seq: 1, severity: 'info', state: 'info', device: 'bed-radar', data: { endedBy: 'out_of_bed' } });
    expect(bodyOf(rep).seq).toBeUndefined();
    report1 = rep.body;
    const hb = await waitFor('heartbeat counting the report', () => on('heartbeat', from).find((m) => bodyOf(m).last_report_seq === 1), 10_000);
    expect(bodyOf(hb)).toMatchObject({ queue: { alarm: 0, event: 0, report: 1 }, last_seq: lastSeq });
    expect(on('events', from), 'no event for the report').toEqual([]);

    const ack = { report_seq: 1, epoch: bodyOf(rep).epoch };
    expect(check('ack.v1.json', ack)).toEqual([]);
    await cloud.publishAsync(`${BASE}/ack`, JSON.stringify(ack), { qos: 1 });
    const { res } = await command('get-status', '');
    expect((res.data as { outbox: { depth: unknown } }).outbox.depth).toEqual({ alarm: 0, event: 0, report: 0 });
    expect((res.data as { uplink: { reports: { lastCloudAck: { seq: number } } } }).uplink.reports.lastCloudAck.seq).toBe(1);
  });

  it('commands: ping, get-status and resync answer on the response topic with the correlation data echoed', async () => {
    for (const payload of ['{}', '', '  ']) {
      const { res } = await command('ping', payload);
      expect(res).toMatchObject({ v: 1, hub: HUB, cmd: 'ping', ok: true, data: { pong: true } });
      expect(Math.abs(Number((res.data as Json).ts) - Date.now())).toBeLessThan(60_000);
      expect(check('cmd-ping.v1.json', payload.trim() === '' ? {} : JSON.parse(payload))).toEqual([]);
    }

    const { res: gs } = await command('get-status', '{}');
    expect(gs).toMatchObject({ ok: true, data: { hub: HUB, alarms: [], outbox: { depth: { alarm: 0, event: 0 }, lastSeq, oldestPendingTs: null }, devices: [{ id: 'bed-radar' }] } });

    const before = outboxSnapshot();
    const from = captured.length;
    const { res: rs } = await command('resync', '{"since_seq":0}');
    expect(check('cmd-resync.v1.json', { since_seq: 0 })).toEqual([]);
    expect(rs).toMatchObject({ ok: true, cmd: 'resync', data: { count: lastSeq, lastSeq } });
    // Published again, oldest first, with the same id, seq and content: the cloud deduplicates by id.
    const again = await waitFor('resynced events', () => on('events', from).length >= lastSeq && on('events', from), 10_000);
    expect(again.map((m) => m.body)).toEqual(eventsInSeqOrder());
    expect(again.every((m) => m.qos === 1 && !m.retain)).toBe(true);

    const { res: rs1 } = await command('resync', '{"since_seq":1,"limit":1}');
    expect(rs1).toMatchObject({ ok: true, data: { count: 1, lastSeq: 2 } });
    const { res: rs0 } = await command('resync', JSON.stringify({ since_seq: lastSeq }));
    expect(rs0).toMatchObject({ ok: true, data: { count: 0, lastSeq: null } });
    // A cloud that asks only for events gets exactly what it got before reports could be resynced.
    for (const r of [rs, rs1, rs0]) expect(Object.keys(r.data as Json)).toEqual(['count', 'lastSeq']);

    // Reports (since_report_seq): published again on the reports topic, the same message.
    const fromReports = captured.length;
    const { res: rr } = await command('resync', '{"since_report_seq":0}');
    expect(check('cmd-resync.v1.json', { since_report_seq: 0 })).toEqual([]);
    expect(rr).toMatchObject({ ok: true, cmd: 'resync' });
    expect(rr.data).toEqual({ count: 0, lastSeq: null, reportCount: 1, lastReportSeq: 1 });
    const againReport = await waitFor('resynced report', () => on('reports', fromReports)[0], 10_000);
    expect(againReport.body).toEqual(report1);
    expect(againReport.qos).toBe(1);
    expect(againReport.retain).toBe(false);
    expect(on('events', fromReports), 'no event asked for, none sent').toEqual([]);
    // Both at once, each sequence with its own limit; and nothing after the last report_seq.
    const { res: both } = await command('resync', '{"since_seq":1,"since_report_seq":0,"limit":1}');
    expect(both.data).toEqual({ count: 1, lastSeq: 2, reportCount: 1, lastReportSeq: 1 });
    const { res: none } = await command('resync', '{"since_report_seq":1}');
    expect(none.data).toEqual({ count: 0, lastSeq: null, reportCount: 0, lastReportSeq: null });
    expect(outboxSnapshot(), 'resync leaves the outbox and the acks alone').toEqual(before);

    // set-config with the config already in force: nothing to do.
    const text = readFileSync(cfgPath, 'utf8');
    expect(check('cmd-set-config.v1.json', { yaml: text })).toEqual([]);
    const { res: same } = await command('set-config', JSON.stringify({ yaml: text }));
    expect(same).toMatchObject({ ok: true, data: { applied: false, unchanged: true, hash: birth1.config_hash } });
  });

  it('failed commands: stable codes, correlation data echoed, nothing changes, the daemon keeps running', async () => {
    const before = outboxSnapshot();
    const cfgBefore = readFileSync(cfgPath, 'utf8');
    const { res: statusBefore } = await command('get-status', '');
    const eventsBefore = on('events').length;
    const reportsBefore = on('reports').length;
    const cases: Array<[string, string | Buffer, string]> = [
      ['reboot', '{}', CommandErrors.UNKNOWN],
      ['ack-alarm', '{"alarm_id":"x"}', CommandErrors.INVALID_ARGS],
      ['ack-alarm', '{"id":""}', CommandErrors.INVALID_ARGS],
      ['ack-alarm', '{"id":"x","by":""}', CommandErrors.INVALID_ARGS],
      ['ack-alarm', JSON.stringify({ id: 'x'.repeat(65) }), CommandErrors.INVALID_ARGS],
      ['ack-alarm', '{"id":"no-such-alarm"}', 'ANJU_CMD_NOT_FOUND'],
      ['ack-alarm', JSON.stringify({ id: bodyOf(raised).id }), 'ANJU_CMD_NOT_FOUND'], // cleared meanwhile
      ['set-config', '{"uplink":{}}', CommandErrors.INVALID_ARGS],
      ['toString', '{}', CommandErrors.UNKNOWN],
      ['__proto__', '{}', CommandErrors.UNKNOWN],
      ['resync', '{since', CommandErrors.BAD_JSON],
      ['ping', 'ping', CommandErrors.BAD_JSON],
      ['resync', Buffer.from([0xff, 0xfe, 0x00]), CommandErrors.BAD_JSON],
      ['resync', '', CommandErrors.INVALID_ARGS],
      ['resync', '{}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":-1}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":1.5}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":"0"}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":0,"limit":0}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":0,"limit":10001}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":0,"extra":true}', CommandErrors.INVALID_ARGS],
      ['resync', '{"limit":5}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_report_seq":-1}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_report_seq":0,"extra":1}', CommandErrors.INVALID_ARGS],
      ['resync', '{"since_seq":0,"since_report_seq":"1"}', CommandErrors.INVALID_ARGS],
      ['ping', '{"x":1}', CommandErrors.INVALID_ARGS],
      ['ping', '[]', CommandErrors.INVALID_ARGS],
      ['ping', 'null', CommandErrors.INVALID_ARGS],
      ['get-status', '{"verbose":true}', CommandErrors.INVALID_ARGS],
      ['get-status', '42', CommandErrors.INVALID_ARGS],
      ['set-config', '{"config":"x"}', CommandErrors.INVALID_ARGS],
      ['set-config', '{"yaml":""}', CommandErrors.INVALID_ARGS],
      ['set-config', '{"yaml":5}', CommandErrors.INVALID_ARGS],
      ['set-config', JSON.stringify({ yaml: cfgBefore.replace('delivery: cloud_ack', 'delivery: sometimes') }), 'ANJU_CMD_INVALID_CONFIG'],
      ['set-config', JSON.stringify({ yaml: cfgBefore.replace(`id: ${HUB}`, 'id: someone-else') }), 'ANJU_CMD_INVALID_CONFIG'],
      ['set-config', JSON.stringify({ yaml: 'hub: { id: [' }), 'ANJU_CMD_INVALID_CONFIG'],
      ['set-config', JSON.stringify({ yaml: cfgBefore, base_hash: 'x' }), CommandErrors.INVALID_ARGS],
      // Edited from a config that is not the one in force (issue 16): refused, nothing changes.
      ['set-config', JSON.stringify({ yaml: `${cfgBefore}# edited\n`, base_hash: '0123456789abcdef' }), 'ANJU_CMD_STALE_CONFIG'],
      ['get-config', '{"x":1}', CommandErrors.INVALID_ARGS],
    ];
    for (const [name, payload, code] of cases) {
      const { msg, res } = await command(name, payload);
      expect(res, `${name} ${String(payload)}`).toMatchObject({ v: 1, hub: HUB, cmd: name, ok: false, code, message: expect.any(String) });
      expect(msg.props?.correlationData).toBeDefined();
      expect(res.data).toBeUndefined();
      const file = `cmd-${name}.v1.json`;
      if (code === CommandErrors.UNKNOWN) expect(schemas[file], `${file} must not exist for an unknown command`).toBeUndefined();
      if (code === CommandErrors.INVALID_ARGS) {
        const text = payload.toString().trim();
        expect(check(file, text === '' ? {} : JSON.parse(text)), `${file} must reject ${text}`).not.toEqual([]);
      }
    }
    const { res: neither } = await command('resync', '{"limit":5}');
    expect(neither.message).toBe('(payload): expected since_seq or since_report_seq (or both), found neither');
    expect(daemon.proc.exitCode).toBeNull();
    expect(outboxSnapshot(), 'failed commands change nothing in the outbox').toEqual(before);
    expect(readFileSync(cfgPath, 'utf8'), 'nor the config file').toBe(cfgBefore);
    expect(on('events').length, 'failed commands publish no event').toBe(eventsBefore);
    expect(on('reports').length, 'nor a report').toBe(reportsBefore);
    const { res: statusAfter } = await command('get-status', '');
    expect((statusAfter.data as Json).outbox).toEqual((statusBefore.data as Json).outbox);
    expect((await command('ping', '{}')).res.ok).toBe(true);
    expect(daemon.logs.filter((l) => l.level >= 50), 'no error logged').toEqual([]);
  });

  it('a command without a response topic runs unanswered; without correlation data it is answered without it', async () => {
    await command('ping', '{}', { responseTopic: null });
    await daemon.waitForLog('no-response-topic warning', (l) => l.msg.startsWith('command without a response topic'));
    const { msg, res } = await command('ping', '{}', { correlation: null, responseTopic: `${REPLY}/no-corr` });
    expect(res.ok).toBe(true);
    expect(msg.props?.correlationData).toBeUndefined();
  });

  it('the hub acts only on its own topics', async () => {
    const other = `${REPLY}/other-hub`;
    const properties = { responseTopic: other, correlationData: Buffer.from('other') };
    await cloud.publishAsync('anju/v1/other-hub/cmd/ping', '{}', { qos: 1, properties });
    await cloud.publishAsync('anju/v1/other-hub/ack', '{"seq":1}', { qos: 1 });
    await cloud.publishAsync(`${BASE}/cmd/ping/extra`, '{}', { qos: 1, properties });
    // The hub answers in order: once it has answered this later ping, it would have answered those.
    expect((await command('ping', '{}')).res.ok).toBe(true);
    await sleep(200);
    expect(captured.filter((m) => m.topic === other)).toEqual([]);
    expect(daemon.logs.filter((l) => l.msg.includes('does not own'))).toEqual([]);
  });

  it('clean stop: offline, reason shutdown, retained, same started_ts; exit 0', async () => {
    const from = captured.length;
    daemon.proc.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const off = await waitFor('offline status', () => on('status', from).find((m) => bodyOf(m).state === 'offline'), 10_000);
    expect(off.retain).toBe(true);
    expect(off.qos).toBe(1);
    expect(bodyOf(off)).toMatchObject({ v: 1, hub: HUB, reason: 'shutdown', started_ts: birth1.started_ts, version: birth1.version });
    expect(bodyOf(off).uptime_s).toBeUndefined();
  });

  it('restart: new started_ts, acknowledged events not sent again, ids stable; set-config applied; kill -9: the will carries the session ts', async () => {
    const { birth, from } = await startDaemon();
    expect(Number(birth.started_ts)).toBeGreaterThan(Number(birth1.started_ts));
    expect(birth.config_hash).toBe(birth1.config_hash);
    await sleep(500);
    expect(on('events', from), 'nothing left in the outbox to send').toEqual([]);
    const { res } = await command('resync', '{"since_seq":0}');
    expect(res).toMatchObject({ ok: true, data: { count: lastSeq, lastSeq } });
    const again = await waitFor('resynced events after restart', () => on('events', from).length >= lastSeq && on('events', from), 10_000);
    expect(again.map((m) => m.body)).toEqual(eventsInSeqOrder());

    // set-config: accepted (a second one meanwhile is BUSY), applied, announced by an event and a new birth.
    // get-config: the text in force (nothing secret in this one) and its hash, which set-config names as its base.
    const { res: got } = await command('get-config', '');
    expect(got).toMatchObject({ ok: true, data: { yaml: readFileSync(cfgPath, 'utf8'), hash: birth.config_hash, redacted: [] } });
    const next = readFileSync(cfgPath, 'utf8').replace('sustain_s: 3', 'sustain_s: 4');
    const nextHash = createHash('sha256').update(next).digest('hex').slice(0, 16);
    const applyFrom = captured.length;
    const [accepted, busy] = await Promise.all([
      command('set-config', JSON.stringify({ yaml: next, base_hash: birth.config_hash })),
      sleep(20).then(() => command('set-config', JSON.stringify({ yaml: next }))),
    ]);
    expect(accepted.res).toMatchObject({ ok: true, data: { accepted: true, hash: nextHash, previous_hash: birth.config_hash, verify_s: 10 } });
    expect(busy.res).toMatchObject({ ok: false, code: 'ANJU_CMD_BUSY' });
    const applied = await waitFor('hub.config_applied', () => on('events', applyFrom).find((m) => bodyOf(m).type === 'hub.config_applied'), 20_000);
    expect(bodyOf(applied)).toMatchObject({ seq: lastSeq + 1, device: null, state: 'info', data: { hash: nextHash, previous_hash: birth.config_hash } });
    const birth3 = bodyOf(await waitFor('birth with the new config', () => on('status', applyFrom).find((m) => bodyOf(m).config_hash === nextHash), 20_000));
    expect(on('status', applyFrom).map((m) => `${String(bodyOf(m).state)}/${String(bodyOf(m).reason)}`).slice(0, 2)).toEqual(['offline/shutdown', 'online/undefined']);
    expect(readFileSync(cfgPath, 'utf8')).toBe(next);

    const killAt = Date.now();
    const before = captured.length;
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
    const will = await waitFor('the will', () => on('status', before).find((m) => bodyOf(m).state === 'offline'), 10_000);
    expect(will.retain).toBe(true);
    expect(will.qos).toBe(1);
    const w = bodyOf(will);
    expect(w).toMatchObject({ v: 1, hub: HUB, reason: 'connection_lost', started_ts: birth3.started_ts, version: birth3.version });
    // Fixed when the session's CONNECT was prepared: not the time of the loss.
    expect(Number(w.ts)).toBeGreaterThanOrEqual(Number(birth3.started_ts));
    expect(Number(w.ts)).toBeLessThanOrEqual(Number(birth3.ts));
    expect(Number(w.ts)).toBeLessThan(killAt);
  });

  it('every message the hub published matches its schema in docs/schema and carries no undocumented field', () => {
    // ANJU_CONTRACT_DUMP=file: write what was on the wire, to refresh the examples in docs/uplink.md.
    if (process.env.ANJU_CONTRACT_DUMP) writeFileSync(process.env.ANJU_CONTRACT_DUMP, captured.map((m) => `${m.topic} ${m.payload.toString()}\n`).join(''));
    const byTopic: Record<string, string> = {
      [`${BASE}/events`]: 'event.v1.json', [`${BASE}/reports`]: 'report.v1.json', [`${BASE}/telemetry`]: 'telemetry.v1.json', [`${BASE}/status`]: 'status.v1.json', [`${BASE}/heartbeat`]: 'heartbeat.v1.json',
      [`${BASE}/unstored`]: 'unstored.v1.json', // seen on the wire in tests/integration/full-disk.test.ts
      [`${BASE}/inventory`]: 'inventory.v1.json', [`${BASE}/devices/bed-radar/availability`]: 'availability.v1.json',
    };
    const seen = new Map<string, number>();
    const bad: string[] = [];
    for (const m of captured) {
      let file: string | undefined;
      if (m.topic.startsWith('contract/replies/')) file = 'command-response.v1.json';
      else if (m.topic === `${BASE}/ack` || m.topic.startsWith(`${BASE}/cmd/`)) continue; // ours, checked when sent
      else file = byTopic[m.topic];
      if (!file) { bad.push(`${m.topic}: a topic docs/uplink.md does not document`); continue; }
      seen.set(file, (seen.get(file) ?? 0) + 1);
      if (m.body === undefined) { bad.push(`${m.topic}: not JSON: ${m.payload.toString()}`); continue; }
      for (const p of problems(file, m.body)) bad.push(`${m.topic} ${m.payload.toString()}\n    ${p}`);
    }
    expect(bad).toEqual([]);
    for (const f of ['event.v1.json', 'report.v1.json', 'telemetry.v1.json', 'status.v1.json', 'inventory.v1.json', 'availability.v1.json', 'heartbeat.v1.json', 'command-response.v1.json']) expect(seen.get(f), `messages validated against ${f}`).toBeGreaterThan(0);
    // Every status kind was seen: birth, shutdown, will.
    const statuses = on('status').map((m) => `${String(bodyOf(m).state)}/${String(bodyOf(m).reason)}`);
    expect(new Set(statuses)).toEqual(new Set(['online/undefined', 'offline/shutdown', 'offline/connection_lost']));
    // And every response code documented for a reachable failure was seen on the wire.
    const codes = new Set(captured.filter((m) => m.topic.startsWith('contract/replies/')).map((m) => bodyOf(m).code).filter(Boolean));
    expect([...codes].sort()).toEqual([CommandErrors.BAD_JSON, CommandErrors.INVALID_ARGS, CommandErrors.UNKNOWN, 'ANJU_CMD_NOT_FOUND', 'ANJU_CMD_INVALID_CONFIG', 'ANJU_CMD_BUSY', 'ANJU_CMD_STALE_CONFIG'].sort());
  });
});

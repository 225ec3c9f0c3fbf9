import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { COMMAND_ARGS, parseControlRequest } from '../../src/control/protocol.js';
import { parseBrokerUrl } from '../../src/core/broker-url.js';
import { parseReplayLine } from '../../src/cli/commands/replay.js';
import { parseAttempt } from '../../src/release/journal.js';
import { parseIdentity } from '../../src/transports/zigbee/network-settings.js';
import { compareVersions, manifestText, signatureValid, VERSION_PATTERN, type UpdateManifest } from '../../src/update/manifest.js';
import { parseReleaseKeys } from '../../src/update/release-keys.js';
import { check, type FuzzTarget } from '../target.js';

export const controlRequest: FuzzTarget = {
  name: 'control-request',
  covers: ['src/control/protocol.ts parseControlRequest, COMMAND_ARGS', 'src/daemon/control-socket.ts (its line handler)'],
  holds: 'any line: never throws; a request with a string cmd, or the error reply (BAD_JSON / INVALID_ARGS); a request object '
    + 'round-trips; every command schema answers any JSON with success (only its own keys) or issues, never a throw',
  property: () => fc.property(
    fc.oneof(
      fc.record({ id: fc.jsonValue({ maxDepth: 1 }), cmd: fc.oneof(fc.constantFrom(...Object.keys(COMMAND_ARGS), 'subscribe'), fc.string()), args: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['cmd'] })
        .map((o) => JSON.stringify(o)),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.string({ unit: 'binary', maxLength: 80 }),
    ),
    fc.constantFrom(...Object.keys(COMMAND_ARGS) as Array<keyof typeof COMMAND_ARGS>),
    fc.jsonValue({ maxDepth: 2 }),
    (line, name, args) => {
      const r = parseControlRequest(line);
      if (r.ok) {
        check(typeof r.req.cmd === 'string', 'cmd is a string');
        const sent = JSON.parse(line) as { id?: unknown; cmd: string; args?: unknown };
        check(r.req.cmd === sent.cmd && JSON.stringify(r.req.id) === JSON.stringify(sent.id ?? null) && JSON.stringify(r.req.args) === JSON.stringify(sent.args), `round trip of ${line}`);
      } else {
        check(r.reply.ok === false && (r.reply.code === 'ANJU_CMD_BAD_JSON' || r.reply.code === 'ANJU_CMD_INVALID_ARGS'), `reply ${JSON.stringify(r.reply)}`);
        JSON.stringify(r.reply);
      }
      const parsed = COMMAND_ARGS[name].safeParse(args);
      if (parsed.success) {
        check(args !== null && typeof args === 'object' && !Array.isArray(args), `${name} accepted a non-object`);
        const data = parsed.data as Record<string, unknown>;
        check(Object.keys(args).every((k) => Object.hasOwn(data, k)), `${name} accepted unknown keys of ${JSON.stringify(args)}`);
      } else check(parsed.error.issues.length > 0, 'issues say why');
    },
  ),
};

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const ident = fc.stringMatching(/^[0-9A-Za-z-]{1,6}$/);
const versionText = fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 30 }), fc.nat({ max: 30 }), fc.option(fc.array(fc.oneof(ident, fc.nat({ max: 99 }).map(String)), { minLength: 1, maxLength: 3 }), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}`);
const sign3 = (x: number | null): number => (x === null ? NaN : Math.sign(x));

export const updateManifest: FuzzTarget = {
  name: 'update-manifest',
  covers: ['src/update/manifest.ts', 'src/update/release-keys.ts', 'src/release/journal.ts parseAttempt', 'src/core/broker-url.ts'],
  holds: 'versions: null exactly for a non-version, reflexive, antisymmetric, transitive; signatures: a real one verifies, any other '
    + 'string or a changed manifest does not, never a throw; release keys, journal files and broker URLs: any text gives a value or a reason, never a throw',
  quickRuns: 300,
  property: () => fc.property(
    fc.array(fc.oneof({ weight: 4, arbitrary: versionText }, { weight: 1, arbitrary: fc.string({ maxLength: 16 }) }), { minLength: 3, maxLength: 3 }),
    fc.record({ version: versionText, arch: fc.constantFrom('arm64', 'amd64'), size: fc.integer({ min: 1, max: 2 ** 40 }), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
    fc.oneof(fc.string({ maxLength: 100 }), fc.base64String({ maxLength: 100 })),
    fc.string({ unit: 'binary', maxLength: 200 }),
    ([a, b, c], m: UpdateManifest, sig, text) => {
      const valid = (v: string) => VERSION_PATTERN.test(v);
      const ab = compareVersions(a!, b!);
      check((ab === null) === (!valid(a!) || !valid(b!)), `null exactly for a non-version: ${a} ${b}`);
      if (valid(a!)) check(compareVersions(a!, a!) === 0, `reflexive ${a}`);
      if (ab !== null) {
        check(sign3(compareVersions(b!, a!)) === -sign3(ab) || (ab === 0 && compareVersions(b!, a!) === 0), `antisymmetric ${a} ${b}`);
        const bc = compareVersions(b!, c!);
        const ac = compareVersions(a!, c!);
        if (bc !== null && ac !== null && ab <= 0 && bc <= 0) check(ac <= 0, `transitive ${a} <= ${b} <= ${c} but ${a} > ${c}`);
      }
      const real = sign(null, Buffer.from(manifestText(m)), privateKey).toString('base64');
      check(signatureValid([publicKey], m, real), 'a real signature verifies');
      check(!signatureValid([other.publicKey], m, real), 'another key does not verify');
      check(!signatureValid([publicKey], { ...m, size: m.size + 1 }, real), 'a changed manifest does not verify');
      if (sig !== real) check(!signatureValid([publicKey], m, sig), `a made-up signature verifies: ${sig}`);
      for (const t of [text, `-----BEGIN PUBLIC KEY-----\n${text}\n-----END PUBLIC KEY-----`]) {
        const k = parseReleaseKeys(t);
        check(k.ok ? k.keys.length > 0 : k.message.length > 0, 'release keys: keys or a reason');
      }
      const j = parseAttempt(text);
      check(j.ok || j.problem.length > 0, 'journal: an attempt or a problem');
      for (const u of [text, `mqtts://${text}`, `mqtt://${text}:1883`]) {
        const r = parseBrokerUrl(u);
        check(r.ok ? r.endpoint.port >= 1 && r.endpoint.port <= 65535 && r.endpoint.host.length > 0 : r.problem.length > 0, `broker url ${u}`);
      }
    },
  ),
};

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

export const localFiles: FuzzTarget = {
  name: 'local-files',
  covers: ['src/transports/zigbee/network-settings.ts parseIdentity (the persisted Zigbee network)', 'src/cli/commands/replay.ts parseReplayLine (replay files)'],
  holds: 'any JSON as a Zigbee network identity: null or one within its ranges, and a written identity round-trips; any line of a replay file: '
    + 'skip, clock, reading (finite ts, device id, value) or a reason; a reading line round-trips',
  property: () => fc.property(
    fc.oneof(
      fc.record({ panId: fc.integer({ min: 1, max: 0xfffe }), channel: fc.integer({ min: 11, max: 26 }), extendedPanId: fc.uint8Array({ minLength: 8, maxLength: 8 }).map(hex), networkKey: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(hex) }),
      fc.dictionary(fc.constantFrom('panId', 'channel', 'extendedPanId', 'networkKey'), fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('0x00', '0x0011223344556677', 0, 27, 0xffff)), { maxKeys: 4 }),
      fc.anything(),
    ),
    fc.oneof(
      fc.record({ ts: fc.nat(), device: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), metric: fc.string({ minLength: 1, maxLength: 20 }), value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.string()) }).map((r) => JSON.stringify(r)),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.string({ unit: 'binary', maxLength: 80 }),
    ),
    (identity, line) => {
      const id = parseIdentity(identity);
      if (id) {
        check(Number.isInteger(id.panId) && id.panId >= 1 && id.panId <= 0xfffe && id.channel >= 11 && id.channel <= 26, `identity ${JSON.stringify(id)}`);
        check(id.extendedPanId.length === 8 && id.networkKey.length === 16, 'identity lengths');
      }
      const i = identity as { panId?: unknown; channel?: unknown; extendedPanId?: unknown; networkKey?: unknown } | null;
      if (i && typeof i === 'object' && typeof i.extendedPanId === 'string' && i.extendedPanId.length === 18 && typeof i.networkKey === 'string' && i.networkKey.length === 34
        && Number.isInteger(i.panId) && (i.panId as number) >= 1 && (i.panId as number) <= 0xfffe && Number.isInteger(i.channel) && (i.channel as number) >= 11 && (i.channel as number) <= 26
        && /^0x[0-9a-f]+$/.test(i.extendedPanId) && /^0x[0-9a-f]+$/.test(i.networkKey)) {
        check(id !== null && hex(Uint8Array.from(id.extendedPanId)) === i.extendedPanId && hex(Uint8Array.from(id.networkKey)) === i.networkKey, `round trip ${JSON.stringify(identity)}`);
      }
      const r = parseReplayLine(line);
      if (r.kind === 'reading') check(Number.isFinite(r.reading.ts) && r.reading.ts >= 0 && /^[A-Za-z0-9_-]{1,64}$/.test(r.reading.device), `reading ${JSON.stringify(r)}`);
      if (r.kind === 'bad') check(r.reason.length > 0, 'a reason');
      let sent: unknown = undefined;
      try { sent = JSON.parse(line); } catch { /* not JSON */ }
      const s = sent as { ts?: unknown; device?: unknown; metric?: unknown; value?: unknown } | undefined;
      if (s && typeof s === 'object' && !Array.isArray(s) && typeof s.ts === 'number' && typeof s.device === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(s.device)
        && typeof s.metric === 'string' && s.metric !== '' && (typeof s.value === 'boolean' || typeof s.value === 'string' || (typeof s.value === 'number' && Number.isFinite(s.value)))) {
        check(r.kind === 'reading' && r.reading.ts === s.ts && r.reading.device === s.device && r.reading.metric === s.metric && r.reading.value === s.value, `round trip of ${line}`);
      }
    },
  ),
};

import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { COMMAND_ARGS, parseControlRequest } from '../../src/control/protocol.js';
import { parseBrokerUrl } from '../../src/core/broker-url.js';
import { parseAttempt } from '../../src/release/journal.js';
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

import fc from 'fast-check';
import { pino } from 'pino';
import { COMMAND_ARGS } from '../../src/control/protocol.js';
import { CommandError, CommandErrors, createCommandDispatcher } from '../../src/uplink/commands.js';
import { CONTRACT_VERSION, MAX_ACK_BYTES, MAX_COMMAND_BYTES, parseAck, topics, type CommandResponse } from '../../src/uplink/contract.js';
import { createInbound } from '../../src/uplink/inbound.js';
import { check, type FuzzTarget } from '../target.js';

const HUB = 'hub-fuzz';
const silent = pino({ level: 'silent' });
const T = topics(HUB);
const NAMES = Object.keys(COMMAND_ARGS);
const CODES = new Set<string>([...Object.values(CommandErrors), 'ANJU_CMD_REFUSED']);

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
/** Keys the command schemas know, so generated objects often get past "unknown key". */
const ARG_KEYS = [...new Set(Object.values(COMMAND_ARGS).flatMap((s) => {
  const r = s.safeParse({}) as { success: boolean; error?: { issues: ReadonlyArray<{ path: readonly PropertyKey[] }> } };
  return r.success ? [] : r.error!.issues.flatMap((i) => i.path.map(String));
})), 'since_seq', 'since_report_seq', 'limit', 'by', 'seconds', 'adapter', 'device', 'signature'];

const argValue = fc.oneof(fc.integer({ min: -2, max: 300 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 1e308, -0, 0.5), fc.string({ maxLength: 70 }),
  fc.constantFrom('a'.repeat(64), 'f'.repeat(64), '1.2.3', '1.2.3-rc.1', 'hci0', 'arm64', `${'A'.repeat(86)}==`), fc.jsonValue({ maxDepth: 2 }));
/** Command payloads: argument objects of the right keys, any JSON, any bytes. */
const payload = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...ARG_KEYS), fc.string({ maxLength: 8 })), argValue, { maxKeys: 5 }).map((o) => utf8(JSON.stringify(o))) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => utf8(JSON.stringify(v) ?? '')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }).map(utf8) },
);

export const acks: FuzzTarget = {
  name: 'cloud-acks',
  covers: ['src/uplink/contract.ts parseAck'],
  holds: 'any bytes: never throws; null or an ack whose seq/report_seq are safe non-negative integers (at least one) and epoch a string; '
    + 'every valid ack round-trips; over 1 KiB is never parsed',
  property: () => fc.property(
    fc.oneof(
      fc.record({ seq: fc.option(fc.maxSafeNat(), { nil: undefined }), report_seq: fc.option(fc.maxSafeNat(), { nil: undefined }), epoch: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }) }, { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom('seq', 'report_seq', 'epoch', 'x'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      fc.jsonValue(),
    ),
    fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 40 })),
    (value, raw) => {
      const text = JSON.stringify(value) ?? '';
      const bytes = raw ? Buffer.from(raw) : utf8(text);
      const a = parseAck(bytes);
      if (a !== null) {
        const seqOk = (x: number | null) => x === null || (Number.isSafeInteger(x) && x >= 0);
        check(seqOk(a.seq) && seqOk(a.reportSeq) && (a.seq !== null || a.reportSeq !== null), `ack ${JSON.stringify(a)}`);
        check(a.epoch === null || typeof a.epoch === 'string', 'epoch');
        check(bytes.length <= MAX_ACK_BYTES, 'parsed an ack over the size limit');
      }
      // Round trip: a well-formed ack object gives back what it says.
      const o = value as { seq?: unknown; report_seq?: unknown; epoch?: unknown } | null;
      const valid = raw === null && o !== null && typeof o === 'object' && !Array.isArray(o) && Object.keys(o).every((k) => ['seq', 'report_seq', 'epoch'].includes(k))
        && [o.seq, o.report_seq].every((x) => x === undefined || (Number.isSafeInteger(x) && (x as number) >= 0))
        && (o.seq !== undefined || o.report_seq !== undefined) && (o.epoch === undefined || typeof o.epoch === 'string') && bytes.length <= MAX_ACK_BYTES;
      if (valid) check(a !== null && a.seq === (o.seq ?? null) && a.reportSeq === (o.report_seq ?? null) && a.epoch === (o.epoch ?? null), `round trip of ${text}: ${JSON.stringify(a)}`);
    },
  ),
};

/** A dispatcher over every command's real schema; handlers record what they got, and some fail. */
function recordingDispatcher() {
  const ran: Array<{ name: string; args: unknown }> = [];
  const specs = Object.fromEntries(NAMES.map((name) => [name, {
    args: COMMAND_ARGS[name as keyof typeof COMMAND_ARGS],
    run: (args: unknown) => {
      ran.push({ name, args });
      if (name === 'ack-alarm') throw new CommandError('ANJU_CMD_REFUSED', 'no such alarm');
      if (name === 'update') throw new Error('download failed');
      return { done: name };
    },
  }]));
  return { dispatcher: createCommandDispatcher(HUB, specs as never, silent), ran };
}

function expectResponse(res: CommandResponse, name: string): void {
  check(res.v === CONTRACT_VERSION && res.hub === HUB && res.cmd === name, `response header ${JSON.stringify(res).slice(0, 200)}`);
  if (!res.ok) check(typeof res.code === 'string' && CODES.has(res.code) && typeof res.message === 'string', `error response ${JSON.stringify(res).slice(0, 200)}`);
  JSON.stringify(res); // must serialise
}

export const commands: FuzzTarget = {
  name: 'cloud-commands',
  covers: ['src/uplink/commands.ts', 'src/uplink/args.ts', 'src/control/protocol.ts COMMAND_ARGS'],
  holds: 'any command name and payload: the dispatcher answers (never rejects) with the contract\'s response, a stable code on error; '
    + 'a handler runs only with arguments its schema accepted, exactly the schema\'s keys, and its failure is an error response',
  property: () => fc.asyncProperty(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString')), payload, async (name, body) => {
    const { dispatcher, ran } = recordingDispatcher();
    const res = await dispatcher.handle(name, body);
    expectResponse(res, name);
    const known = Object.hasOwn(COMMAND_ARGS, name);
    if (!known) check(!res.ok && res.code === CommandErrors.UNKNOWN && ran.length === 0, `unknown command ${name}: ${JSON.stringify(res)}`);
    if (ran.length > 0) {
      check(ran.length === 1 && ran[0]!.name === name, 'one handler, the named one');
      const schema = COMMAND_ARGS[name as keyof typeof COMMAND_ARGS];
      check(schema.safeParse(ran[0]!.args).success, `handler got arguments its schema refuses: ${JSON.stringify(ran[0]!.args)}`);
    } else check(!res.ok, 'ok without running the handler');
  }),
};

const BIG = Buffer.alloc(MAX_COMMAND_BYTES + 1, 0x20);

export const inbound: FuzzTarget = {
  name: 'cloud-inbound',
  covers: ['src/uplink/inbound.ts', 'src/uplink/commands.ts', 'src/uplink/contract.ts'],
  holds: 'any topic, payload and MQTT 5 properties: never throws; acks applied only when valid and of this epoch; commands answered '
    + 'only on their own response topic, never another hub\'s, never for a retained one; oversized payloads never parsed; every message counted once',
  quickRuns: 300,
  property: () => fc.asyncProperty(
    fc.array(fc.record({
      topic: fc.oneof(fc.constant(T.ack), fc.constantFrom(...NAMES).map((n) => `${T.cmdPrefix}${n}`), fc.string({ maxLength: 12 }).map((n) => `${T.cmdPrefix}${n}`),
        fc.constantFrom(`anju/v1/other/ack`, `anju/v1/other/cmd/ping`, T.events), fc.string({ maxLength: 30 })),
      payload: fc.oneof({ weight: 20, arbitrary: payload }, { weight: 1, arbitrary: fc.constant(BIG) },
        fc.record({ seq: fc.maxSafeNat(), epoch: fc.constantFrom('e1', 'e2') }).map((a) => utf8(JSON.stringify(a)))),
      retain: fc.boolean(),
      responseTopic: fc.option(fc.oneof(fc.constant(`${T.base}/resp/1`), fc.constant('anju/v1/other/resp'), fc.constant('cloud/resp'), fc.string({ maxLength: 20 })), { nil: undefined }),
    }), { maxLength: 6 }),
    async (messages) => {
      const responses: Array<{ topic: string; payload: string }> = [];
      const acked: Array<[number | null, number | null]> = [];
      const { dispatcher } = recordingDispatcher();
      const ib = createInbound({
        hubId: HUB, topics: T, epoch: () => 'e1', commands: dispatcher, log: silent,
        onAck: (seq, reportSeq) => { acked.push([seq, reportSeq]); },
        respond: (topic, body) => { responses.push({ topic, payload: body }); },
      });
      let answerable = 0;
      for (const m of messages) {
        ib.onMessage(m.topic, m.payload, { retain: m.retain, ...(m.responseTopic !== undefined ? { properties: { responseTopic: m.responseTopic } } : {}) });
        const rt = m.responseTopic;
        if (m.topic.startsWith(T.cmdPrefix) && !m.retain && rt && !(rt.startsWith('anju/') && !rt.startsWith(`${T.base}/`))) answerable++;
      }
      await new Promise((r) => setImmediate(r));
      for (const r of responses) {
        check(!(r.topic.startsWith('anju/') && !r.topic.startsWith(`${T.base}/`)), `answered on another hub's topic ${r.topic}`);
        const body = JSON.parse(r.payload) as CommandResponse;
        check(body.hub === HUB && typeof body.ok === 'boolean', `response ${r.payload.slice(0, 200)}`);
      }
      check(responses.length === answerable, `${responses.length} responses for ${answerable} answerable commands`);
      for (const [seq, rs] of acked) check((seq === null || Number.isSafeInteger(seq)) && (rs === null || Number.isSafeInteger(rs)), 'ack values');
      const st = ib.stats();
      check(st.oversized + st.malformedAcks + st.ignored + acked.length <= messages.length, `counted more than received: ${JSON.stringify(st)}`);
    },
  ),
};

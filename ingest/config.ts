/**
 * anju-ingest's config file (YAML), validated once at start-up with zod: unknown keys are errors, and
 * every error names the file, the key path, what was expected and what was found. Every key, its
 * default and unit: ingest/anju-ingest.example.yaml and ingest/README.md.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { parseYaml } from '../src/config/parse-yaml.js';

const seconds = (min: number, max: number, dflt: number, what: string) => z.number().min(min).max(max).default(dflt).describe(`${what} (s)`);

const TlsSchema = z.strictObject({
  ca: z.string().min(1).optional().describe('CA file that signed the broker certificate (PEM); default: the system CAs'),
  cert: z.string().min(1).optional().describe('Client certificate for mutual TLS (PEM)'),
  key: z.string().min(1).optional().describe('Client key for mutual TLS (PEM)'),
  reject_unauthorized: z.boolean().default(true).describe('Verify the broker certificate; keep true in production'),
});

export const IngestConfigSchema = z.strictObject({
  mqtt: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s/?#@]+(:\d+)?(\/[^\s?#]*)?$/, 'an mqtt://, mqtts://, ws:// or wss:// URL without user info').describe('The broker (cluster) URL'),
    client_id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional().describe('MQTT client id; default anju-ingest-<hostname>-<pid>: unique per instance'),
    group: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('anju-ingest').describe('Shared-subscription group: every instance of one deployment uses the same'),
    username: z.string().min(1).optional(),
    password_file: z.string().min(1).optional().describe('File whose first line is the password'),
    tls: TlsSchema.prefault({}),
    keepalive_s: seconds(5, 600, 30, 'MQTT keepalive'),
    reconnect_s: seconds(0.1, 60, 1, 'Wait before reconnecting to the broker'),
    reply_topic_prefix: z.string().regex(/^[A-Za-z0-9_/-]{1,128}$/).default('anju-cloud/replies').describe('Hubs answer this instance\'s commands on <prefix>/<client_id>: a namespace only the cloud may subscribe to'),
    max_message_kb: z.number().int().min(1).max(16384).default(512).describe('A larger message is rejected unread (KiB)'),
  }),
  postgres: z.strictObject({
    url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').describe('Connection URL (no password in it: use password_file)'),
    password_file: z.string().min(1).optional(),
    pool_max: z.number().int().min(1).max(100).default(4).describe('Connections per instance'),
  }),
  ingest: z.strictObject({
    batch_max: z.number().int().min(1).max(10000).default(500).describe('Messages stored per transaction at most'),
    batch_wait_ms: z.number().int().min(0).max(5000).default(20).describe('How long a batch may wait to fill (ms): the added latency of an ack'),
    max_pending: z.number().int().min(100).max(1_000_000).default(50_000).describe('Messages held while the database is slow or down; beyond, new ones are dropped unacked (the hubs send them again)'),
    retry_max_s: seconds(1, 3600, 30, 'A batch the database refused (down, deadlock) is retried this long, then dropped unacked'),
  }).prefault({}),
  resync: z.strictObject({
    after_s: seconds(1, 86400, 180, 'A seq or report_seq hole open this long makes an instance send resync to the hub (the hub resends unacked events itself every uplink.ack_timeout_s, 60 s by default)'),
    check_s: seconds(0.2, 3600, 10, 'How often an instance looks for such holes'),
    repeat_s: seconds(1, 86400, 300, 'A hole still open after a resync is asked for again after this long'),
    limit: z.number().int().min(1).max(10000).default(10000).describe('resync limit (events and reports per request)'),
    timeout_s: seconds(1, 600, 30, 'Wait this long for the hub\'s answer'),
  }).prefault({}),
  presence: z.strictObject({
    heartbeat_missing_after_s: seconds(10, 86400, 180, 'An online hub without a heartbeat this long needs attention (3 x the hubs\' uplink.heartbeat_s)'),
  }).prefault({}),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
});

export type IngestConfig = z.infer<typeof IngestConfigSchema> & { mqtt: { client_id: string } };

export interface ConfigProblem { file: string; path: string; message: string }

export type ConfigResult = { ok: true; config: IngestConfig } | { ok: false; problems: ConfigProblem[] };

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[') || '(top level)';
}

function found(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${JSON.stringify(input)}`;
}

/** Validates parsed YAML; `file` only names the source in problems. */
export function validateIngestConfig(data: unknown, file: string): ConfigResult {
  const r = IngestConfigSchema.safeParse(data ?? {}, { reportInput: true });
  if (!r.success) {
    return {
      ok: false,
      problems: r.error.issues.map((i) => {
        const input = (i as { input?: unknown }).input;
        const base = i.path;
        if (i.code === 'unrecognized_keys') return { file, path: pathOf(base), message: `unknown key(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` };
        return { file, path: pathOf(base), message: `${i.message}; found ${found(input)}` };
      }),
    };
  }
  const c = r.data;
  const problems: ConfigProblem[] = [];
  if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(c.postgres.url)) problems.push({ file, path: 'postgres.url', message: 'a password in the URL; found one: use postgres.password_file' });
  if ((c.mqtt.tls.cert === undefined) !== (c.mqtt.tls.key === undefined)) problems.push({ file, path: 'mqtt.tls', message: 'cert and key together; found only one of them' });
  if (problems.length > 0) return { ok: false, problems };
  const clientId = c.mqtt.client_id ?? `anju-ingest-${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 32)}-${process.pid}`;
  return { ok: true, config: { ...c, mqtt: { ...c.mqtt, client_id: clientId } } };
}

export function loadIngestConfig(file: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ file, path: '(file)', message: `cannot read it: ${(err as Error).message}` }] };
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map((p) => ({ file, path: `${p.path || '(yaml)'}${'line' in p && p.line ? ` (line ${String(p.line)})` : ''}`, message: p.message })) };
  return validateIngestConfig(parsed.data, file);
}

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n');
}

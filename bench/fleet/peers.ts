import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mosquittoAcl, startMosquitto, type BenchMosquitto } from '../mosquitto.js';
import { repoRoot } from '../repo-root.js';

/**
 * The fleet's cloud: one Mosquitto where every hub has an account and an ACL that gives it only its
 * own subtree (mosquittoAcl, as docs/cloud-broker.md sets it; the ingest-scale-out test uses the same),
 * and anju-ingest instances in one shared-subscription group.
 */
export const INGEST_USER = 'anju-ingest';
const INGEST_GROUP = 'anju-ingest';

/**
 * Accounts for the ingest user and every hub (password `${prefix}${user}`), hashed in one
 * `mosquitto_passwd -U` over a plain file: one process for 6,000 accounts, not 6,000.
 */
export async function startFleetBroker(dir: string, hubs: readonly string[], ingestClients: string[], prefix: string): Promise<BenchMosquitto> {
  const pw = join(dir, 'passwd');
  writeFileSync(pw, [INGEST_USER, ...hubs].map((u) => `${u}:${prefix}${u}`).join('\n') + '\n', { mode: 0o600 });
  const r = spawnSync('mosquitto_passwd', ['-U', pw], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`mosquitto_passwd -U failed (${r.error?.message ?? r.status}): ${r.stderr} (sudo apt-get install -y mosquitto)`);
  writeFileSync(join(dir, 'acl'), mosquittoAcl(INGEST_USER, ingestClients));
  // max_queued_messages: the ingest instances take the whole fleet's recovery burst; Mosquitto's
  // default (1000 per client) would drop QoS 1 messages queued to them beyond that (the hubs would
  // resend after ack_timeout_s: nothing lost, but the run would measure the drop, not the fleet).
  return startMosquitto({
    globalConf: `allow_anonymous false\npassword_file ${pw}\nacl_file ${join(dir, 'acl')}\nmax_queued_messages 1000000\nmax_inflight_messages 100`,
    listenerConf: `max_connections ${hubs.length + ingestClients.length + 50}`,
  });
}

export interface IngestInstance {
  readonly clientId: string;
  readonly proc: ChildProcess;
  readonly logFile: string;
  /** Its JSON log lines so far. */
  lines(): Array<{ msg: string; [k: string]: unknown }>;
}

const ingestCli = (): string => join(repoRoot(), 'dist/ingest/cli.js');

function writeIngestConfig(dir: string, clientId: string, mqttUrl: string, pgUrl: string, prefix: string): string {
  const pwFile = join(dir, `${clientId}.pw`);
  writeFileSync(pwFile, `${prefix}${INGEST_USER}\n`, { mode: 0o600 });
  const file = join(dir, `${clientId}.yaml`);
  // Debug logging: its 'batch committed' lines count the duplicates each batch absorbed.
  writeFileSync(file, `mqtt: { url: "${mqttUrl}", client_id: ${clientId}, group: ${INGEST_GROUP}, username: ${INGEST_USER}, password_file: "${pwFile}" }
postgres: { url: "${pgUrl}", pool_max: 4 }
log: { level: debug }
`);
  return file;
}

export function migrateIngest(dir: string, mqttUrl: string, pgUrl: string, prefix: string): void {
  const cfg = writeIngestConfig(dir, 'fleet-migrate', mqttUrl, pgUrl, prefix);
  const r = spawnSync(process.execPath, [ingestCli(), 'migrate', '--config', cfg], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`anju-ingest migrate failed (${r.status}): ${r.stderr}`);
}

export function spawnIngest(dir: string, clientId: string, mqttUrl: string, pgUrl: string, prefix: string): IngestInstance {
  const cfg = writeIngestConfig(dir, clientId, mqttUrl, pgUrl, prefix);
  const logFile = join(dir, `${clientId}.log`);
  const out = openSync(logFile, 'w');
  const proc = spawn(process.execPath, [ingestCli(), 'run', '--config', cfg], { stdio: ['ignore', out, out] });
  closeSync(out);
  return {
    clientId,
    proc,
    logFile,
    lines() {
      const out: Array<{ msg: string }> = [];
      for (const l of readFileSync(logFile, 'utf8').split('\n')) {
        if (!l.startsWith('{')) continue;
        try { out.push(JSON.parse(l) as { msg: string }); } catch { /* a line cut by kill -9 */ }
      }
      return out;
    },
  };
}

/** CPU ms (user + system) and RSS bytes of a process, from /proc; null once it is gone. */
export function procUsage(pid: number | undefined | null): { cpuMs: number; rssBytes: number } | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    const rssPages = Number(f[21]); // field 24
    return { cpuMs: (ticks * 1000) / 100, rssBytes: rssPages * 4096 };
  } catch {
    return null;
  }
}

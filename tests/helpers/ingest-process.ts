import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, spawnJsonLogging, type DaemonProcess } from './daemon-process.js';

export const ANJU_INGEST = join(ROOT, 'dist/ingest/cli.js');

/** A config file for one instance; `extra` is appended (YAML sections such as resync:). */
export function writeIngestConfig(path: string, o: { mqttUrl: string; pgUrl: string; clientId: string; username?: string; passwordFile?: string; extra?: string }): string {
  writeFileSync(path, `mqtt:
  url: "${o.mqttUrl}"
  client_id: ${o.clientId}
  group: anju-ingest
  reconnect_s: 0.2
${o.username ? `  username: ${o.username}\n  password_file: "${o.passwordFile}"\n` : ''}postgres:
  url: "${o.pgUrl}"
  pool_max: 3
log: { level: debug }
${o.extra ?? ''}`);
  return path;
}

/** The built anju-ingest as a child process (`run`), its JSON log lines collected. */
export function spawnIngest(config: string): DaemonProcess {
  return spawnJsonLogging(ANJU_INGEST, ['run', '--config', config], {}, 'ingest');
}

/** Runs another anju-ingest command to completion (migrate, status, check-config). */
export function ingestCommand(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ANJU_INGEST, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

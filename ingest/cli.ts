#!/usr/bin/env node
/**
 * anju-ingest: the cloud side of the Anju uplink contract (ingest/README.md).
 *   anju-ingest run --config FILE       migrate, then consume until SIGTERM/SIGINT
 *   anju-ingest migrate --config FILE   apply the SQL migrations and exit
 *   anju-ingest status --config FILE [--json]   what needs attention (offline hubs, full disks, holes, unstored alarms)
 *   anju-ingest check-config FILE       exit 0 valid, 78 invalid
 * Exit 78 (EX_CONFIG): invalid config, nothing started (systemd does not restart it: RestartPreventExitStatus).
 */
import { Command } from 'commander';
import { pino } from 'pino';
import { formatConfigProblems, loadIngestConfig, type IngestConfig } from './config.js';
import { createPool } from './db.js';
import { migrate } from './migrate.js';
import { createIngestService } from './service.js';
import { formatStatus, queryStatus } from './status.js';

const EX_CONFIG = 78;

function configOrExit(file: string): IngestConfig {
  const r = loadIngestConfig(file);
  if (!r.ok) {
    process.stderr.write(`invalid config:\n${formatConfigProblems(r.problems)}\n`);
    process.exit(EX_CONFIG);
  }
  return r.config;
}

async function run(file: string): Promise<void> {
  const cfg = configOrExit(file);
  const log = pino({ level: cfg.log.level, base: { svc: 'anju-ingest', instance: cfg.mqtt.client_id } });
  const pool = createPool(cfg.postgres, cfg.mqtt.client_id);
  const applied = await migrate(pool);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
  const svc = createIngestService(cfg, pool, log);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ sig }, 'stopping');
    const hard = setTimeout(() => process.exit(1), 10_000);
    hard.unref();
    void svc.stop().then(() => pool.end()).then(() => { log.info({ stats: svc.stats() }, 'stopped'); process.exit(0); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await svc.start();
  log.info({ url: cfg.mqtt.url, group: cfg.mqtt.group }, 'ingest running');
  const every = setInterval(() => log.info({ stats: svc.stats() }, 'stats'), 60_000);
  every.unref();
}

const program = new Command('anju-ingest').description('Anju cloud ingest: hubs\' events and reports into PostgreSQL, acked after commit');
program.command('run').requiredOption('-c, --config <file>', 'config file (YAML)').action(async (o: { config: string }) => run(o.config));
program.command('migrate').requiredOption('-c, --config <file>', 'config file (YAML)').action(async (o: { config: string }) => {
  const cfg = configOrExit(o.config);
  const pool = createPool(cfg.postgres, 'anju-ingest-migrate');
  try {
    const applied = await migrate(pool);
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
  } finally {
    await pool.end();
  }
});
program.command('status').requiredOption('-c, --config <file>', 'config file (YAML)').option('--json', 'print JSON').action(async (o: { config: string; json?: boolean }) => {
  const cfg = configOrExit(o.config);
  const pool = createPool(cfg.postgres, 'anju-ingest-status');
  try {
    const s = await queryStatus(pool, cfg.presence.heartbeat_missing_after_s);
    process.stdout.write(o.json ? `${JSON.stringify(s)}\n` : `${formatStatus(s)}\n`);
  } finally {
    await pool.end();
  }
});
program.command('check-config').argument('<file>').action((file: string) => {
  configOrExit(file);
  process.stdout.write(`${file}: valid\n`);
});

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`anju-ingest: ${(err as Error).message}\n`);
  process.exit(1);
});

import { loadConfigFile } from '../config/load.js';
import { EXIT_CONFIG, formatProblems } from '../config/result.js';
import { DB_FILE, SCHEMA_VERSION } from '../store/database.js';
import { preflightDatabase } from '../store/preflight.js';

/**
 * `anjud --preflight`: would this release run on this hub? Run by the release manager, as the
 * daemon's user, BEFORE it switches releases (packaging/anju-release, packaging/README.md), while
 * the running release goes on: the config in force must pass this release's validation, and a copy
 * of the database must open, migrate and check with this release's code (src/store/preflight.ts).
 * Prints `KEY=value` lines on stdout (for a POSIX sh reader), the reason on stderr.
 * Exit: 0 yes; 78 the config is invalid; 65 the database copy fails; 66 refused: schema (a downgrade
 * across an incompatible change, or a migration the rollback release could not read); 1 other.
 */
export const PREFLIGHT_EXIT = { OK: 0, CONFIG: EXIT_CONFIG, DATABASE: 65, SCHEMA: 66 } as const;

/** The copy must leave at least this much free, and twice the daemon's space reserve. */
const MIN_KEEP_FREE_BYTES = 16 * 2 ** 20;

export async function runPreflight(configPath: string, rollbackSchemaArg: string | undefined, version: string): Promise<number> {
  const out = (k: string, v: string | number) => process.stdout.write(`${k}=${String(v).replace(/\n/g, ' ')}\n`);
  out('version', version);
  out('schema', SCHEMA_VERSION);
  let rollbackSchema: number | undefined;
  if (rollbackSchemaArg !== undefined) {
    if (!/^\d+$/.test(rollbackSchemaArg)) {
      process.stderr.write(`anjud --preflight: --rollback-schema expects a schema version (a whole number), found ${JSON.stringify(rollbackSchemaArg)}\n`);
      return 2;
    }
    rollbackSchema = Number(rollbackSchemaArg);
  }
  const loaded = loadConfigFile(configPath);
  if (!loaded.ok) {
    out('config', 'invalid');
    process.stderr.write(`${formatProblems(configPath, loaded.problems)}\n${loaded.problems.length} problem(s) in the config: anjud ${version} would not start with it.\n`);
    return PREFLIGHT_EXIT.CONFIG;
  }
  out('config', 'ok');
  const stateDir = loaded.config.state_dir;
  out('state_dir', stateDir);
  const keepFreeBytes = Math.max(MIN_KEEP_FREE_BYTES, 2 * loaded.config.store.reserve_mb * 2 ** 20);
  const r = await preflightDatabase(stateDir, { version, keepFreeBytes, ...(rollbackSchema !== undefined ? { rollbackSchema } : {}) });
  if (!r.ok) {
    out('database', r.kind === 'schema' ? 'refused' : 'failed');
    process.stderr.write(`${stateDir}/${DB_FILE}: ${r.message}\n`);
    return r.kind === 'schema' ? PREFLIGHT_EXIT.SCHEMA : PREFLIGHT_EXIT.DATABASE;
  }
  out('database', r.database);
  if (r.database === 'ok') {
    out('schema_from', r.schema.from);
    out('schema_to', r.schema.to);
    out('schema_compat', r.schema.compat);
    out('copy_bytes', r.copyBytes);
    out('ms', r.ms);
  }
  return PREFLIGHT_EXIT.OK;
}

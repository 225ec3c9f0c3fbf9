/**
 * anjuctl loads a command's code only when that command runs (src/cli/lazy-action.ts, issue 14
 * point 5): `--help` and the control-socket commands (a technician runs them all day on a Pi; the
 * tests spawn them hundreds of times) load none of zod, yaml, SQLite, MQTT, the config schema or the
 * detectors. Checked on the module list of the built CLI (bench/loaded-modules.ts: a module hook in
 * the process), which is behaviour, not timing; the start-up times are bench/cli-startup.ts's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packagesOf, runListingModules, type LoadedRun } from '../../bench/loaded-modules.js';
import { ROOT } from '../helpers/daemon-process.js';
import { ANJUCTL } from '../helpers/scripted-cli.js';

/** What only a command that needs it may load. */
const HEAVY_PACKAGES = ['zod', 'yaml', 'better-sqlite3', 'mqtt', 'pino', 'pino-pretty', 'modbus-serial', 'node-ble', 'dbus-next', 'pg', 'zigbee-herdsman'];
const HEAVY_OURS = ['src/config/load.js', 'src/config/schema.js', 'src/detectors/breathing-rate.js', 'src/drivers/', 'src/pipeline/', 'src/report/night-svg.js', 'src/store/', 'src/uplink/', 'src/transports/', 'src/daemon/'];

const dir = mkdtempSync(join(tmpdir(), 'anju-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'en_US.UTF-8', ANJU_CONFIG: join(dir, 'none.yaml') };
delete env.ANJU_SOCKET;
const anjuctl = (...args: string[]): LoadedRun => runListingModules(process.execPath, ANJUCTL, args, env);
const ours = (r: LoadedRun): string[] => r.modules.filter((m) => !m.includes('/node_modules/')).map((m) => m.slice(m.indexOf('/dist/') + '/dist/'.length));
const heavyOf = (r: LoadedRun): string[] => [
  ...packagesOf(r.modules).filter((p) => HEAVY_PACKAGES.includes(p)),
  ...ours(r).filter((m) => HEAVY_OURS.some((h) => m.startsWith(h))),
];

describe('anjuctl loads only what the command it runs needs', () => {
  it('--help, in both languages, loads no command module and nothing heavy, and still lists every command', () => {
    for (const lang of ['en', 'zh']) {
      const r = anjuctl('--lang', lang, '--help');
      expect(r.status, r.stderr).toBe(0);
      for (const c of ['config', 'screen-apnea', 'replay', 'status', 'alarms', 'escalation', 'events', 'live', 'walktest', 'diagnose', 'support-bundle', 'devices', 'pair', 'release', 'init', 'report']) {
        expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
      }
      // The hook saw the modules (a list that saw none would pass what follows vacuously).
      expect(ours(r)).toContain('src/cli/anjuctl.js');
      expect(packagesOf(r.modules)).toContain('commander');
      expect(heavyOf(r)).toEqual([]);
      expect(ours(r).filter((m) => m.startsWith('src/cli/commands/'))).toEqual([]);
    }
  });

  it('a subcommand\'s --help and a mistyped command load no command module either', () => {
    const help = anjuctl('devices', 'add', '--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--friendly-name <name>');
    const typo = anjuctl('stauts');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('(Did you mean status?)');
    for (const r of [help, typo]) expect(ours(r).filter((m) => m.startsWith('src/cli/commands/') || HEAVY_OURS.some((h) => m.startsWith(h)))).toEqual([]);
  });

  it('the control-socket commands load their command and the client, not zod, yaml, the config schema, drivers or charts', () => {
    for (const [command, module] of [[['status'], 'status'], [['devices', 'list'], 'devices'], [['live'], 'events'], [['pair'], 'pair'], [['report', 'night'], 'report']] as const) {
      const r = anjuctl('--socket', join(dir, 'no.sock'), ...command);
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toContain('anjud is not running');
      expect(ours(r)).toContain(`src/cli/commands/${module}.js`);
      expect(ours(r)).toContain('src/cli/client.js');
      expect(heavyOf(r), command.join(' ')).toEqual([]);
    }
  });

  it('config validate loads the config schema, zod and yaml: what it needs comes when it runs', () => {
    const r = anjuctl('config', 'validate', join(ROOT, 'config/demo.yaml'));
    expect(r.status, r.stderr).toBe(0);
    expect(packagesOf(r.modules)).toEqual(expect.arrayContaining(['zod', 'yaml']));
    expect(ours(r)).toContain('src/config/load.js');
    expect(ours(r)).toContain('src/cli/commands/config-validate.js');
    // ...and not the other commands' code.
    expect(ours(r).filter((m) => m.startsWith('src/cli/commands/') && m !== 'src/cli/commands/config-validate.js')).toEqual([]);
  });
});

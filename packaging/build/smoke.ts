import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NPM_CPU, type DebArch } from './stage.js';

/**
 * Runs a built release tree once, on its own Node.js: `anjud --version`, `anjud --check-config` of a
 * minimal config, and a database opened, migrated, written and read through the release's own store
 * code with its native better-sqlite3, plus both serial port bindings loaded
 * (ours and zigbee-herdsman's), counted in the process's memory maps. amd64 runs natively on an
 * x86_64 machine; arm64 under qemu-user (qemu-aarch64-static, with the aarch64 glibc of
 * libc6-arm64-cross as its sysroot) when no arm64 CPU runs the build.
 */
export interface SmokeResult { version: string; checkConfig: string; database: string }

/** How to run the tree's node here: natively, or through qemu-user; null when neither can. */
export function nodeCommand(tree: string, arch: DebArch): string[] | null {
  const node = join(tree, 'node_modules', `node-linux-${NPM_CPU[arch]}`, 'bin/node');
  const native = (arch === 'amd64' && process.arch === 'x64') || (arch === 'arm64' && process.arch === 'arm64');
  if (native) return [node];
  if (arch === 'arm64' && spawnSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).status === 0) {
    return ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu', node];
  }
  return null;
}

export function runSmoke(tree: string, arch: DebArch): SmokeResult {
  const cmd = nodeCommand(tree, arch);
  if (!cmd) throw new Error(`cannot run an ${arch} release on this ${process.arch} machine: install qemu-user-static and libc6-arm64-cross (apt-get install -y qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross)`);
  const dir = mkdtempSync(join(tmpdir(), `anju-smoke-${arch}-`));
  try {
    const run = (args: string[]): string => execFileSync(cmd[0]!, [...cmd.slice(1), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const anjud = join(tree, 'dist/src/daemon/anjud.js');
    const version = run([anjud, '--version']);
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: smoke-hub }\nstate_dir: "${join(dir, 'state')}"\nuplink: { url: "mqtt://127.0.0.1:1883" }\ndevices: []\n`);
    const checkConfig = run([anjud, '--check-config', cfg]);
    const url = (p: string) => JSON.stringify(pathToFileURL(join(tree, p)).href);
    const script = `
      const { openDatabase } = await import(${url('dist/src/store/database.js')});
      const { createOutbox } = await import(${url('dist/src/store/outbox.js')});
      const { systemClock } = await import(${url('dist/src/core/clock.js')});
      const { createRequire } = await import('node:module');
      // Both serialport bindings: ours, and zigbee-herdsman's own (another version, nested).
      const bindings = [createRequire(${url('package.json')}), createRequire(${url('node_modules/zigbee-herdsman/package.json')})]
        .map((r) => r('@serialport/bindings-cpp'));
      if (bindings.some((b) => typeof b.autoDetect !== 'function')) throw new Error('a serialport binding did not load');
      const db = openDatabase(${JSON.stringify(join(dir, 'state'))});
      const e = createOutbox(db, systemClock).append({ type: 'hub.test', severity: 'info', device: null, state: 'info', data: { smoke: true } });
      const n = db.prepare('SELECT count(*) AS n FROM events').get().n;
      const v = db.prepare('SELECT sqlite_version() AS v').get().v;
      db.close();
      // The native modules really mapped into this process (qemu-user shows the guest's maps).
      const { readFileSync } = await import('node:fs');
      const addons = new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/)[5] ?? '').filter((f) => f.endsWith('.node')));
      process.stdout.write('seq ' + e.seq + ', ' + n + ' event(s), SQLite ' + v + ', ' + process.arch + ', ' + addons.size + ' native modules');`;
    const database = run(['--input-type=module', '-e', script]);
    return { version, checkConfig, database };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function smokeTest(tree: string, arch: DebArch, log: (line: string) => void): void {
  if (!nodeCommand(tree, arch)) {
    log(`${arch}: not run here (install qemu-user-static and libc6-arm64-cross to run it on ${process.arch})`);
    return;
  }
  const r = runSmoke(tree, arch);
  log(`${arch}: anjud --version ${r.version}; ${r.checkConfig}; database: ${r.database}`);
}

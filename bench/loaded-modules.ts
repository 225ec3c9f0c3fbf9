/**
 * Which modules a Node.js process loads: runs it with a module hook (`module.registerHooks`, Node
 * 22.15+/24: synchronous, in the process itself, ESM imports and CJS requires alike) that writes the
 * file: URL of every module it loaded to a file when the process exits. Used by the anjuctl start-up
 * benchmark (bench/cli-startup.ts) and by tests/integration/anjuctl-lazy.test.ts, which checks that
 * `anjuctl --help` and the control-socket commands load none of zod, yaml, SQLite, MQTT (issue 14).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOOK = [
  "import { registerHooks } from 'node:module';",
  "import { writeFileSync } from 'node:fs';",
  'const seen = [];',
  "registerHooks({ load(url, context, next) { if (url.startsWith('file:')) seen.push(url); return next(url, context); } });",
  "process.on('exit', () => writeFileSync(process.env.ANJU_MODULE_LIST, seen.join('\\n')));",
].join('\n');

/** `--import` this to record the modules: the hook above as a data: URL (no file to ship or find). */
export const MODULE_LIST_IMPORT = `--import=data:text/javascript,${encodeURIComponent(HOOK)}`;

export interface LoadedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** file: URLs of every module loaded, in load order (the entry script included). */
  modules: string[];
}

/** Runs `node script ...args` once and returns what it printed and which modules it loaded. */
export function runListingModules(node: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedRun {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modules-'));
  const list = join(dir, 'modules.txt');
  try {
    const r = spawnSync(node, [MODULE_LIST_IMPORT, script, ...args], { encoding: 'utf8', env: { ...env, ANJU_MODULE_LIST: list }, input: '', timeout: 60_000 });
    if (r.error) throw r.error;
    let text: string;
    try {
      text = readFileSync(list, 'utf8');
    } catch (err) {
      throw new Error(`${script} ${args.join(' ')}: no module list written (${(err as Error).message}); stderr: ${r.stderr}`);
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: text.split('\n').filter((l) => l !== '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The npm packages among `modules` (`zod`, `@scope/name`), each once. */
export function packagesOf(modules: readonly string[]): string[] {
  const names = new Set<string>();
  for (const m of modules) {
    const at = m.lastIndexOf('/node_modules/');
    if (at < 0) continue;
    const parts = m.slice(at + '/node_modules/'.length).split('/');
    names.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...names].sort();
}

/**
 * A hub gets a production install (`npm ci --omit=dev`): the demo's broker and the test tooling are
 * not there, so nothing the daemon or anjuctl loads may import them. Only src/demo/ (npm start) may.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** node-ble's own dbus-next, required from node-ble's location (src/transports/ble/node-ble.ts). */
const VIA_NODE_BLE = ['dbus-next'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Package names a file loads: static and dynamic imports, require() and createRequire(...)(), read
 * from the code only (TypeScript's scanner drops comments: a comment that says `from "a broken
 * line"` is not an import).
 */
function importedPackages(text: string): string[] {
  const code = withoutComments(text);
  const specs = [...code.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|\)\(\s*)['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => !s.startsWith('node:')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

/** The source text with every comment replaced by a space (strings and template literals kept as they are). */
function withoutComments(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  let out = '';
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    out += k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia ? ' ' : scanner.getTokenText();
  }
  return out;
}

describe('production dependencies', () => {
  it('reads imports from code, not from comments', () => {
    expect(importedPackages("// from 'not-a-package'\n/* import('nor-this') */\nimport x from 'real-one';\nconst y = await import('dynamic-one');")).toEqual(['real-one', 'dynamic-one']);
  });

  it('the demo\'s broker is a devDependency, not shipped to hubs', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('aedes');
    expect(Object.keys(pkg.devDependencies)).toContain('aedes');
  });

  it('nothing outside src/demo/ imports a package a production install lacks', () => {
    const shipped = new Set([...Object.keys(pkg.dependencies), ...VIA_NODE_BLE]);
    const offenders: string[] = [];
    const seen = new Set<string>();
    const files = sources(join(ROOT, 'src')).filter((f) => !relative(ROOT, f).startsWith(join('src', 'demo')));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      for (const name of importedPackages(readFileSync(f, 'utf8'))) {
        seen.add(name);
        if (!shipped.has(name)) offenders.push(`${relative(ROOT, f)}: ${name}`);
      }
    }
    expect(offenders).toEqual([]);
    // The scan sees imports at all (a scanner that found none would pass vacuously).
    for (const used of ['better-sqlite3', 'mqtt', 'pino', 'serialport']) expect(seen).toContain(used);
  });
});

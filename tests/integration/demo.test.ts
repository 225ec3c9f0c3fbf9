/** `npm start`'s demo runs with no system packages and shows the alarm raised, cleared and received. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon-process.js';
import { freePort } from '../helpers/peers.js';

describe('demo home', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows readings, a raised and cleared alarm, and the events in the cloud', async () => {
    // The shipped demo config, on a free port so a demo a developer is running does not collide.
    const port = await freePort();
    const cfg = join(dir, 'demo.yaml');
    writeFileSync(cfg, readFileSync(join(ROOT, 'config/demo.yaml'), 'utf8').replace('127.0.0.1:18830', `127.0.0.1:${port}`));
    const proc = spawn(process.execPath, [join(ROOT, 'dist/src/demo/run-demo.js'), cfg], { cwd: dir, env: { ...process.env, ANJU_LOG_FORMAT: 'json' } });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code, out).toBe(0);
    expect(out).toMatch(/\[radar\]\s+present, in bed, breathing 30\/min/);
    expect(out).toMatch(/\[cloud\]\s+stored event seq \d+ alarm\.breathing_rate raised \(critical\)/);
    expect(out).toMatch(/\[cloud\]\s+stored event seq \d+ alarm\.breathing_rate cleared/);
    expect(out).toMatch(/cloud: stored up to seq \d+ without gaps and acknowledged it; the hub's outbox now holds 0 events/);
    expect(out).toMatch(/bad checksums and \d+ resyncs survived/);
    expect(out).toContain('OK: the cloud received');
    // The runtime it ran on is named (npm start runs the pinned Node 24, see tests/unit/runtime).
    expect(out).toContain(`on Node.js ${process.version}`);
  }, 90_000);
});

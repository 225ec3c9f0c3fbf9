import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Mosquitto on a free 127.0.0.1 port for the drain bench (as tests/helpers/mosquitto.ts
 * starts one; bench/ does not import from tests/). No persistence, anonymous, MQTT 5 capable.
 * Missing binary: a clear error, so the bench FAILS rather than silently skipping.
 */
export interface BenchMosquitto {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number): Promise<boolean> => new Promise((resolve) => {
  const c = connect(port, '127.0.0.1');
  c.once('connect', () => { c.destroy(); resolve(true); });
  c.once('error', () => resolve(false));
});

export async function startMosquitto(): Promise<BenchMosquitto> {
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (which.status !== 0 || !bin) {
    throw new Error('mosquitto is not on PATH, and the drain bench needs a real broker: sudo apt-get install -y mosquitto (or add its sbin directory to PATH)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'anju-bench-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `per_listener_settings false\nuser root\nallow_anonymous true\npersistence false\nlog_dest stderr\nlistener ${port} 127.0.0.1\n`);
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const deadline = Date.now() + 10_000;
  while (!(child.exitCode === null && (await canConnect(port)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start listening on ${port}: ${stderr.trim().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

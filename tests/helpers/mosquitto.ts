import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort, requireBinary } from './peers.js';
import { waitFor } from './wait.js';

/** A real Mosquitto on 127.0.0.1, no persistence unless asked (so an outage really loses the broker's state). */
export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `listenerConf`: lines placed under the listener (TLS files, require_certificate, ...);
 * `globalConf`: lines for the whole broker (allow_anonymous, password_file, ...);
 * `persistence`: the broker keeps its sessions across stop()/start() (a cloud broker does), so a
 * subscriber's persistent session made before an outage gets every message queued during it.
 */
export async function createMosquitto(port?: number, o: { listenerConf?: string; globalConf?: string; persistence?: boolean } = {}): Promise<Mosquitto> {
  const bin = requireBinary('mosquitto', 'mosquitto');
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'anju-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `per_listener_settings false\n# As root, mosquitto would drop to its own user and could not read the test files in 0700 temp dirs.\nuser root\n${o.globalConf ?? 'allow_anonymous true'}\n${o.persistence ? `persistence true\npersistence_location ${dir}/` : 'persistence false'}\nlog_dest stderr\nlistener ${p} 127.0.0.1\n${o.listenerConf ?? ''}\n`);
  let proc: ChildProcess | null = null;
  let stderr = '';
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    async start() {
      stderr = '';
      const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      proc = child;
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      await waitFor(`mosquitto listening on ${p}`, async () => child.exitCode === null && (await canConnect(p)), 10_000, () => stderr);
    },
    async stop() {
      const child = proc;
      proc = null;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startMosquitto(o?: Parameters<typeof createMosquitto>[1]): Promise<Mosquitto> {
  const m = await createMosquitto(undefined, o);
  await m.start();
  return m;
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Mosquitto on a free 127.0.0.1 port for the benchmarks (as tests/helpers/mosquitto.ts
 * starts one; bench/ does not import from tests/). No persistence, MQTT 5 capable; anonymous unless
 * `globalConf` says otherwise (the fleet run: password file, per-hub ACL, max_connections).
 * `pause()`/`resume()` stop and start the same broker on the same port: an outage that loses the
 * broker's whole state, as a restart without persistence does.
 * Missing binary: a clear error, so the bench FAILS rather than silently skipping.
 */
export interface BenchMosquitto {
  port: number;
  url: string;
  pid(): number | null;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Mosquitto's ACL for the district's broker as docs/cloud-broker.md sets it: %u is the hub id (its
 * username), so a hub may publish and subscribe only under its own id; the cloud's user reads
 * every hub's events and writes acks and commands, and reads its instances' reply topics.
 */
export function mosquittoAcl(cloudUser: string, cloudClientIds: readonly string[]): string {
  return `user ${cloudUser}
topic read anju/v1/+/events
topic read anju/v1/+/reports
topic read anju/v1/+/unstored
topic read anju/v1/+/status
topic read anju/v1/+/heartbeat
topic write anju/v1/+/ack
topic write anju/v1/+/cmd/#
${cloudClientIds.map((c) => `topic read anju-cloud/replies/${c}`).join('\n')}

pattern write anju/v1/%u/events
pattern write anju/v1/%u/reports
pattern write anju/v1/%u/unstored
pattern write anju/v1/%u/telemetry
pattern write anju/v1/%u/status
pattern write anju/v1/%u/heartbeat
pattern read anju/v1/%u/ack
pattern read anju/v1/%u/cmd/+
pattern write anju-cloud/replies/#
`;
}

export function freePort(): Promise<number> {
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

/**
 * `globalConf`: lines for the whole broker; `listenerConf`: lines under the listener. A listener
 * option (max_connections, ...) in `globalConf` would make Mosquitto open a default listener on 1883.
 */
export async function startMosquitto(o: { globalConf?: string; listenerConf?: string } = {}): Promise<BenchMosquitto> {
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (which.status !== 0 || !bin) {
    throw new Error('mosquitto is not on PATH, and this bench needs a real broker: sudo apt-get install -y mosquitto (or add its sbin directory to PATH)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'anju-bench-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `per_listener_settings false\nuser root\n${o.globalConf ?? 'allow_anonymous true'}\npersistence false\nlog_dest stderr\nlistener ${port} 127.0.0.1\n${o.listenerConf ?? ''}\n`);
  let child: ChildProcess | null = null;
  let stderr = '';
  const launch = async (): Promise<void> => {
    stderr = '';
    const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const deadline = Date.now() + 10_000;
    while (!(c.exitCode === null && (await canConnect(port)))) {
      if (c.exitCode !== null || Date.now() > deadline) {
        c.kill('SIGTERM');
        throw new Error(`mosquitto did not start listening on ${port}: ${stderr.trim().slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const halt = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: () => child?.pid ?? null,
    pause: halt,
    resume: launch,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `npm start`: the demo home. Runs the real anjud pipeline on config/demo.yaml with two stand-ins
 * that need no system packages: a simulated serial port (serialport's mock binding) fed with real
 * MR60BHA1 frames, and an embedded MQTT broker (aedes) playing the cloud.
 * You should see readings, alarm.breathing_rate raised and cleared, and both events "in the cloud".
 * aedes is a devDependency: hubs get a production install (`npm ci --omit=dev`), which has no demo.
 */
import { fileURLToPath } from 'node:url';
import { SerialPortMock } from 'serialport';
import { systemClock } from '../core/clock.js';
import { formatProblems, loadConfigFile } from '../config/load.js';
import { createDaemon } from '../daemon/daemon.js';
import { createLogger } from '../daemon/logger.js';
import { VERSION } from '../core/version.js';
import type { PortLike } from '../transports/serial/serial-transport.js';
import { demoEvening } from './simulated-home.js';
import { devicesOn } from '../config/devices.js';

const configPath = process.argv[2] ?? fileURLToPath(new URL('../../../config/demo.yaml', import.meta.url));
const tty = process.stdout.isTTY === true;
const paint = (code: number, s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
const say = (who: string, code: number, msg: string) => process.stdout.write(`${paint(code, who.padEnd(8))} ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const loaded = loadConfigFile(configPath);
  if (!loaded.ok) {
    process.stderr.write(`${formatProblems(configPath, loaded.problems)}\n`);
    return 78;
  }
  const config = loaded.config;
  const port = Number(new URL(config.uplink.url).port);

  say('[demo]', 1, `Anju ${VERSION} demo home "${config.hub.name ?? config.hub.id}" on Node.js ${process.version}: config ${configPath}`);
  const { startDemoCloud } = await import('./cloud.js').catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error(`the demo's broker is a development dependency, missing here (${(err as Error).message}): run \`npm ci\` without --omit=dev`);
  });
  const cloud = await startDemoCloud(port, {
    event: (e, duplicate) => say('[cloud]', 36, `${duplicate ? 'duplicate (ignored)' : 'stored'} event seq ${e.seq} ${e.type} ${e.state} (${e.severity}) id ${e.id} data ${JSON.stringify(e.data)}`),
    status: (_hub, body) => say('[cloud]', 36, `hub is ${String(body.state)}${body.reason ? ` (${String(body.reason)})` : ''}`),
  });

  // The simulated serial line: the daemon opens it like a real port; we write the radar's bytes.
  type MockLine = { emitData(data: Buffer): void };
  const opened: MockLine[] = [];
  for (const d of devicesOn(config, 'serial')) SerialPortMock.binding.createPort(d.serial.path, { echo: false, record: false });
  const openPort = ({ path, baudRate }: { path: string; baudRate: number }): PortLike => {
    const p = new SerialPortMock({ path, baudRate, autoOpen: false });
    p.on('open', () => opened.push(p.port as unknown as MockLine));
    return p;
  };

  const log = createLogger(config.log.level, process.stdout, process.env.ANJU_LOG_FORMAT ?? 'pretty');
  const daemon = createDaemon({ config, log, clock: systemClock, version: VERSION, openPort, configHash: loaded.hash });
  daemon.start();
  const firstSeq = daemon.status().outbox.lastSeq;

  for (let i = 0; i < 50 && opened.length === 0; i++) await sleep(100);
  const radar = opened[0];
  if (!radar) throw new Error('the simulated radar port did not open');

  const sustain = config.detectors.breathing_rate.sustain_s;
  say('[demo]', 1, `Alarm rule: breathing <= ${config.detectors.breathing_rate.low_per_min} or >= ${config.detectors.breathing_rate.high_per_min}/min for ${sustain} s raises alarm.breathing_rate`);
  for (const s of demoEvening()) {
    say('[radar]', 33, s.say);
    for (const chunk of s.chunks) radar.emitData(chunk);
    await sleep(1000);
  }
  await sleep(500);

  const st = daemon.status();
  const dev = st.devices[0];
  const drv = dev?.ingest?.driver;
  say('[demo]', 1, `hub: ${dev?.ingest?.readings ?? 0} readings stored, ${st.outbox.lastSeq - firstSeq} events raised`);
  if (drv) say('[demo]', 1, `serial line: ${drv.frames} frames, ${drv.checksumErrors} bad checksums and ${drv.resyncs} resyncs survived, ${drv.garbageBytes} noise bytes skipped`);
  say('[demo]', 1, `cloud: stored up to seq ${cloud.consumer.contiguous(config.hub.id)} without gaps and acknowledged it; the hub's outbox now holds ${st.outbox.depth.alarm + st.outbox.depth.event} events`);
  await daemon.stop();
  await sleep(200);
  const events = cloud.consumer.events(config.hub.id).filter((e) => e.seq > firstSeq);
  await cloud.stop();

  const raised = events.some((e) => e.type === 'alarm.breathing_rate' && e.state === 'raised');
  const cleared = events.some((e) => e.type === 'alarm.breathing_rate' && e.state === 'cleared');
  if (raised && cleared) {
    say('[demo]', 32, `OK: the cloud received ${events.length} events from this run (alarm.breathing_rate raised and cleared). State kept in ${config.state_dir}.`);
    return 0;
  }
  say('[demo]', 31, `FAILED: the cloud did not receive both a raised and a cleared alarm (got ${events.length} events)`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

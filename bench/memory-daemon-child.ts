/**
 * Child process of the memory bench: the real daemon (createDaemon) with N MR60BHA1 radars on
 * simulated serial ports, each fed ~10 frames/s, publishing over TCP to the cloud in the parent
 * (bench-cloud.ts), whose acknowledgements drain the outbox.
 * The parent samples our RSS from /proc; we report what we did over IPC so the parent can check
 * that the daemon really ingested.
 *
 * The broker lives in the parent, not here: its own footprint would otherwise be booked to the
 * daemon. Publishes still cross a real TCP socket.
 *
 * argv[2]: JSON { devices: number, stateDir: string, brokerPort: number }
 */
import { createWriteStream } from 'node:fs';
import { SerialPortMock } from 'serialport';
import { systemClock } from '../src/core/clock.js';
import { validateConfigTextOffThread } from '../src/config/validate-off-thread.js';
import { createDaemon } from '../src/daemon/daemon.js';
import { createLogger } from '../src/daemon/logger.js';
import type { OpenPort, PortLike } from '../src/transports/serial/serial-transport.js';
import { radarSecond } from './radar-mix.js';
import { BENCH_HUB, isStop, type ChildStatus } from './memory-ipc.js';
import { prng } from './stats.js';

/** Each radar has a 30 s out-of-band breathing episode every 2 minutes, staggered across radars. */
const EPISODE_CYCLE_S = 120;
const EPISODE_S = 30;
const EPISODE_RATE_PER_MIN = 30;
const TICKS_PER_S = 10;

const { devices, stateDir, brokerPort } = JSON.parse(process.argv[2] ?? '{}') as { devices: number; stateDir: string; brokerPort: number };
const send = (m: ChildStatus | { type: 'ready' }): void => { process.send?.(m); };
// Never outlive the bench: a stray daemon would skew the next run and hold the temp dir.
process.on('disconnect', () => process.exit(1));

const ids = Array.from({ length: devices }, (_, i) => `radar-${String(i + 1).padStart(2, '0')}`);
const pathOf = (id: string): string => `/dev/bench/${id}`;

// Validated as anjud does it, in a worker thread, so zod and the schema never load in this isolate.
// JSON is YAML: no yaml module in this process either (anjud's main thread does not load it).
const parsed = await validateConfigTextOffThread(JSON.stringify({
  hub: { id: BENCH_HUB },
  state_dir: stateDir,
  log: { level: 'warn' },
  // protocol_version 4: the bench broker (aedes) has no MQTT 5; see bench-cloud.ts.
  uplink: { url: `mqtt://127.0.0.1:${brokerPort}`, protocol_version: 4 },
  devices: ids.map((id, i) => ({ id, model: 'seeed-mr60bha1', room: `room-${i + 1}`, serial: { path: pathOf(id) } })),
  // Shorter than the 60 s default so that even a 1-minute run raises and clears alarms, and a long
  // run publishes an event every few seconds: a harsher memory test than a quiet night.
  detectors: { breathing_rate: { sustain_s: 20 } },
}));
if (!parsed.ok) throw new Error(`memory bench config invalid: ${JSON.stringify(parsed.problems)}`);
const config = parsed.config;

const ports = new Map<string, SerialPortMock>();
// SerialPortMock.binding, not an import of '@serialport/binding-mock': serialport is CommonJS and
// requires that package's CJS build, while an ESM import gets its separate ESM build, whose port
// registry SerialPortMock never sees (the dual-package hazard).
for (const id of ids) SerialPortMock.binding.createPort(pathOf(id), { echo: false, record: false });
const openPort: OpenPort = ({ path, baudRate, highWaterMark }) => {
  // autoOpen off: the serial transport calls open() itself, as with a real port.
  const p = new SerialPortMock({ path, baudRate, highWaterMark, autoOpen: false });
  ports.set(path, p);
  return p as unknown as PortLike;
};

const log = createLogger(config.log.level, createWriteStream('/dev/null'));
const daemon = createDaemon({ config, log, clock: systemClock, version: 'bench', openPort, configHash: parsed.hash });
daemon.start();

// Feeder: each radar's second of frames is spread over 10 ticks, so a port sees ~1 frame per 100 ms.
const rnds = ids.map((_, i) => prng(1000 + i));
const offsets = ids.map((_, i) => Math.round((i * EPISODE_CYCLE_S) / Math.max(1, devices)));
let current: Buffer[][] = ids.map(() => []);
let tick = 0;
const feeder = setInterval(() => {
  const s = Math.floor(tick / TICKS_PER_S);
  const k = tick % TICKS_PER_S;
  if (k === 0) {
    current = ids.map((_, i) => {
      const inEpisode = (s + EPISODE_CYCLE_S - offsets[i]!) % EPISODE_CYCLE_S < EPISODE_S;
      return radarSecond(s, rnds[i]!, inEpisode ? { breathRatePerMin: EPISODE_RATE_PER_MIN } : {});
    });
  }
  ids.forEach((id, i) => {
    const binding = ports.get(pathOf(id))?.port;
    const frames = current[i]!.filter((_, j) => j % TICKS_PER_S === k);
    if (binding?.isOpen && frames.length > 0) binding.emitData(Buffer.concat(frames));
  });
  tick++;
}, 1000 / TICKS_PER_S);

function status(): ChildStatus {
  const s = daemon.status();
  const mem = process.memoryUsage();
  return {
    type: 'status',
    readings: s.devices.reduce((n, d) => n + (d.ingest?.readings ?? 0), 0),
    portsOpen: s.devices.filter((d) => d.serial?.open).length,
    eventsCommitted: s.outbox.lastSeq,
    eventsPubacked: s.uplink?.delivered ?? 0,
    cloudAckedSeq: s.uplink?.lastCloudAck?.seq ?? 0,
    outboxDepth: Object.values(s.outbox.depth).reduce((a, b) => a + b, 0),
    uplinkConnected: s.uplink?.connected ?? false,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
  };
}
const reporter = setInterval(() => send(status()), 2000);

process.on('message', (m: unknown) => {
  if (!isStop(m)) return;
  clearInterval(feeder);
  clearInterval(reporter);
  const last = status(); // before stop(): status() reads the database, which stop() closes
  void daemon.stop().then(() => process.send?.({ ...last, type: 'final' }, undefined, {}, () => process.exit(0)));
});

send({ type: 'ready' });

/**
 * `npm run faults [-- --only NAME[,NAME]] [--rounds N] [--seed N] [--delivery cloud_ack|puback] [--out DIR]`: every reliability promise as
 * a repeatable run (faults/README.md). Each scenario injects its faults into the real daemon while
 * a simulated radar raises alarms, then the hub's committed events are compared with what the cloud
 * (the reference consumer on a real Mosquitto) stored. Prints scenario | injected | survived | lost,
 * writes the table as JSON and markdown, exits 1 if anything was lost, left a seq gap, or a fault was
 * not survived; 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { ROOT } from '../tests/helpers/daemon-process.js';
import { runFaults, SCENARIOS, writeResults } from './runner.js';
import { exitOnInterrupt } from './scenario.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '20261207' },
    delivery: { type: 'string', default: 'cloud_ack' },
    out: { type: 'string', default: join(ROOT, '.state/faults') },
  },
  strict: true,
});

const fail = (msg: string): never => { process.stderr.write(`${msg}\n`); process.exit(2); };
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds: expected a positive integer, found ${JSON.stringify(values.rounds)}`);
const seed = Number(values.seed);
if (!Number.isInteger(seed)) fail(`--seed: expected an integer, found ${JSON.stringify(values.seed)}`);
const delivery = values.delivery;
if (delivery !== 'cloud_ack' && delivery !== 'puback') fail(`--delivery: expected cloud_ack or puback, found ${JSON.stringify(delivery)}`);
const names = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const unknown = names?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) fail(`--only: unknown scenario ${unknown.join(', ')}; expected some of ${SCENARIOS.map((s) => s.name).join(', ')}`);

const log = (line: string): void => { process.stdout.write(`${line}\n`); };
exitOnInterrupt();
const result = await runFaults({ only: names, rounds, seed, delivery: delivery as 'cloud_ack' | 'puback', log });
const files = writeResults(result, values.out);
log(`\n${result.markdown}`);
log(`written: ${files.join(', ')}`);
process.exit(result.ok ? 0 : 1);

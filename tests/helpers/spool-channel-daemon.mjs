// A daemon process for tests of the escalation ladder across kill -9 (issue 15): the built daemon
// (dist/), created as anjud creates it, with a ContactChannel that appends every SMS and call to a
// JSON-lines spool file (synchronously: what is in the file was "sent") instead of a modem. The
// modem's own end-to-end test runs the real channel against the fake modem on a pty.
// Usage: node spool-channel-daemon.mjs CONFIG SPOOL   (HOLD_SMS_TO=<number>: that SMS never completes)
import { appendFileSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfigFile } from '../../dist/src/config/load.js';
import { createDaemon } from '../../dist/src/daemon/daemon.js';
import { openSystemPort } from '../../dist/src/transports/serial/serial-transport.js';

const [configFile, spool] = process.argv.slice(2);
const r = loadConfigFile(configFile);
if (!r.ok) { console.error(JSON.stringify(r.problems)); process.exit(78); }
const record = (o) => appendFileSync(spool, `${JSON.stringify({ ...o, pid: process.pid })}\n`);
const channel = {
  sendSms(to, text) {
    if (process.env.HOLD_SMS_TO === to) { record({ kind: 'sms_started', to }); return new Promise(() => {}); }
    record({ kind: 'sms', to, text });
    return Promise.resolve({ ok: true, refs: [1], parts: 1 });
  },
  call(to) { record({ kind: 'call', to }); return Promise.resolve({ ok: true, answered: false, promptPlayed: false }); },
  status: () => ({ state: 'ready', rssiDbm: null, operator: null, detail: 'spool' }),
  onInbound: () => () => {},
};
const daemon = createDaemon({
  config: r.config, log: pino({ level: 'info' }), clock: { now: () => Date.now() }, version: 'test', openPort: openSystemPort,
  configHash: r.hash, contactChannel: channel,
});
daemon.start();
process.on('SIGTERM', () => { void daemon.stop().then(() => process.exit(0)); });

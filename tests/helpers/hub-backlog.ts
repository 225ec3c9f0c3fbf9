import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';

/**
 * Commits `n` alarms (and every fifth an event) into a hub's store the way the daemon does, with the
 * real outbox (another process, while the hub's daemon is down: alarms raised during an outage).
 * Returns their ids and the store's epoch.
 */
export function commitBacklog(stateDir: string, n: number, tag: string, extra: Array<{ type: string; severity: 'critical' | 'warning' | 'info'; state: 'raised' | 'cleared' | 'info'; data: Record<string, unknown> }> = []): { ids: string[]; lastSeq: number } {
  const db = openDatabase(stateDir);
  const outbox = createOutbox(db, systemClock);
  const ids: string[] = [];
  for (const e of extra) ids.push(outbox.append({ ...e, device: null }).id);
  for (let i = 0; i < n; i++) {
    const alarm = i % 5 !== 4;
    ids.push(outbox.append({ type: alarm ? 'alarm.test' : 'device.test', severity: alarm ? 'critical' : 'info', device: 'radar', state: 'info', data: { tag, i } }).id);
  }
  const lastSeq = outbox.lastSeq();
  db.close();
  return { ids, lastSeq };
}

/** A hub config for the ingest tests: no devices, credentials, short resend times. */
export function hubConfig(o: { hubId: string; stateDir: string; brokerUrl: string; delivery: 'cloud_ack' | 'puback'; passwordFile?: string }): string {
  return `hub: { id: ${o.hubId} }
state_dir: "${o.stateDir}"
log: { level: info }
control: { socket: "${o.stateDir}/anjud.sock" }
uplink: { url: "${o.brokerUrl}", reconnect_min_s: 0.2, reconnect_max_s: 1, retry_s: 2, ack_timeout_s: 3, heartbeat_s: 2, delivery: ${o.delivery}${o.passwordFile ? `, username: ${o.hubId}, password_file: "${o.passwordFile}"` : ''} }
devices: []
`;
}

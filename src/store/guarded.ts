import type { Outbox } from './outbox.js';
import type { TelemetryOutbox } from './telemetry-outbox.js';

/** Runs a store write, recording the outcome (src/store/storage-health.ts `run`); rethrows the final error. */
export type StoreWrite = <T>(where: string, fn: () => T) => T;

/**
 * The outbox as the uplink uses it, with every write it makes from an MQTT or timer callback (PUBACK
 * and cloud-ack records, the sent-unsynced mark, the ts correction) run through `write`: classified,
 * counted in the storage state, retried once after the space reserve was released on SQLITE_FULL.
 * They still throw when they fail: each caller keeps what was not recorded (src/uplink/drain.ts
 * re-queues PUBACK records; an ack not applied is applied with the cloud's next one).
 */
export function guardOutbox(outbox: Outbox, write: StoreWrite): Outbox {
  const { reports } = outbox;
  return {
    ...outbox,
    markPubacked: (seqs) => write('puback', () => outbox.markPubacked(seqs)),
    ackUpTo: (seq) => write('cloud_ack', () => outbox.ackUpTo(seq)),
    markSentUnsynced: (seq) => write('sent_unsynced', () => outbox.markSentUnsynced(seq)),
    correctUnsyncedTs: () => write('ts_correction', () => outbox.correctUnsyncedTs()),
    reports: {
      ...reports,
      markPubacked: (seqs) => write('puback', () => reports.markPubacked(seqs)),
      ackUpTo: (seq) => write('cloud_ack', () => reports.ackUpTo(seq)),
      markSentUnsynced: (seq) => write('sent_unsynced', () => reports.markSentUnsynced(seq)),
    },
  };
}

/** The telemetry outbox with its one write (the sent pointer) run through `write`. */
export function guardTelemetry(telemetry: TelemetryOutbox, write: StoreWrite): TelemetryOutbox {
  return { ...telemetry, markSent: (id) => write('telemetry_sent', () => telemetry.markSent(id)) };
}

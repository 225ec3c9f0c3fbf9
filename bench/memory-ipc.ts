/** Messages between the memory bench and its children (over Node's fork IPC channel). */

/** Hub id of the benchmarked daemon: the parent counts publishes on its topics. */
export const BENCH_HUB = 'bench-hub';

export interface ChildStatus {
  type: 'status' | 'final';
  readings: number;
  portsOpen: number;
  eventsCommitted: number;
  /** Events the broker acknowledged (PUBACK). */
  eventsPubacked: number;
  /** Highest seq the cloud acknowledged: the outbox drains up to it. */
  cloudAckedSeq: number;
  outboxDepth: number;
  uplinkConnected: boolean;
  /** process.memoryUsage() of the daemon: tells a growing JS heap from growth outside it. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

export type ChildMessage = ChildStatus | { type: 'ready' };

export interface ParentMessage {
  type: 'stop';
}

export const isStop = (m: unknown): m is ParentMessage => (m as { type?: unknown } | null)?.type === 'stop';

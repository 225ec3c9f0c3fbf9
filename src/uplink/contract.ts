import type { StoredEvent } from '../core/event.js';

/**
 * Wire shapes of the uplink contract, version 1 (docs/mqtt-contract.md, docs/schemas/).
 * Change deliberately: a new field is a minor change; renaming or removing one is a new version.
 */
export const CONTRACT_VERSION = 1;

export const topics = (hubId: string) => {
  const base = `anju/v${CONTRACT_VERSION}/${hubId}`;
  return { base, events: `${base}/events`, status: `${base}/status` };
};

export interface EventMessage {
  v: typeof CONTRACT_VERSION;
  id: string;
  seq: number;
  ts: number;
  hub: string;
  type: string;
  severity: string;
  device: string | null;
  state: string;
  data: Record<string, unknown>;
}

export function eventMessage(hubId: string, e: StoredEvent): EventMessage {
  return { v: CONTRACT_VERSION, id: e.id, seq: e.seq, ts: e.ts, hub: hubId, type: e.type, severity: e.severity, device: e.device, state: e.state, data: { ...e.data } };
}

export interface StatusMessage {
  v: typeof CONTRACT_VERSION;
  hub: string;
  state: 'online' | 'offline';
  ts: number;
  /** Why the hub is offline: `shutdown` (clean stop) or `connection_lost` (the broker's will). */
  reason?: 'shutdown' | 'connection_lost';
  version?: string;
  started_ts?: number;
}

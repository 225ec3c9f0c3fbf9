import type { EventDraft } from '../../core/event.js';
import type { ModbusFault } from './types.js';

/**
 * The `device.link_fault` event of a polled device's fault episode (docs/uplink.md §5): raised when
 * the device stops answering properly, cleared when it answers again (src/transports/modbus/
 * modbus-bus.ts decides both, once per episode). The cleared event says what happened in between:
 * the first and last code, how often the code changed and how many polls failed, so a flaky bus is
 * one pair of events with counts instead of one raise per code change (issue 12, finding 13).
 */
export function linkFaultEvent(busId: string, deviceId: string, fault: ModbusFault | null, ended: ModbusFault | undefined, nowMs: number): EventDraft {
  const base = { type: 'device.link_fault', severity: 'warning', device: deviceId } as const;
  if (fault) return { ...base, state: 'raised', data: { code: fault.code, message: fault.message, bus: busId } };
  return {
    ...base,
    state: 'cleared',
    data: {
      bus: busId,
      ...(ended ? {
        code: ended.code, firstCode: ended.firstCode, codeChanges: ended.codeChanges, failures: ended.failures,
        raisedAtTs: ended.sinceMs, durationS: Math.max(0, Math.round((nowMs - ended.sinceMs) / 1000)),
      } : {}),
    },
  };
}

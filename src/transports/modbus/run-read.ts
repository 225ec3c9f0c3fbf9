import type { ModbusRTUClient } from './modbus-serial-client.js';
import { badResponseFailure, classifyModbusSerialError, timeoutFailure, type ReadRequest, type ReadResult } from './modbus-link.js';

/**
 * Slack on top of the request timeout before we stop waiting for modbus-serial's own callback.
 * Its timer normally settles the request; ours is the backstop for paths where it never calls back
 * (e.g. its destroy() cancels pending timers without a callback).
 */
const GUARD_MS = 250;

export interface ReadHooks {
  /** Did the line carry a corrupted answer during this request? Turns a timeout into a CRC fault. */
  sawCrcError(): boolean;
  /** After the request settled, however it did. */
  onSettled(): void;
  /** Lets the link settle the read early (link lost) through the same once-only path. */
  setInflight(settle: ((r: ReadResult) => void) | null): void;
}

/** One read through modbus-serial, settled exactly once, never rejected. */
export function runRead(client: ModbusRTUClient, req: ReadRequest, hooks: ReadHooks): Promise<ReadResult> {
  return new Promise((resolve) => {
    let done = false;
    const settle = (r: ReadResult): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      hooks.setInflight(null);
      hooks.onSettled();
      resolve(r);
    };
    const guard = setTimeout(() => settle({ ok: false, failure: timeoutFailure(req.timeoutMs, hooks.sawCrcError()) }), req.timeoutMs + GUARD_MS);
    hooks.setInflight(settle);

    const callback = (err: unknown, res?: { data?: unknown }): void => {
      if (err) {
        settle({ ok: false, failure: classifyModbusSerialError(err, req.timeoutMs, hooks.sawCrcError()) });
        return;
      }
      const words = res?.data;
      if (!Array.isArray(words) || words.length !== req.count || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)) {
        settle({ ok: false, failure: badResponseFailure(`expected ${req.count} registers, got ${Array.isArray(words) ? words.length : typeof words}`) });
        return;
      }
      settle({ ok: true, words: words as number[] });
    };

    try {
      client.setTimeout(req.timeoutMs);
      if (req.function === 3) client.writeFC3(req.unitId, req.address, req.count, callback);
      else client.writeFC4(req.unitId, req.address, req.count, callback);
    } catch (err) {
      // modbus-serial validates little and may throw on a broken port object; never let it out.
      settle({ ok: false, failure: classifyModbusSerialError(err, req.timeoutMs, false) });
    }
  });
}

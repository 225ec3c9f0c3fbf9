/**
 * Rate-limited log lines for things that can repeat thousands of times a minute: malformed cloud
 * acks, oversized MQTT messages, malformed Zigbee2MQTT payloads, implausible readings (issue 12,
 * finding 13: 20k malformed acks gave 12.5k log lines). Per key: the first occurrence is logged at
 * once; further ones within `intervalMs` are only counted, and when the interval ends one line
 * says how many were suppressed (with the fields of the last one). A key that stayed quiet for a
 * whole interval starts over: its next occurrence is logged at once again. So a key logs at most
 * one line per interval after its first, and a flood costs a counter increment per message.
 *
 * The counts that matter stay in status (each caller counts every occurrence itself); this only
 * keeps the journal readable and its disk use bounded. Timers are unref'd: they never hold the
 * process open. `flush()` logs what is pending (call it at stop).
 */
export type LimitedLevel = 'error' | 'warn' | 'info' | 'debug';

/** The part of a pino Logger this needs. */
export type LimitedSink = Record<LimitedLevel, (obj: object, msg: string) => void>;

export interface LogLimiter {
  /** Logs `msg` with `fields` under `key`, or counts it if `key` logged within the interval. */
  log(level: LimitedLevel, key: string, fields: object, msg: string): void;
  /** Logs the suppressed counts now and forgets every key (at stop). */
  flush(): void;
}

export interface LogLimiterOptions {
  /** At most one line per key per this many ms after the first. Default 60 s. */
  intervalMs?: number;
  /**
   * Keys kept at once (keys name a device, a topic kind...: few). A key beyond this is counted
   * under one shared overflow key, so a hostile stream of distinct keys cannot grow memory.
   */
  maxKeys?: number;
}

export const LOG_LIMIT_INTERVAL_MS = 60_000;
const OVERFLOW_KEY = '\u0000overflow';

interface Window {
  suppressed: number;
  level: LimitedLevel;
  fields: object;
  msg: string;
  timer: NodeJS.Timeout;
}

export function createLogLimiter(sink: LimitedSink, o: LogLimiterOptions = {}): LogLimiter {
  const intervalMs = o.intervalMs ?? LOG_LIMIT_INTERVAL_MS;
  const maxKeys = o.maxKeys ?? 256;
  const windows = new Map<string, Window>();

  const summary = (w: Window): void => {
    sink[w.level]({ ...w.fields, suppressed: w.suppressed, suppressedInS: Math.round(intervalMs / 1000) }, `${w.msg} (${w.suppressed} more like this suppressed)`);
  };

  function open(key: string, w: Omit<Window, 'timer'>): void {
    const timer = setTimeout(() => {
      const cur = windows.get(key);
      if (!cur) return;
      if (cur.suppressed === 0) { windows.delete(key); return; } // quiet: the next one logs at once
      summary(cur);
      windows.delete(key);
      open(key, { ...cur, suppressed: 0 }); // and the interval after that is limited again
    }, intervalMs);
    timer.unref();
    windows.set(key, { ...w, timer });
  }

  return {
    log(level, key, fields, msg) {
      const k = windows.has(key) || windows.size < maxKeys ? key : OVERFLOW_KEY;
      const w = windows.get(k);
      if (w) {
        w.suppressed++;
        Object.assign(w, { level, fields, msg });
        return;
      }
      sink[level](fields, msg);
      open(k, { suppressed: 0, level, fields, msg });
    },
    flush() {
      for (const w of windows.values()) {
        clearTimeout(w.timer);
        if (w.suppressed > 0) summary(w);
      }
      windows.clear();
    },
  };
}

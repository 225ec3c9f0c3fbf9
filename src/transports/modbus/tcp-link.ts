import { ModbusRTU, type ModbusRTUClient } from './modbus-serial-client.js';
import { runRead } from './run-read.js';
import { linkDownFailure, type ModbusLink, type ReadRequest, type ReadResult } from './modbus-link.js';

export interface TcpEndpoint {
  host: string;
  port: number;
  /** Give up one connection attempt after this long (an unplugged gateway drops SYNs silently). */
  connectTimeoutMs: number;
}

/**
 * Modbus TCP (a networked detector, or an RS-485-to-TCP gateway in front of an RTU bus), through
 * modbus-serial's TcpPort. One connection per bus, one request at a time: gateways serialise onto
 * their RTU side anyway, and several outstanding requests only make their timeouts overlap.
 *
 * modbus-serial's TcpPort does not always say when the connection ends (after a socket error it
 * clears its open flag without emitting 'close'), so the link is also checked before every read:
 * a closed one answers link-down and reports itself lost.
 */
export function createTcpLink(ep: TcpEndpoint): ModbusLink {
  let client: ModbusRTUClient | null = null;
  let lostFn: (why: string) => void = () => undefined;
  let inflight: ((r: ReadResult) => void) | null = null;

  const drop = (why: string, notify: boolean): void => {
    const c = client;
    if (!c) return;
    client = null;
    inflight?.({ ok: false, failure: linkDownFailure(why) });
    try {
      c.destroy(() => undefined);
    } catch {
      // Already torn down by the socket; nothing left to release.
    }
    if (notify) lostFn(why);
  };

  return {
    get isOpen() {
      return client?.isOpen === true;
    },
    open() {
      drop('reopening', false);
      return new Promise((resolve) => {
        const c = new ModbusRTU();
        c.on('error', () => undefined);
        c.on('close', () => { if (client === c) drop('connection closed by peer', true); });
        let settled = false;
        const finish = (err: string | null): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) {
            try { c.destroy(() => undefined); } catch { /* never connected */ }
            resolve(err);
            return;
          }
          client = c;
          resolve(null);
        };
        const timer = setTimeout(() => finish(`no connection to ${ep.host}:${ep.port} within ${ep.connectTimeoutMs} ms`), ep.connectTimeoutMs);
        try {
          c.connectTCP(ep.host, { port: ep.port }, (err?: Error | boolean | null) => {
            finish(err ? (err instanceof Error ? err.message : `cannot connect to ${ep.host}:${ep.port}`) : null);
          });
        } catch (err) {
          finish(err instanceof Error ? err.message : String(err));
        }
      });
    },
    read(req: ReadRequest): Promise<ReadResult> {
      const c = client;
      if (!c) return Promise.resolve({ ok: false, failure: linkDownFailure('not connected') });
      if (!c.isOpen) {
        drop('connection lost', true);
        return Promise.resolve({ ok: false, failure: linkDownFailure('connection lost') });
      }
      return runRead(c, req, {
        sawCrcError: () => false, // TCP has no CRC; the transport checksums for us
        onSettled: () => undefined,
        setInflight: (fn) => { inflight = fn; },
      });
    },
    async close() {
      drop('closed', false);
    },
    onLost(fn) {
      lostFn = fn;
    },
    lineCounters: () => ({ crcErrors: 0, garbageBytes: 0 }),
  };
}

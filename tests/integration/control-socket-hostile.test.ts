/**
 * The control socket's request lines are hostile input too (issue 17, point 4: found by the fuzz
 * target `control-request`, fuzz/README.md). Any line that is JSON but not an object (`null`, a
 * number, a list) must get an error reply, like a line that is not JSON: `null` used to throw inside
 * the async line handler, and the unhandled rejection stopped the daemon (exit 1, "uncaught exception").
 */
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.js';
import { waitFor } from '../helpers/wait.js';

/** Sends `lines` on one connection and collects the reply lines until there are `want` of them. */
async function exchange(socket: string, lines: readonly string[], want: number): Promise<Array<Record<string, unknown>>> {
  const conn = createConnection(socket);
  const replies: Array<Record<string, unknown>> = [];
  let buf = '';
  let closed = false;
  conn.setEncoding('utf8');
  conn.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      replies.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  conn.on('close', () => { closed = true; });
  conn.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => { conn.once('connect', resolve); conn.once('error', reject); });
    conn.write(lines.map((l) => `${l}\n`).join(''));
    await waitFor(`${want} replies on the control socket`, () => replies.length >= want || closed, undefined, () => JSON.stringify(replies));
    return replies;
  } finally {
    conn.destroy();
  }
}

describe('control socket: hostile request lines', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub({ name: 'ctl-hostile', radars: ['r'] });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('answers JSON that is not a request object with an error, and keeps running', async () => {
    const hostile = ['null', 'true', '42', '"ping"', '[]', '[{"cmd":"ping"}]', '{"cmd":5}', '{"id":{"a":1}}'];
    const replies = await exchange(hub.socket, [...hostile, '{"id":"last","cmd":"ping"}'], hostile.length + 1);
    expect(hub.daemon.proc.exitCode, hub.daemon.logs.map((l) => JSON.stringify(l)).join('\n')).toBeNull();
    expect(replies).toHaveLength(hostile.length + 1);
    for (const r of replies.slice(0, hostile.length)) expect(r).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
    expect(replies.at(-1)).toMatchObject({ id: 'last', ok: true, data: { pong: true } });
    // And it still answers a new connection.
    expect((await hub.status()).hub).toBe(hub.hubId);
  });
});

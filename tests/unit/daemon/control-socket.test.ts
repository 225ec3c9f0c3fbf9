/**
 * The control socket removes nothing but a stale socket (issue 12, finding 3): a regular file, a
 * directory or a symlink at its path is left alone and the socket is not started; at stop it removes
 * only the socket it made, also when something else took its place meanwhile (libuv would remove
 * whatever sits at the path it listened on). A client that keeps its connection open (answered,
 * but not closed yet: a test process blocked in spawnSync, a stuck `anjuctl`) cannot hold up stop
 * (and with it a config apply or shutdown).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createControlSocket } from '../../../src/daemon/control-socket.js';
import type { CommandDispatcher } from '../../../src/uplink/commands.js';
import { waitFor } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-ctl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const commands: CommandDispatcher = {
  names: () => ['ping'],
  handle: async (cmd) => ({ v: 1, hub: 'h', cmd, ok: true, data: { pong: true } }),
};

function socketAt(path: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
  const ctl = createControlSocket({ path, group: 'no-such-group-here', commands, log: pino({ level: 'info' }, sink) });
  return { ctl, lines };
}

const ping = (path: string) => new Promise<string>((resolve, reject) => {
  const c = connect(path, () => c.write('{"id":1,"cmd":"ping"}\n'));
  c.once('data', (d) => { c.destroy(); resolve(d.toString()); });
  c.once('error', reject);
});

/** A socket file nobody listens on, as a crash leaves it. */
async function staleSocket(path: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const s = createServer();
  await new Promise<void>((r) => s.listen(tmp, () => r()));
  renameSync(tmp, path); // close() then removes only the name it listened on
  await new Promise<void>((r) => s.close(() => r()));
}

describe('control socket', () => {
  it('replaces a stale socket, answers, and removes its socket at stop', async () => {
    const path = join(dir, 'stale.sock');
    await staleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    const { ctl } = socketAt(path);
    ctl.start();
    await waitFor('an answer', async () => (await ping(path).catch(() => '')).includes('"pong":true'));
    await ctl.stop();
    expect(existsSync(path)).toBe(false);
  });

  it.each([
    ['regular file', (p: string) => writeFileSync(p, 'SQLite format 3\0 precious')],
    ['directory', (p: string) => mkdirSync(p)],
    ['symbolic link', (p: string) => { writeFileSync(`${p}.target`, 'precious'); symlinkSync(`${p}.target`, p); }],
  ])('leaves a %s at its path alone and does not start', async (kind, make) => {
    const path = join(dir, `${kind.replace(' ', '-')}.sock`);
    make(path);
    const before = lstatSync(path);
    const { ctl, lines } = socketAt(path);
    ctl.start();
    expect(lines).toContainEqual(expect.objectContaining({ code: 'ANJU_ERR_CONTROL_SOCKET', path, found: kind }));
    await ctl.stop();
    const after = lstatSync(path);
    expect([after.ino, after.mode]).toEqual([before.ino, before.mode]);
    if (kind === 'regular file') expect(readFileSync(path, 'utf8')).toContain('precious');
  });

  it('at stop removes only its own socket: a file that took its place stays', async () => {
    const path = join(dir, 'replaced.sock');
    const { ctl } = socketAt(path);
    ctl.start();
    await waitFor('listening', () => existsSync(path) && lstatSync(path).isSocket());
    rmSync(path);
    writeFileSync(path, 'someone else\'s');
    await ctl.stop();
    expect(readFileSync(path, 'utf8')).toBe('someone else\'s');
  });

  it('stops although a client holds its connection open', async () => {
    const path = join(dir, 'held.sock');
    const { ctl } = socketAt(path);
    ctl.start();
    await waitFor('an answer', async () => (await ping(path).catch(() => '')).includes('"pong":true'));
    // Answered, then silent: neither end nor destroy from this side.
    const held = connect(path);
    const reply = new Promise<string>((r) => held.once('data', (d) => r(d.toString())));
    held.write('{"id":1,"cmd":"ping"}\n');
    expect(await reply).toContain('"pong":true');
    const closedByDaemon = new Promise<void>((r) => held.once('close', () => r()));
    held.on('error', () => undefined);
    const stopped = await Promise.race([ctl.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting for the client'), 5_000))]);
    held.destroy();
    expect(stopped).toBe('stopped');
    await closedByDaemon;
    expect(existsSync(path)).toBe(false);
  });
});

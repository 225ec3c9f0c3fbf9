/**
 * Our D-Bus connections always use node's net socket, never dbus-next's optional native `usocket`:
 * whether usocket is built depends on the npm that installed the tree (npm 9 and 10 build it when a
 * compiler is there; npm 11 with our allowScripts does not), and only the net path is tested.
 * The test offers dbus-next a loadable usocket and checks it is not taken.
 */
import Module from 'node:module';
import { Duplex } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netSocketAddress, openBus } from '../../../src/transports/ble/node-ble.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-bus-socket-'));
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const realLoad = loader._load;
afterAll(() => {
  loader._load = realLoad;
  rmSync(dir, { recursive: true, force: true });
});

describe('D-Bus connections', () => {
  it('rewrite unix:path= to dbus-next\'s net-only unix:socket=, keeping the other keys', () => {
    expect(netSocketAddress('unix:path=/run/dbus/system_bus_socket')).toBe('unix:socket=/run/dbus/system_bus_socket');
    expect(netSocketAddress('unix:path=/tmp/bus,guid=0123;unix:path=/tmp/other')).toBe('unix:socket=/tmp/bus,guid=0123;unix:socket=/tmp/other');
  });

  it('do not use usocket even when it loads', async () => {
    const made: unknown[] = [];
    class FakeUSocket extends Duplex {
      constructor(opts: unknown) {
        super();
        made.push(opts);
        setImmediate(() => this.emit('error', new Error('fake usocket')));
      }
      override _read(): void {}
      override _write(_c: unknown, _e: BufferEncoding, cb: () => void): void { cb(); }
    }
    loader._load = function load(request, parent, isMain) {
      if (request === 'usocket') return { USocket: FakeUSocket };
      return realLoad.call(this, request, parent, isMain);
    };
    const bus = openBus(`unix:path=${join(dir, 'no-bus-here')}`);
    const failed = new Promise<Error>((resolve) => bus.on('error', resolve));
    // node's net reports the missing socket file; usocket would have been constructed synchronously.
    expect((await failed).message).toMatch(/ENOENT/);
    expect(made).toEqual([]);
    bus.disconnect();
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './peers.js';

/**
 * A private, real dbus-daemon for one test file: its own config in a temp dir, listening on a
 * filesystem socket (`unix:path=`: dbus-next needs the native usocket module for abstract sockets,
 * and its build is not allowed here). Nothing touches the machine's system bus.
 */
export interface PrivateBus {
  /** The address dbus-daemon printed, e.g. `unix:path=/tmp/anju-dbus-x/bus,guid=...`. */
  readonly address: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startPrivateBus(timeoutMs = 5000): Promise<PrivateBus> {
  const bin = requireBinary('dbus-daemon', 'dbus');
  const dir = mkdtempSync(join(tmpdir(), 'anju-dbus-'));
  const conf = join(dir, 'bus.conf');
  // Everything is allowed for everyone: the test process is both the fake bluetoothd (owning
  // org.bluez, as root when CI runs as root: `allow own` in the default context covers root too;
  // the system bus's own policy would refuse it) and its client.
  writeFileSync(conf, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>anju-test</type>
  <listen>unix:path=${join(dir, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
  </policy>
  <policy user="root">
    <allow own="org.bluez"/>
  </policy>
</busconfig>
`);
  const proc: ChildProcess = spawn(bin, [`--config-file=${conf}`, '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`dbus-daemon printed no address within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const fail = (e: Error) => { clearTimeout(timer); proc.kill('SIGKILL'); reject(e); };
    proc.once('exit', (code) => fail(new Error(`dbus-daemon exited (${code}): ${stderr}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); proc.removeAllListeners('exit'); resolve(out.slice(0, nl).trim()); }
    });
  });
  return {
    address,
    dir,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { request } from '../../src/cli/client.js';
import type { DaemonStatus } from '../../src/daemon/daemon.js';

/**
 * The daemon's control socket asked from the test process itself: cheap enough to poll (anjuctl
 * would cost a Node start-up, ~0.5 s of CPU, per question).
 */
export async function daemonStatus(socket: string): Promise<DaemonStatus> {
  const r = await request(socket, 'get-status');
  if (!r.ok) throw new Error(`get-status: ${r.code}: ${r.message}`);
  return r.data as DaemonStatus;
}

/** Every serial port of the daemon open; false while the socket does not answer yet. */
export async function serialPortsOpen(socket: string): Promise<boolean> {
  try {
    return (await daemonStatus(socket)).devices.every((d) => d.serial === null || d.serial.open);
  } catch {
    return false;
  }
}

/** Whether the daemon has device `id` with its serial port open; false while the socket does not answer (a restart). */
export async function devicePortOpen(socket: string, id: string): Promise<boolean> {
  try {
    return (await daemonStatus(socket)).devices.some((d) => d.id === id && d.serial?.open === true);
  } catch {
    return false;
  }
}

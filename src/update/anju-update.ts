#!/usr/bin/env node
/**
 * anju-update: installs an over-the-air update that anjud downloaded and verified (src/update/).
 * Run as root by anju-update.service (started by anju-update.path when anjud writes the request), or
 * by anjud itself where systemd does not run (then with anjud's privileges).
 *
 *   anju-update apply --request /var/lib/anju/updates/request.json --keys /etc/anju/release-keys.pem \
 *                     [--staging /var/lib/anju-update] [--installer "dpkg -i"] [--socket /run/anju/anjud.sock]
 *
 * The installer (default `dpkg -i`, or $ANJU_UPDATE_INSTALLER) gets the package's path appended.
 * Exit codes: 0 installed (or no request to act on), 1 not installed (the result file says why).
 */
import { Command } from 'commander';
import { DEFAULT_SOCKET, request } from '../cli/client.js';
import { VERSION } from '../core/version.js';
import { runUpdate } from './runner.js';

const program = new Command().name('anju-update').description('install a verified over-the-air update (run as root)').version(VERSION);
program
  .command('apply')
  .requiredOption('--request <file>', 'the request anjud wrote')
  .requiredOption('--keys <file>', 'the release keys (Ed25519 PEM) to check the signature with')
  .option('--staging <dir>', 'a directory only root can write, for the copy that is installed', '/var/lib/anju-update')
  .option('--installer <command>', 'the install command; the package path is appended', process.env.ANJU_UPDATE_INSTALLER ?? 'dpkg -i')
  .option('--socket <path>', 'anjud\'s control socket, asked for open alarms right before installing', DEFAULT_SOCKET)
  .action(async (o: { request: string; keys: string; staging: string; installer: string; socket: string }) => {
    const result = await runUpdate({
      request: o.request, keys: o.keys, staging: o.staging, installer: o.installer.split(/\s+/).filter((w) => w !== ''),
      runningVersion: VERSION, now: () => Date.now(), log: (line) => process.stdout.write(`anju-update: ${line}\n`),
      openAlarms: () => openAlarms(o.socket),
    });
    if (result === null) process.stdout.write(`anju-update: no request at ${o.request}: nothing to do\n`);
    process.exit(result === null || result.ok ? 0 : 1);
  });
program.parse();

async function openAlarms(socket: string): Promise<number | null> {
  try {
    const r = await request(socket, 'get-status', {}, 5000);
    // Checked all the same: the daemon answering may be another version than this tool.
    const alarms: unknown = r.ok ? r.data.alarms : undefined;
    return r.ok && Array.isArray(alarms) ? alarms.length : null;
  } catch {
    return null;
  }
}

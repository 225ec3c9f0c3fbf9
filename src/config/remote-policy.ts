import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { parseBrokerUrl, type BrokerEndpoint } from '../core/broker-url.js';
import type { ConfigProblem } from './result.js';
import type { Config } from './schema.js';

/**
 * What a config received from the cloud (set-config over MQTT) may change, on top of being valid
 * (issue 12, findings 3 and 4). The cloud's commands are hostile input: a set-config must not be able
 * to make the hub delete or overwrite its files, read a secret and send it away, or lower its
 * security. A config applied on site (anjuctl over the control socket) is not held to these rules.
 *
 * Always, for a remote config:
 *  - `remote_config` (the local policy) stays exactly as it is on the hub;
 *  - a changed `control.socket` is a `*.sock` path in the directory of the socket in force or in
 *    systemd's RuntimeDirectory, and not an existing file other than a socket;
 *  - a changed secret file (uplink.password_file, uplink.tls.ca/cert/key, zigbee2mqtt.password_file)
 *    is in the config file's directory (/etc/anju in the field), symlinks resolved.
 * Unless the hub's `remote_config.allow_security_changes` is true, also none of:
 *  - changing where secrets are read from (the files above, set, changed or removed);
 *  - `uplink.insecure` false -> true, `uplink.tls.reject_unauthorized` true -> false;
 *  - `control.group` (who may command the hub on site, e.g. open the Zigbee network);
 *  - an encrypted broker URL (mqtts, wss) -> plain (mqtt, ws), for the uplink or Zigbee2MQTT;
 *  - credentials sent in plain text to a host other than loopback that is not the current one.
 */
export interface RemoteContext {
  /** The config in force. */
  readonly current: Readonly<Config>;
  /** The config file anjud runs: secret files a remote config names must be in its directory. */
  readonly configPath: string;
  /** systemd's RUNTIME_DIRECTORY (may list several, colon-separated): the socket may also go there. */
  readonly runtimeDirs: readonly string[];
}

type Secret = readonly [path: string, get: (c: Readonly<Config>) => string | undefined];
const SECRET_FILES: readonly Secret[] = [
  ['uplink.password_file', (c) => c.uplink.password_file],
  ['uplink.tls.ca', (c) => c.uplink.tls.ca],
  ['uplink.tls.cert', (c) => c.uplink.tls.cert],
  ['uplink.tls.key', (c) => c.uplink.tls.key],
  ['zigbee2mqtt.password_file', (c) => c.zigbee2mqtt?.password_file],
];

const POLICY_OFF = 'not from the cloud: remote_config.allow_security_changes is false in the config on the hub';

export function remoteConfigProblems(next: Readonly<Config>, ctx: RemoteContext): ConfigProblem[] {
  const cur = ctx.current;
  const out: ConfigProblem[] = [];
  if (JSON.stringify(next.remote_config) !== JSON.stringify(cur.remote_config)) {
    out.push({ path: 'remote_config', message: 'a remote config cannot change the local policy', expected: `${JSON.stringify(cur.remote_config)}, as on the hub (changed only by editing the file there)`, found: JSON.stringify(next.remote_config) });
  }
  const allowed = cur.remote_config.allow_security_changes;
  const configDir = real(dirname(resolve(ctx.configPath)));
  for (const [path, get] of SECRET_FILES) {
    const was = get(cur);
    const now = get(next);
    if (now === was) continue;
    if (!allowed) out.push({ path, message: 'a remote config cannot change where secrets are read from', expected: `${was ?? 'not set'} (${POLICY_OFF})`, found: now ?? 'not set' });
    else if (now !== undefined && !inside(real(resolve(now)), configDir)) out.push({ path, message: 'a secret file named by a remote config must be in the config directory', expected: `a file under ${configDir}${sep}`, found: now });
  }
  if (!allowed) {
    const lowered = (path: string, was: unknown, now: unknown, what: string) => out.push({ path, message: `a remote config cannot ${what}`, expected: `${String(was)} (${POLICY_OFF})`, found: String(now) });
    if (!cur.uplink.insecure && next.uplink.insecure) lowered('uplink.insecure', false, true, 'allow plain text to other hosts');
    if (cur.uplink.tls.reject_unauthorized && !next.uplink.tls.reject_unauthorized) lowered('uplink.tls.reject_unauthorized', true, false, 'turn off broker certificate checks');
    if (next.control.group !== cur.control.group) lowered('control.group', cur.control.group, next.control.group, 'change who may command the hub on site');
    out.push(...connectionProblems('uplink', cur.uplink, next.uplink));
    out.push(...connectionProblems('zigbee2mqtt', cur.zigbee2mqtt, next.zigbee2mqtt));
  }
  if (next.control.socket !== cur.control.socket) {
    const p = socketProblem(next.control.socket, [dirname(resolve(cur.control.socket)), ...ctx.runtimeDirs]);
    if (p) out.push({ path: 'control.socket', ...p, found: next.control.socket });
  }
  return out;
}

interface Connection { url: string; username?: string | undefined; password?: string | undefined; password_file?: string | undefined }

/** Plain text where there was encryption, or credentials in clear to a new host. */
function connectionProblems(key: 'uplink' | 'zigbee2mqtt', cur: Connection | undefined, next: Connection | undefined): ConfigProblem[] {
  if (!next) return [];
  const to = endpoint(next.url);
  const from = cur ? endpoint(cur.url) : undefined;
  if (!to) return []; // invalid: the schema has said so
  const path = `${key}.url`;
  if (from?.encrypted && !to.encrypted) {
    return [{ path, message: 'a remote config cannot switch the broker connection to plain text', expected: `${from.protocol}:// (${POLICY_OFF})`, found: `${to.protocol}://` }];
  }
  const credentials = next.username !== undefined || next.password !== undefined || next.password_file !== undefined;
  if (credentials && !to.encrypted && !to.loopback && to.host !== from?.host) {
    return [{ path, message: 'a remote config cannot send credentials in plain text to a new host', expected: `${from?.host ?? 'no plain-text host'} (${POLICY_OFF})`, found: to.host }];
  }
  return [];
}

function endpoint(url: string): BrokerEndpoint | undefined {
  const r = parseBrokerUrl(url);
  return r.ok ? r.endpoint : undefined;
}

/** Why `socket` cannot be the control socket a remote config names, or null. */
function socketProblem(socket: string, dirs: readonly string[]): Omit<ConfigProblem, 'path'> | null {
  let kind: string | null = null;
  try {
    const st = lstatSync(socket);
    if (!st.isSocket()) kind = st.isFile() ? 'a regular file' : st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'a special file';
  } catch {
    // nothing there (or not reachable): the name and the directory decide
  }
  if (kind !== null) return { message: `a remote config cannot put the control socket on an existing file: it is ${kind}, not a socket`, expected: 'a free path or a socket' };
  const allowed = [...new Set(dirs.map((d) => real(resolve(d))))];
  if (!basename(socket).endsWith('.sock') || !allowed.includes(real(dirname(resolve(socket))))) {
    return { message: 'a remote config may move the control socket only to a *.sock file in its directory or the runtime directory', expected: `<name>.sock in ${allowed.join(' or ')}` };
  }
  return null;
}

/** The path with symlinks resolved as far as it exists (a file not there yet: its directory's real path). */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : resolve(real(parent), basename(p));
  }
}

const inside = (p: string, dir: string): boolean => p.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The network's identity (PAN id, extended PAN id, channel, network key), persisted in
 * `<state_dir>/zigbee/network.json` (mode 0600: the key lets anyone in radio range read and forge
 * every alarm of the home).
 *
 * Why generated, not configured: a default key shipped in code or in the example config would be
 * the same in every home (Zigbee2MQTT's old default key is public and was in thousands of
 * networks). On first start we draw a random key, PAN id and extended PAN id and keep them; every
 * later start reuses them, because changing any of them forms a new network and every paired
 * sensor would have to be paired again. Config values (channel, pan_id, extended_pan_id) only apply
 * when the network is formed; afterwards a different value is reported as a conflict and ignored.
 * To adopt an existing network (a stick moved from Zigbee2MQTT), write its values into network.json
 * before the first start.
 */
export interface ZigbeeNetworkIdentity {
  panId: number;
  /** 8 bytes, as hex "0x..." in the file. */
  extendedPanId: number[];
  channel: number;
  /** 16 bytes, as hex in the file. */
  networkKey: number[];
}

export interface ZigbeeNetworkWanted {
  channel: number;
  panId?: number | undefined;
  extendedPanId?: number[] | undefined;
}

const toHex = (b: number[]) => `0x${Buffer.from(b).toString('hex')}`;
const fromHex = (s: unknown, bytes: number): number[] | null =>
  typeof s === 'string' && new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(s) ? [...Buffer.from(s.slice(2), 'hex')] : null;

export function parseIdentity(json: unknown): ZigbeeNetworkIdentity | null {
  if (!json || typeof json !== 'object') return null;
  const j = json as Record<string, unknown>;
  const ext = fromHex(j['extendedPanId'], 8);
  const key = fromHex(j['networkKey'], 16);
  const pan = j['panId'];
  const ch = j['channel'];
  if (!ext || !key || typeof pan !== 'number' || !Number.isInteger(pan) || pan < 1 || pan > 0xfffe) return null;
  if (typeof ch !== 'number' || !Number.isInteger(ch) || ch < 11 || ch > 26) return null;
  return { panId: pan, extendedPanId: ext, channel: ch, networkKey: key };
}

export function generateIdentity(w: ZigbeeNetworkWanted, random: (n: number) => Buffer = randomBytes): ZigbeeNetworkIdentity {
  // PAN ids 0x0000 and 0xFFFF are reserved; 0xFFFE is "unknown".
  const pan = w.panId ?? 1 + (random(2).readUInt16BE(0) % 0xfffd);
  return { panId: pan, extendedPanId: w.extendedPanId ?? [...random(8)], channel: w.channel, networkKey: [...random(16)] };
}

/** What differs between the persisted network and the config, for status (empty: nothing). */
export function identityConflicts(id: ZigbeeNetworkIdentity, w: ZigbeeNetworkWanted): string[] {
  const out: string[] = [];
  if (id.channel !== w.channel) out.push(`channel ${w.channel} (network uses ${id.channel})`);
  if (w.panId !== undefined && w.panId !== id.panId) out.push(`pan_id ${w.panId} (network uses ${id.panId})`);
  if (w.extendedPanId && toHex(w.extendedPanId) !== toHex(id.extendedPanId)) out.push(`extended_pan_id ${toHex(w.extendedPanId)} (network uses ${toHex(id.extendedPanId)})`);
  return out;
}

/** Reads network.json, or creates it on first start (atomically, 0600). Rejects on I/O errors. */
export async function loadOrCreateIdentity(dir: string, w: ZigbeeNetworkWanted): Promise<{ identity: ZigbeeNetworkIdentity; created: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'network.json');
  let text: string | null = null;
  try { text = await readFile(file, 'utf8'); } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== null) {
    const id = parseIdentity(JSON.parse(text));
    // A damaged file must not be silently replaced: a new key would orphan every paired sensor.
    if (!id) throw new Error(`${file} is not a valid network identity; fix or remove it (removing it forms a new network: every device must be paired again)`);
    return { identity: id, created: false };
  }
  const identity = generateIdentity(w);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ panId: identity.panId, extendedPanId: toHex(identity.extendedPanId), channel: identity.channel, networkKey: toHex(identity.networkKey) }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return { identity, created: true };
}

import { ZigbeeDeviceProfileSchema } from './zigbee-ias/index.js';
import { parseModbusProfile } from './modbus-profile/index.js';
import { fullUuid, gattDecoders, shortUuid } from './ble-gatt/index.js';
import type { CatalogueEntry } from './catalogue.js';
import { parseModemProfile } from '../transports/modem/profile.js';

/**
 * The deep check of one catalogue entry: its transport's section of profile.json (the common
 * fields were checked by the catalogue). The same for a shipped folder (the catalogue test runs it
 * on every one) and a local one (config validation runs it on the local profile folder), so a
 * model added on site is held to exactly what a shipped one is. Uses zod: config validation only,
 * never the daemon's main thread. Returns the problems, `key.path: message` each.
 */
export function checkProfile(e: CatalogueEntry): string[] {
  switch (e.transport) {
    case 'zigbee': {
      const r = ZigbeeDeviceProfileSchema.safeParse(e.profile);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`);
    }
    case 'modbus': {
      const r = parseModbusProfile(e.profile);
      return r.ok ? [] : r.errors;
    }
    case 'serial': {
      const b = (e.profile.serial as { baudRate?: unknown } | undefined)?.baudRate;
      return Number.isInteger(b) && (b as number) > 0 ? [] : [`serial.baudRate: expected a positive integer (the line speed), found ${JSON.stringify(b)}`];
    }
    case 'ble':
      return checkBle(e.profile.ble);
    case 'modem': {
      const r = parseModemProfile(e.profile);
      return r.ok ? [] : r.errors;
    }
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const HEX_UUID = /^([0-9a-f]{4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function checkBle(ble: unknown): string[] {
  if (!isObj(ble) || !Array.isArray(ble.services) || ble.services.length === 0) return ['ble.services: expected a non-empty list of GATT services'];
  const problems: string[] = [];
  let primary = 0;
  ble.services.forEach((s: unknown, i) => {
    const at = `ble.services[${i}]`;
    if (!isObj(s) || typeof s.uuid !== 'string' || !HEX_UUID.test(s.uuid)) { problems.push(`${at}.uuid: expected a 16-bit (180d) or 128-bit UUID`); return; }
    if (!Array.isArray(s.characteristics) || s.characteristics.length === 0) { problems.push(`${at}.characteristics: expected a non-empty list`); return; }
    s.characteristics.forEach((c: unknown, j) => {
      const cat = `${at}.characteristics[${j}]`;
      if (!isObj(c)) { problems.push(`${cat}: expected an object`); return; }
      if (typeof c.uuid !== 'string' || !HEX_UUID.test(c.uuid)) problems.push(`${cat}.uuid: expected a 16-bit or 128-bit UUID`);
      else if (!gattDecoders[shortUuid(fullUuid(c.uuid.toLowerCase()))]) problems.push(`${cat}.uuid: no decoder for characteristic ${c.uuid} in this build (src/drivers/ble-gatt/)`);
      if (typeof c.name !== 'string' || c.name === '') problems.push(`${cat}.name: expected a non-empty string`);
      if (c.role !== 'primary' && c.role !== 'optional') problems.push(`${cat}.role: expected primary or optional`);
      if (c.role === 'primary') primary++;
      for (const k of ['subscribe', 'readOnConnect']) if (typeof c[k] !== 'boolean') problems.push(`${cat}.${k}: expected true or false`);
      if (c.readEveryS !== undefined && !(typeof c.readEveryS === 'number' && c.readEveryS > 0)) problems.push(`${cat}.readEveryS: expected a positive number of seconds`);
    });
  });
  if (problems.length === 0 && primary === 0) problems.push('ble.services: at least one characteristic must have role primary (the reason the device is there)');
  return problems;
}

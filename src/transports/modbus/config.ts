import { z } from 'zod';
import { modbusModels, type ModbusModelEntry } from '../../drivers/modbus-registry.js';
import { modbusDeviceDefaults as D, type ModbusBusOptions, type ModbusDeviceOptions, type ModbusLinkSpec } from './types.js';
import { rule } from '../../core/config-rules.js';

/**
 * Config fragments for Modbus buses, for the lead to mount in src/config/schema.ts. Strict objects
 * (an unknown key is an error), every default visible in the schema, units in the key names.
 *
 *   modbus:
 *     - id: rs485-hall
 *       rtu: { path: /dev/serial/by-id/usb-FTDI_..., baudRate: 9600 }
 *       devices:
 *         - { id: gas-kitchen, model: gas-detector-4000x, unitId: 1 }
 *         - { id: co-boiler, model: gas-module-6000h, unitId: 2, pollIntervalMs: 5000 }
 */

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ms = (def: number, what: string) => z.number().int().positive().default(def).describe(`${what}, milliseconds (default ${def})`);

/** The models a catalogue offers (src/drivers/catalogue.ts), each with its register map. */
type Models = Readonly<Record<string, ModbusModelEntry>>;

export const modbusDeviceConfigSchema = (models: Models) => z.strictObject({
  id: z.string().regex(ID, rule('ANJU_CFG_DEVICE_ID')).describe('Stable device id, used in events and topics'),
  model: z.enum(Object.keys(models) as [string, ...string[]]).describe('Modbus device model: a folder under devices/ (or the local profile folder, device_profiles.local_dir) with transport modbus'),
  unitId: z.number().int().min(0).max(255).optional().describe("Unit id (slave address); RTU 1-247. Default: the model's profile (usually 1)"),
  pollIntervalMs: ms(D.pollIntervalMs, 'Read the device this often'),
  timeoutMs: ms(D.timeoutMs, 'Wait this long for each answer; a dead unit holds the bus this long per try, so keep it short'),
  retries: z.number().int().min(0).max(5).default(D.retries).describe(`Ask again this many times before the poll counts as failed (default ${D.retries})`),
  retryBackoffMs: ms(D.retryBackoffMs, 'First retry after this, doubling per retry; other devices use the bus meanwhile'),
  maxBackoffMs: ms(D.maxBackoffMs, 'A unit that does not answer is polled less and less often, but at least this often'),
});

const RtuSchema = z.strictObject({
  path: z.string().min(1).describe('Serial port of the RS-485 adapter; prefer /dev/serial/by-id/... so it survives re-plugging'),
  baudRate: z.number().int().positive().optional().describe("Line speed; default: the first device's profile (9600 for the shipped gas detectors). All units on a bus must use the same"),
  parity: z.enum(['none', 'even', 'odd']).optional().describe("Default: the first device's profile. Modbus asks for even parity by default; many detectors ship with none"),
  dataBits: z.union([z.literal(7), z.literal(8)]).optional().describe('Default 8 (RTU needs 8)'),
  stopBits: z.union([z.literal(1), z.literal(2)]).optional().describe("Default: the first device's profile. 2 stop bits when parity is none, per the standard, if the devices use that"),
});

const TcpSchema = z.strictObject({
  host: z.string().min(1).describe('Address of the Modbus TCP device or RS-485 gateway'),
  port: z.number().int().min(1).max(65_535).default(502).describe('Default 502'),
  connectTimeoutMs: ms(3000, 'Give up one connection attempt after'),
});

export const modbusBusConfigSchema = (models: Models) => z.strictObject({
  id: z.string().regex(ID, rule('ANJU_CFG_BUS_ID')).describe('Bus id, for logs and status'),
  rtu: RtuSchema.optional().describe('An RS-485 line through a serial adapter'),
  tcp: TcpSchema.optional().describe('A Modbus TCP connection (a device, or a gateway to an RS-485 line)'),
  reopenMs: ms(1000, 'Retry opening a lost port or connection this often'),
  devices: z.array(modbusDeviceConfigSchema(models)).min(1).describe('Devices on this bus, each with its own unit id'),
}).superRefine((b, ctx) => {
  if ((b.rtu === undefined) === (b.tcp === undefined)) ctx.addIssue({ code: 'custom', path: ['rtu'], ...rule('ANJU_CFG_MODBUS_LINK') });
  const seen = new Map<number, string>();
  b.devices.forEach((d, i) => {
    const unit = d.unitId ?? models[d.model]!.profile.defaultUnitId;
    const other = seen.get(unit);
    if (other) ctx.addIssue({ code: 'custom', path: ['devices', i, 'unitId'], ...rule('ANJU_CFG_MODBUS_UNIT_TAKEN', { unit, other }) });
    seen.set(unit, d.id);
    if (b.rtu && (unit < 1 || unit > 247)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'unitId'], ...rule('ANJU_CFG_MODBUS_RTU_UNIT', { unit }) });
  });
});

/** The shipped models' schemas (a local profile folder adds models: modbusBusConfigSchema(modbusModelsOf(catalogue))). */
export const ModbusDeviceConfigSchema = modbusDeviceConfigSchema(modbusModels);
export const ModbusBusConfigSchema = modbusBusConfigSchema(modbusModels);

export type ModbusDeviceConfig = z.output<typeof ModbusDeviceConfigSchema>;
export type ModbusBusConfig = z.output<typeof ModbusBusConfigSchema>;

/** A validated device entry as the bus wants it: the model resolved to its profile. */
export function modbusDeviceOptions(d: ModbusDeviceConfig, models: Models = modbusModels): ModbusDeviceOptions {
  const profile = models[d.model]!.profile; // the schema checked the model against the same catalogue
  return {
    id: d.id, model: d.model, unitId: d.unitId ?? profile.defaultUnitId, profile,
    pollIntervalMs: d.pollIntervalMs, timeoutMs: d.timeoutMs, retries: d.retries, retryBackoffMs: d.retryBackoffMs, maxBackoffMs: d.maxBackoffMs,
  };
}

/** The link of a validated bus entry; serial settings not given come from the first device's profile. */
export function modbusLinkSpec(b: ModbusBusConfig, models: Models = modbusModels): ModbusLinkSpec {
  if (b.tcp) return { kind: 'tcp', host: b.tcp.host, port: b.tcp.port, connectTimeoutMs: b.tcp.connectTimeoutMs };
  const first = models[b.devices[0]!.model]!.profile.serial;
  const r = b.rtu!;
  return { kind: 'rtu', path: r.path, baudRate: r.baudRate ?? first.baudRate, parity: r.parity ?? first.parity, dataBits: r.dataBits ?? first.dataBits, stopBits: r.stopBits ?? first.stopBits };
}

/** Everything createModbusBus needs from a validated bus entry, except the callbacks and logger. */
export function modbusBusOptions(b: ModbusBusConfig, models: Models = modbusModels): Pick<ModbusBusOptions, 'id' | 'link' | 'devices' | 'reopenMs'> {
  return { id: b.id, link: modbusLinkSpec(b, models), devices: b.devices.map((d) => modbusDeviceOptions(d, models)), reopenMs: b.reopenMs };
}

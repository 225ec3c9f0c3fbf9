/** The Modbus config fragments the lead mounts in the config schema. */
import { describe, expect, it } from 'vitest';
import { ModbusBusConfigSchema, modbusBusOptions } from '../../../src/transports/modbus/index.js';

const issues = (input: unknown) => {
  const r = ModbusBusConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('modbus config', () => {
  it('fills defaults from the schema and the model profiles', () => {
    const cfg = ModbusBusConfigSchema.parse({
      id: 'rs485-hall',
      rtu: { path: '/dev/serial/by-id/usb-FTDI-if00-port0' },
      devices: [{ id: 'gas-kitchen', model: 'gas-detector-4000x' }, { id: 'co-boiler', model: 'gas-module-6000h', unitId: 2, pollIntervalMs: 5000 }],
    });
    const o = modbusBusOptions(cfg);
    expect(o.link).toEqual({ kind: 'rtu', path: '/dev/serial/by-id/usb-FTDI-if00-port0', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 });
    expect(o.reopenMs).toBe(1000);
    expect(o.devices.map(({ id, unitId, pollIntervalMs, timeoutMs, retries }) => ({ id, unitId, pollIntervalMs, timeoutMs, retries }))).toEqual([
      { id: 'gas-kitchen', unitId: 1, pollIntervalMs: 2000, timeoutMs: 500, retries: 2 },
      { id: 'co-boiler', unitId: 2, pollIntervalMs: 5000, timeoutMs: 500, retries: 2 },
    ]);
    expect(o.devices[1]!.profile.model).toBe('gas-module-6000h');
  });

  it('takes a TCP connection instead', () => {
    const o = modbusBusOptions(ModbusBusConfigSchema.parse({ id: 'gw', tcp: { host: '192.168.1.50' }, devices: [{ id: 'd', model: 'modbus-generic', unitId: 255 }] }));
    expect(o.link).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 502, connectTimeoutMs: 3000 });
  });

  it('names the key of each mistake', () => {
    expect(issues({ id: 'b', rtu: { path: '/dev/x' }, tcp: { host: 'h' }, devices: [{ id: 'd', model: 'modbus-generic' }] })).toEqual(['rtu: give exactly one of rtu or tcp']);
    expect(issues({ id: 'b', rtu: { path: '/dev/x' }, devices: [{ id: 'a', model: 'gas-detector-4000x' }, { id: 'b', model: 'gas-module-6000h' }] })).toEqual([
      'devices.1.unitId: unit id 1 is already used by a on this bus (two devices cannot share an address)',
    ]);
    expect(issues({ id: 'b', rtu: { path: '/dev/x' }, devices: [{ id: 'a', model: 'gas-detector-4000x', unitId: 250 }] })).toEqual(['devices.0.unitId: unit id 250: RTU addresses are 1-247']);
    expect(issues({ id: 'b', rtu: { path: '/dev/x' }, devices: [{ id: 'a', model: 'no-such-model' }] })[0]).toMatch(/^devices\.0\.model: /);
    expect(issues({ id: 'b', rtu: { path: '/dev/x' }, devices: [{ id: 'a', model: 'modbus-generic', timeoutMS: 100 }] })[0]).toMatch(/^devices\.0: .*timeoutMS/);
  });
});

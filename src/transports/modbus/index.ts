/**
 * Modbus transport: RTU over an RS-485 adapter, and Modbus TCP, through modbus-serial. The daemon
 * builds one bus per line or connection with createModbusBus, from the config fragments in
 * config.ts; measurements come out already decoded by each device's profile.
 */
export { createModbusBus, MODBUS_CLEAR_AFTER_GOOD_POLLS } from './modbus-bus.js';
export {
  modbusDeviceDefaults,
  type ModbusBus,
  type ModbusBusOptions,
  type ModbusBusStats,
  type ModbusDeviceOptions,
  type ModbusDeviceStats,
  type ModbusFault,
  type ModbusLinkSpec,
} from './types.js';
export {
  ModbusBusConfigSchema,
  ModbusDeviceConfigSchema,
  modbusBusOptions,
  modbusDeviceOptions,
  modbusLinkSpec,
  type ModbusBusConfig,
  type ModbusDeviceConfig,
} from './config.js';
export type { ModbusLink, ReadRequest, ReadResult, ReadFailure, FailureKind } from './modbus-link.js';
export { createFakeModbusLink, type FakeModbusLink, type FakeUnit } from './fake-link.js';

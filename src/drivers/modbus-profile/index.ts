/**
 * Modbus register profiles: a device's register map as data (devices/<model>/profile.json) and a
 * pure decoder from register words to measurements. The bus transport (src/transports/modbus/)
 * reads the blocks `planReads` asks for and hands the words to `decodeModbusProfile`.
 */
export { decodeModbusProfile } from './decode.js';
export { planReads, MAX_REGISTERS_PER_READ, type ReadBlock, type RegisterRead } from './read-plan.js';
export {
  ModbusProfileSchema,
  parseModbusProfile,
  loadModbusProfile,
  registerWidth,
  type ModbusProfile,
  type ModbusPoint,
  type ModbusOutput,
  type ProfileParseResult,
  type RegisterType,
} from './profile-schema.js';

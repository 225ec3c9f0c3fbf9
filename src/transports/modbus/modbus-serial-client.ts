import M from 'modbus-serial';

/**
 * modbus-serial is CommonJS: `module.exports` is the ModbusRTU class, and it also sets
 * `module.exports.default` to itself. Its typings declare `export default ModbusRTU`, which
 * TypeScript under NodeNext reads as "the module object has a property `default`". So the default
 * import is the class at run time but the module object to the type checker; `M.default` is the
 * class to both.
 */
export const ModbusRTU = M.default;
export type ModbusRTUClient = InstanceType<typeof ModbusRTU>;

/**
 * Error catalogue (fastify lib/errors.js style): stable codes the logs, status and the cloud can
 * match on, a message, and the cause. Errors are values at boundaries; we throw only for
 * programmer errors and invalid configuration at start-up.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'ANJU_ERR_CONFIG_INVALID',
  CONFIG_UNREADABLE: 'ANJU_ERR_CONFIG_UNREADABLE',
  /** The control socket's path holds something other than a socket (never removed), or it cannot listen. */
  CONTROL_SOCKET: 'ANJU_ERR_CONTROL_SOCKET',
  STORE_OPEN: 'ANJU_ERR_STORE_OPEN',
  /**
   * The database was written by a newer anjud whose schema this one cannot read and write (a
   * downgrade across a schema change, src/store/database.ts): refused before anything changed.
   */
  STORE_SCHEMA: 'ANJU_ERR_STORE_SCHEMA',
  STORE_WRITE: 'ANJU_ERR_STORE_WRITE',
  SERIAL_OPEN: 'ANJU_ERR_SERIAL_OPEN',
  SERIAL_LOST: 'ANJU_ERR_SERIAL_LOST',
  INGEST_FAILED: 'ANJU_ERR_INGEST_FAILED',
  /** A reading outside its metric's plausible range (src/core/plausibility.ts): dropped and counted. */
  IMPLAUSIBLE: 'ANJU_ERR_IMPLAUSIBLE',
  UPLINK_PUBLISH: 'ANJU_ERR_UPLINK_PUBLISH',
  UPLINK_CONNECT: 'ANJU_ERR_UPLINK_CONNECT',
  /** A message from the cloud over its size limit (src/uplink/contract.ts): dropped before parsing. */
  UPLINK_OVERSIZED: 'ANJU_ERR_UPLINK_OVERSIZED',
  DEVICE_MODEL_UNKNOWN: 'ANJU_ERR_DEVICE_MODEL_UNKNOWN',
  // BLE (src/transports/ble/): a link's problem carries one of these; they are logged and in status.
  /** The D-Bus system bus cannot be reached. */
  BLE_BUS_UNAVAILABLE: 'ANJU_ERR_BLE_BUS_UNAVAILABLE',
  /** BLE: bluetoothd (org.bluez) is not on the bus. */
  BLE_BLUEZ_UNAVAILABLE: 'ANJU_ERR_BLE_BLUEZ_UNAVAILABLE',
  BLE_ADAPTER_MISSING: 'ANJU_ERR_BLE_ADAPTER_MISSING',
  BLE_ADAPTER_OFF: 'ANJU_ERR_BLE_ADAPTER_OFF',
  /** BLE: BlueZ does not know the device and a discovery did not find it. */
  BLE_DEVICE_NOT_FOUND: 'ANJU_ERR_BLE_DEVICE_NOT_FOUND',
  BLE_CONNECT: 'ANJU_ERR_BLE_CONNECT',
  /** BLE: services or characteristics missing, or subscribing / reading failed. */
  BLE_GATT: 'ANJU_ERR_BLE_GATT',
  BLE_TIMEOUT: 'ANJU_ERR_BLE_TIMEOUT',
  /** BLE: an established link went down (out of range, adapter removed or powered off). */
  BLE_LOST: 'ANJU_ERR_BLE_LOST',
  /** BLE: a characteristic value that does not decode (counted, never thrown). */
  BLE_MALFORMED: 'ANJU_ERR_BLE_MALFORMED',
  // Modbus (src/transports/modbus/): a device fault carries one of these; the bus logs OPEN/LOST.
  MODBUS_OPEN: 'ANJU_ERR_MODBUS_OPEN',
  MODBUS_LOST: 'ANJU_ERR_MODBUS_LOST',
  /** The bus (serial port or TCP connection) is not open, so the device cannot be asked. */
  MODBUS_LINK_DOWN: 'ANJU_ERR_MODBUS_LINK_DOWN',
  /** No answer within the device's timeout, after every retry. */
  MODBUS_TIMEOUT: 'ANJU_ERR_MODBUS_TIMEOUT',
  /** Only answers with a wrong CRC-16 came back (noise, termination, a second master). */
  MODBUS_CRC: 'ANJU_ERR_MODBUS_CRC',
  /** An answer with a valid CRC that does not fit the request (length, unit id, function). */
  MODBUS_BAD_RESPONSE: 'ANJU_ERR_MODBUS_BAD_RESPONSE',
  // Exception responses, by the code of the Modbus Application Protocol v1.1b3, section 7.
  MODBUS_EXCEPTION_01: 'ANJU_ERR_MODBUS_EXCEPTION_01',
  MODBUS_EXCEPTION_02: 'ANJU_ERR_MODBUS_EXCEPTION_02',
  MODBUS_EXCEPTION_03: 'ANJU_ERR_MODBUS_EXCEPTION_03',
  MODBUS_EXCEPTION_04: 'ANJU_ERR_MODBUS_EXCEPTION_04',
  MODBUS_EXCEPTION_05: 'ANJU_ERR_MODBUS_EXCEPTION_05',
  MODBUS_EXCEPTION_06: 'ANJU_ERR_MODBUS_EXCEPTION_06',
  MODBUS_EXCEPTION_07: 'ANJU_ERR_MODBUS_EXCEPTION_07',
  MODBUS_EXCEPTION_08: 'ANJU_ERR_MODBUS_EXCEPTION_08',
  MODBUS_EXCEPTION_0A: 'ANJU_ERR_MODBUS_EXCEPTION_0A',
  MODBUS_EXCEPTION_0B: 'ANJU_ERR_MODBUS_EXCEPTION_0B',
  /** An exception code the specification does not define (09, 0C and up). */
  MODBUS_EXCEPTION_OTHER: 'ANJU_ERR_MODBUS_EXCEPTION_OTHER',
  // Zigbee through zigbee-herdsman (src/transports/zigbee/): in status and logs, never thrown after start.
  /** The coordinator stick did not start (missing, wrong adapter type, busy port, firmware). Retried. */
  ZIGBEE_ADAPTER_UNAVAILABLE: 'ANJU_ERR_ZIGBEE_ADAPTER_UNAVAILABLE',
  /** A running coordinator went away (unplugged, firmware crash). Retried. */
  ZIGBEE_ADAPTER_LOST: 'ANJU_ERR_ZIGBEE_ADAPTER_LOST',
  /** The Zigbee state directory (network settings, device database) cannot be read or written. */
  ZIGBEE_STATE: 'ANJU_ERR_ZIGBEE_STATE',
  /** Configured network settings differ from the persisted network's; the persisted ones are kept. */
  ZIGBEE_SETTINGS_CONFLICT: 'ANJU_ERR_ZIGBEE_SETTINGS_CONFLICT',
  /** A message from a configured device that does not decode (counted, never thrown). */
  ZIGBEE_MALFORMED: 'ANJU_ERR_ZIGBEE_MALFORMED',
  /** IAS enrolment or reporting configuration of a device failed (retried at its next announce). */
  ZIGBEE_CONFIGURE: 'ANJU_ERR_ZIGBEE_CONFIGURE',
  /** A request (permit join) while the coordinator is not running. */
  ZIGBEE_NOT_RUNNING: 'ANJU_ERR_ZIGBEE_NOT_RUNNING',
  // Zigbee2MQTT source (src/transports/zigbee2mqtt/).
  /** The local broker cannot be reached or refused us. Retried. */
  Z2M_CONNECT: 'ANJU_ERR_Z2M_CONNECT',
  /** A Zigbee2MQTT payload that is not JSON, not an object, or has a value of the wrong type. */
  Z2M_MALFORMED: 'ANJU_ERR_Z2M_MALFORMED',
  /** A Zigbee2MQTT message over the size limit (Z2M_MAX_PAYLOAD_BYTES): dropped before parsing. */
  Z2M_OVERSIZED: 'ANJU_ERR_Z2M_OVERSIZED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class AnjuError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnjuError';
    this.code = code;
  }
}

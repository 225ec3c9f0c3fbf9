/**
 * Zigbee transport: our own coordinator through zigbee-herdsman, in process. The daemon builds it
 * with createZigbeeNetwork from ZigbeeSettingsSchema (zigbeeNetworkSettings) and the devices that
 * have `zigbee:`; the CLI calls permitJoin(seconds).
 */
export { createZigbeeNetwork, type ZigbeeNetwork, type ZigbeeNetworkOptions } from './zigbee-network.js';
export { ZigbeeSettingsSchema, ZigbeeDeviceFields, ZigbeeDeviceConfigSchema, ZigbeeAddressSchema, checkZigbeeDeviceSource, zigbeeNetworkSettings, type ZigbeeSettings, type ZigbeeDeviceConfig } from './config.js';
export { DEFAULT_ZIGBEE_TIMING, type ZigbeeTiming, type ZigbeeNetworkStats, type ZigbeeDeviceStats, type ZigbeeNetworkState, type PermitJoinResult } from './types.js';
export type { ZigbeeControllerFactory, ZigbeeControllerPort, ZigbeeControllerEvents, ZigbeeControllerSpec, ZigbeePortMessage, ZigbeeReportingSpec } from './controller-port.js';
export { zigbeeSupervisionClass, zigbeeModelsOf } from '../../drivers/zigbee-registry.js';

/** BLE transport: BlueZ over D-Bus through node-ble. The daemon needs only what is exported here. */
export { createBleManager, type BleManager, type BleManagerOptions } from './ble-manager.js';
export { BleSchema, BleDeviceFields, BleDeviceConfigSchema, BleSettingsSchema, bleTimingFromSettings, type BleDeviceConfig, type BleSettings } from './config.js';
export { DEFAULT_BLE_TIMING, type BleTiming, type BleLinkStats, type BleManagerStats, type BleAdapterState, type BleProblem, type BleLinkState, type BleDeviceOptions, type OnMeasurements } from './types.js';

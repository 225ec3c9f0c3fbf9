/**
 * Zigbee2MQTT source: for homes that already run Zigbee2MQTT, Zigbee sensors are read from its
 * MQTT topics instead of through our own coordinator. The daemon builds it with
 * createZigbee2MqttSource from Zigbee2MqttSettingsSchema and the devices that have `z2m:`.
 */
export { createZigbee2MqttSource, type Zigbee2MqttSource, type Zigbee2MqttSourceOptions, type Zigbee2MqttStats, type Zigbee2MqttDeviceStats, type Zigbee2MqttDeviceOptions, type Zigbee2MqttState } from './z2m-source.js';
export { Zigbee2MqttSettingsSchema, Zigbee2MqttDeviceSchema, type Zigbee2MqttSettings } from './config.js';
export { Z2M_KEYS, mapZ2mState, parseZ2mAvailability, newZ2mDeviceMemory, type Z2mDeviceMemory } from './payload-map.js';

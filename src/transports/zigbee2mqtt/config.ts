import { z } from 'zod';
import { brokerUrl } from '../../config/broker-url-schema.js';
import { rule } from '../../core/config-rules.js';

/**
 * Config fragments for the Zigbee2MQTT source, for src/config/schema.ts to compose (strict objects).
 *
 *   zigbee2mqtt:                       # Zigbee2MqttSettingsSchema (optional top-level section)
 *     url: mqtt://127.0.0.1:1883
 *     base_topic: zigbee2mqtt
 *   devices:
 *     - { id: smoke-hall, model: heiman-hs1sa, room: hall, z2m: { friendly_name: hall/smoke } }
 *
 * Device entries use the Zigbee models (src/drivers/zigbee-registry.ts) for their supervision class,
 * with `z2m:` instead of `zigbee:`; see ZigbeeDeviceFields in src/transports/zigbee/config.ts.
 */

export const Zigbee2MqttSettingsSchema = z.strictObject({
  url: brokerUrl('mqtt://127.0.0.1:1883').default('mqtt://127.0.0.1:1883')
    .describe("URL of the broker Zigbee2MQTT publishes to (usually the hub's own Mosquitto); default mqtt://127.0.0.1:1883"),
  base_topic: z.string().min(1).regex(/^[^#+]+$/, rule('ANJU_CFG_MQTT_WILDCARD')).refine((s) => !s.endsWith('/'), rule('ANJU_CFG_TRAILING_SLASH')).default('zigbee2mqtt')
    .describe("Zigbee2MQTT's mqtt.base_topic; default zigbee2mqtt"),
  username: z.string().min(1).optional().describe('Broker user name, if the broker requires one'),
  password_file: z.string().min(1).optional()
    .describe('File holding the broker password (first line); kept out of the config so the config can be shared'),
  battery_interval_min: z.number().positive().default(60)
    .describe("Pass `battery` on at most this often, minutes (default 60). It is also each battery device's sign of life for device-supervision, so keep it well below the smallest silence_timeout_s of the Zigbee classes (4 h)"),
  reconnect_s: z.number().positive().default(5).describe('Retry a lost broker connection this often, seconds (default 5)'),
});

export type Zigbee2MqttSettings = z.output<typeof Zigbee2MqttSettingsSchema>;

/** A Zigbee2MQTT friendly name as used in topics; MQTT wildcards and Z2M's own sub-topics are refused. */
export const Zigbee2MqttDeviceSchema = z.strictObject({
  friendly_name: z.string().min(1)
    .regex(/^[^#+]+$/, rule('ANJU_CFG_MQTT_WILDCARD'))
    .refine((s) => !s.startsWith('/') && !s.endsWith('/'), rule('ANJU_CFG_EDGE_SLASH'))
    .refine((s) => !/\/(availability|set|get)$/.test(s) && !/^bridge(\/|$)/.test(s), rule('ANJU_CFG_Z2M_SUBTOPIC'))
    .describe("The device's friendly_name in Zigbee2MQTT (its topic is <base_topic>/<friendly_name>)"),
});

import { z } from 'zod';

/**
 * The messages of the contract that describe the home (issue 16, point 6), written once in zod:
 * the daemon's types come from here (z.infer), docs/schema/<name>.v1.json is generated from here
 * (z.toJSONSchema, src/uplink/contract-docs.ts), and so is their part of docs/asyncapi.yaml.
 * Objects are loose (additionalProperties true) like every v1 message: a new optional field is a
 * compatible change, so consumers must accept fields they do not know.
 */
const hubId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).describe('Hub id (config hub.id); same as <hubId> in the topic.');
const deviceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const epochMs = z.number().int().min(0);

const metric = z.looseObject({
  name: z.string().min(1).describe('Metric name as in readings and telemetry (its unit is often in the name: breathRatePerMin, distanceCm).'),
  type: z.string().min(1).describe('number, boolean or enum (devices/<model>/profile.json).'),
  unit: z.string().nullable().describe('Unit of a number (bpm, %, cm, ...), null when it has none.'),
  meaning: z.string().nullable().describe('What it measures, in English, from the model profile; null when the profile says nothing.'),
});

const inventoryDevice = z.looseObject({
  id: deviceId.describe('Device id (config devices[].id); the device of events and telemetry.'),
  model: z.string().min(1).describe('Model: a folder under devices/ (or the hub\'s local profile folder).'),
  vendor: z.string().nullable().describe('Vendor from the model profile, null when it names none.'),
  model_name: z.string().nullable().describe('Human-readable model name from the profile, null when it names none.'),
  room: z.string().min(1).describe('Room (config devices[].room).'),
  name: z.string().nullable().describe('The installer\'s name for the device (config devices[].name), null when not set. May be personal data (docs/privacy.md).'),
  transport: z.enum(['serial', 'ble', 'modbus', 'zigbee', 'z2m']).describe('How the hub reaches it: serial line, Bluetooth LE, Modbus bus, its own Zigbee coordinator, or Zigbee2MQTT.'),
  bus: z.string().optional().describe('Modbus devices only: the bus id (config modbus[].id).'),
  roles: z.array(z.string()).describe('What the model is for, from its profile: bed-monitor (its nights make sleep reports), oximeter (paired with the bed monitor of its room), sos-button (an emergency button: raises alarm.sos); empty for most. New values may be added.'),
  supervision_class: z.string().min(1).describe('Device-supervision class (radar, smoke, wearable, ...): how long a silence makes it device.offline (docs/detectors.md).'),
  silence_timeout_s: z.number().int().min(0).describe('Seconds of silence before device.offline for this device; 0: not supervised.'),
  metrics: z.array(metric).describe('What it measures, from its model profile, in profile order.'),
});

export const inventoryMessage = z.looseObject({
  v: z.literal(1).describe('Contract version; equals the v1 in the topic.'),
  hub: hubId,
  ts: epochMs.describe('When the hub built this inventory, ms since the Unix epoch.'),
  version: z.string().describe('anjud version.'),
  config_hash: z.string().describe('Hash of the config file in force (as in the birth message and get-config).'),
  timezone: z.string().nullable().describe('IANA time zone of the home (config hub.timezone), null when not set.'),
  devices: z.array(inventoryDevice).describe('Every configured device, in config order (serial/BLE/Zigbee devices, then Modbus buses\' devices).'),
}).describe('Payload of anju/v1/<hubId>/inventory (hub -> cloud, QoS 1, retained): the home as the hub runs it, published at every connection and whenever the config changes (a device added or removed on site or by set-config). Like Zigbee2MQTT\'s bridge/devices. Generated from src/uplink/contract-schemas.ts; explained in docs/uplink.md section 7a. hub.name (in practice the resident\'s name or address) is deliberately not in it.');

export const availabilityMessage = z.looseObject({
  v: z.literal(1).describe('Contract version.'),
  hub: hubId,
  device: deviceId.describe('Device id; same as <deviceId> in the topic.'),
  state: z.enum(['online', 'offline']).describe('online: the device delivers readings; offline: device supervision holds it silent for longer than its class allows (device.offline raised), or Zigbee2MQTT says it is gone.'),
  ts: epochMs.describe('When the hub saw the change, ms since the Unix epoch.'),
}).describe('Payload of anju/v1/<hubId>/devices/<deviceId>/availability (hub -> cloud, QoS 1, retained), like Zigbee2MQTT\'s <device>/availability: published when a device is first heard after the hub started, when device.offline is raised or cleared, and again at every connection. An empty retained payload clears it: the device was removed from the config. The durable record remains the device.offline event. Generated from src/uplink/contract-schemas.ts; docs/uplink.md section 7b.');

export type InventoryMessage = z.infer<typeof inventoryMessage>;
export type InventoryDevice = z.infer<typeof inventoryDevice>;
export type AvailabilityMessage = z.infer<typeof availabilityMessage>;

/** get-config's reply (command-response.v1.json $defs/data.get-config). */
export const getConfigReply = z.looseObject({
  yaml: z.string().describe('The config file in force, with secrets replaced by "[redacted]" (uplink.password, credentials in URLs, zigbee2mqtt.password); comments and layout kept.'),
  hash: z.string().describe('Hash of the config file in force (not of the redacted text): send it back as set-config\'s base_hash.'),
  redacted: z.array(z.string()).describe('Key paths whose values were replaced. A set-config that keeps "[redacted]" at one of them keeps the hub\'s value.'),
});

const interval = z.tuple([epochMs, epochMs]);
const point = z.tuple([epochMs, z.number()]);

/** report-night's reply (command-response.v1.json $defs/data.report-night); built by src/report/night-series.ts. */
export const reportNightReply = z.looseObject({
  report: z.looseObject({
    report_seq: z.number().int().min(1),
    ts: epochMs,
    device: deviceId.nullable(),
    data: z.looseObject({}).describe('The report.sleep data as on the reports topic (report.v1.json $defs/report.sleep.info).'),
  }).describe('The night\'s stored report.sleep.'),
  night: z.looseObject({
    v: z.literal(1),
    device: deviceId.nullable(),
    reportSeq: z.number().int().min(1),
    fromTs: epochMs.describe('The chart\'s window: the night\'s start minus 15 min ...'),
    toTs: epochMs.describe('... to its end plus 15 min.'),
    startTs: epochMs,
    endTs: epochMs,
    bucketMs: z.number().int().min(1000).describe('Each series point is the mean of its readings in one bucket this long (at most 720 points a series).'),
    series: z.looseObject({
      breathRatePerMin: z.array(point).max(720),
      heartRateBpm: z.array(point).max(720),
      spo2Percent: z.array(point).max(720),
    }).describe('Per metric, [ts of the bucket\'s middle, mean] in time order; empty when the hub has no such readings of the night (no oximeter, or older than store.readings_retention_h).'),
    bands: z.looseObject({ inBed: z.array(interval), asleep: z.array(interval) }).describe('[from, to] intervals in bed and asleep (the radar\'s bed and sleep states).'),
    marks: z.array(z.looseObject({
      ts: epochMs.describe('When it began.'),
      kind: z.enum(['apnea', 'desaturation', 'alarm']),
      type: z.string().describe('The event type (event.apnea, event.desaturation, alarm.*).'),
      durationS: z.number().nullable(),
    })).max(500).describe('Apnea events, desaturations and alarms raised in the window, in time order.'),
    marksOmitted: z.number().int().min(0).describe('Marks beyond 500 left out.'),
  }),
  timezone: z.string().nullable().describe('hub.timezone, to show the times in the home\'s local time.'),
});

/** The schema files generated from this module, by file name. */
export const GENERATED_MESSAGES: Record<string, { schema: z.ZodType; title: string; example: unknown }> = {
  'inventory.v1.json': {
    schema: inventoryMessage,
    title: 'Anju inventory message, contract version 1',
    example: {
      v: 1, hub: 'hub-0001', ts: 1796021519000, version: '0.1.0', config_hash: '5f1c2a9e0b7d4c33', timezone: 'Asia/Shanghai',
      devices: [{
        id: 'bedroom-radar', model: 'seeed-mr60bha1', vendor: 'Seeed Studio', model_name: 'MR60BHA1 60 GHz mmWave breathing and heart-rate radar', room: 'bedroom', name: null,
        transport: 'serial', roles: ['bed-monitor'], supervision_class: 'radar', silence_timeout_s: 120,
        metrics: [{ name: 'presence', type: 'boolean', unit: null, meaning: 'someone is in the radar\'s field' }, { name: 'breathRatePerMin', type: 'number', unit: 'breaths/min', meaning: 'breathing rate' }],
      }],
    },
  },
  'availability.v1.json': {
    schema: availabilityMessage,
    title: 'Anju device availability message, contract version 1',
    example: { v: 1, hub: 'hub-0001', device: 'bedroom-radar', state: 'online', ts: 1796021520000 },
  },
};

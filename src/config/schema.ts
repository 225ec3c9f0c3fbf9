import { z } from 'zod';
import { EscalationSchema } from '../escalation/policy-schema.js';
import { SosSettingsSchema } from '../detectors/settings/sos.js';
import { DEFAULT_LOCAL_DIR, deviceCatalogue, type Catalogue } from '../drivers/catalogue.js';
import { modbusModelsOf } from '../drivers/modbus-registry.js';
import { linked } from './devices.js';
import { bleDeviceFields, BleSettingsSchema } from '../transports/ble/config.js';
import { modbusBusConfigSchema, modbusDeviceConfigSchema } from '../transports/modbus/config.js';
import { zigbeeDeviceFields, ZigbeeSettingsSchema, checkZigbeeDeviceSource } from '../transports/zigbee/config.js';
import { Zigbee2MqttSettingsSchema } from '../transports/zigbee2mqtt/config.js';
import { modemSettingsSchema } from '../transports/modem/config.js';
import { breathingRateDefaults as br } from '../detectors/breathing-rate.js';
import { ApneaSettingsSchema } from '../detectors/settings/apnea.js';
import { HeartRateSettingsSchema } from '../detectors/settings/heart-rate.js';
import { VitalSignsLostSettingsSchema } from '../detectors/settings/vital-signs-lost.js';
import { Spo2SettingsSchema } from '../detectors/settings/spo2.js';
import { FireGasSettingsSchema } from '../detectors/settings/fire-gas.js';
import { AbsenceSettingsSchema } from '../detectors/settings/absence.js';
import { InactivitySettingsSchema } from '../detectors/settings/inactivity.js';
import { NightWanderingSettingsSchema } from '../detectors/settings/night-wandering.js';
import { SleepReportSettingsSchema } from '../detectors/settings/sleep-report.js';
import { DeviceSupervisionSettingsSchema } from '../detectors/settings/device-supervision.js';
import { localTimeShape } from '../detectors/settings/local-time.js';
import { brokerUrl } from './broker-url-schema.js';
import { parseBrokerUrl } from '../core/broker-url.js';
import { rule } from '../core/config-rules.js';

/**
 * The one source of truth for the configuration: types, defaults, validation and the JSON Schema
 * for editors (config/anju.schema.json, generated at build). Every object is strict: an unknown
 * key is an error, because a misspelt threshold silently left at its default can cost a life.
 * Documented key by key in config/anju.example.yaml.
 */

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const idString = (code: 'ANJU_CFG_HUB_ID' | 'ANJU_CFG_DEVICE_ID') => z.string().regex(ID_PATTERN, rule(code));

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);

const SerialSchema = z.strictObject({
  path: z.string().min(1).describe('Serial port path; prefer /dev/serial/by-id/... so it survives re-plugging'),
  baudRate: z.number().int().positive().optional().describe("Line speed; default: the model's profile (115200 for the MR60BHA1)"),
});

/** What every device has, whatever its transport. */
const deviceCommon = {
  id: idString('ANJU_CFG_DEVICE_ID').describe('Stable device id, used in events and topics'),
  room: z.string().min(1).describe('Room the device is in, e.g. bedroom'),
  name: z.string().optional().describe('Human-friendly name'),
};

const names = (c: Catalogue, t: Parameters<Catalogue['models']>[0]) => c.models(t) as [string, ...string[]];
/** The modem models; the catalogue always ships some (devices/quectel-ec2x, simcom-sim7600). */
const modemModelsOf = (cat: Catalogue) => cat.models('modem');

/** A Modbus device also says which room it is in, like every other device. */
const modbusBusWithRoomsSchema = (c: Catalogue) => {
  const models = modbusModelsOf(c);
  return modbusBusConfigSchema(models).safeExtend({
    devices: z.array(modbusDeviceConfigSchema(models).safeExtend(deviceCommon)).min(1).describe('Devices on this bus, each with its own unit id'),
  });
};

/**
 * A device entry: its `model`, through the device catalogue (src/drivers/catalogue.ts), decides its
 * transport block (`serial:` for the UART radars, `ble:` for Bluetooth health devices, `zigbee:` or
 * `z2m:` for Zigbee sensors), so a radar without `serial:` or a band with `serial:` is an error at
 * the right key path.
 */
const deviceSchema = (c: Catalogue) => z.discriminatedUnion('model', [
  z.strictObject({ ...deviceCommon, model: z.enum(names(c, 'serial')).describe('Device model: a folder under devices/'), serial: SerialSchema }),
  z.strictObject({ ...deviceCommon, ...bleDeviceFields(names(c, 'ble')) }),
  z.strictObject({ ...deviceCommon, ...zigbeeDeviceFields(names(c, 'zigbee')) }).superRefine(checkZigbeeDeviceSource),
]);

const TlsSchema = z.strictObject({
  ca: z.string().optional().describe('CA certificate file (PEM) that signed the broker certificate'),
  cert: z.string().optional().describe('Client certificate file (PEM) for mutual TLS'),
  key: z.string().optional().describe('Client private key file (PEM) for mutual TLS'),
  reject_unauthorized: z.boolean().default(true).describe('Verify the broker certificate; never turn off in the field'),
});

const UplinkSchema = z.strictObject({
  url: brokerUrl('mqtts://broker.example:8883').describe('Broker URL: mqtts://host:port (or mqtt://, ws://, wss://host:port/path); no user info, query or fragment'),
  insecure: z.boolean().default(false).describe('Allow plain mqtt:// or ws:// to a host other than loopback (credentials and alarms then cross the network in clear text)'),
  protocol_version: z.union([z.literal(5), z.literal(4)]).default(5).describe('MQTT 5, or 4 (3.1.1) only for brokers without MQTT 5 such as the demo\'s embedded broker'),
  client_id: z.string().min(1).optional().describe('MQTT client id; default anju-<hub.id>'),
  username: z.string().optional(),
  password: z.string().optional().describe('Prefer password_file: a secret in the config file ends up in backups and support bundles'),
  password_file: z.string().optional().describe('File whose first line is the password'),
  tls: TlsSchema.prefault({}),
  delivery: z.enum(['cloud_ack', 'puback']).default('cloud_ack').describe('When an event leaves the outbox: when the cloud acknowledges it on anju/v1/<hub>/ack (cloud_ack), or on the broker\'s PUBACK (puback)'),
  ack_timeout_s: seconds(60, 'In cloud_ack mode, resend an event the broker took but the cloud has not acknowledged after'),
  keepalive_s: seconds(30, 'MQTT keepalive'),
  connect_timeout_s: seconds(10, 'Give up one connection attempt after'),
  reconnect_min_s: seconds(1, 'First reconnect delay ceiling; doubles per failed attempt (full jitter)'),
  reconnect_max_s: seconds(120, 'Reconnect delay ceiling'),
  retry_s: seconds(10, 'Resend an event the broker refused, or has not acknowledged, after'),
  inflight_window: z.number().int().min(1).max(1000).default(16).describe('Events published and not yet acknowledged by the broker, at most'),
  heartbeat_s: seconds(60, 'Publish pipeline health on anju/v1/<hub>/heartbeat this often'),
  apply_verify_s: seconds(60, 'After a remote set-config, the new config must connect to the broker within this time, or the previous one is restored'),
  telemetry: z.strictObject({
    enabled: z.boolean().default(true).describe('Upload readings on anju/v1/<hub>/telemetry (after alarms and events)'),
    interval_s: seconds(30, 'Start uploading new readings this often (a backlog drains back to back)'),
    max_message_bytes: z.number().int().min(1024).max(256 * 1024).default(16 * 1024).describe('Upper bound of one telemetry message, bytes of JSON'),
    expiry_s: seconds(86_400, 'MQTT 5 message expiry: the broker drops telemetry nobody fetched after this'),
  }).prefault({}),
}).superRefine((u, ctx) => {
  if (u.password !== undefined && u.password_file !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['password_file'], ...rule('ANJU_CFG_PASSWORD_TWICE') });
  }
  if (u.reconnect_min_s > u.reconnect_max_s) {
    ctx.addIssue({ code: 'custom', path: ['reconnect_min_s'], ...rule('ANJU_CFG_RECONNECT_ORDER') });
  }
  // Judged on the parsed URL, the endpoint the uplink then connects to (src/core/broker-url.ts).
  const ep = parseBrokerUrl(u.url);
  if (ep.ok && !ep.endpoint.encrypted && !ep.endpoint.loopback && !u.insecure) {
    const { protocol, host } = ep.endpoint;
    ctx.addIssue({ code: 'custom', path: ['url'], ...rule('ANJU_CFG_PLAIN_BROKER', { protocol, host }) });
  }
});

const StoreSchema = z.strictObject({
  readings_flush_ms: z.number().int().min(10).default(1000).describe('Readings are committed in batches at most this often (spares SD cards); events are committed at once'),
  readings_retention_h: z.number().positive().default(72).describe('Readings older than this are deleted'),
  quota_mb: z.number().positive().default(256).describe('Database size limit: over it, readings, then what the cloud already has, then undelivered reports are evicted, oldest first; alarms and events still to be delivered never are'),
  quota_check_s: seconds(10, 'Check the quota, and the free space on the state directory\'s file system, this often'),
  reserve_mb: z.number().min(0).default(8).describe('Space kept free on the state directory\'s file system in a pre-allocated file (anju.reserve), released when a write fails for a full disk so the pending alarm, the evictions and a WAL checkpoint can still be written; MB, 0 turns it off'),
});

const BreathingRateSchema = z.strictObject({
  enabled: z.boolean().default(br.enabled),
  low_per_min: z.number().min(0).default(br.low_per_min).describe('At or below this rate is out of band (NEWS2: 8)'),
  high_per_min: z.number().positive().default(br.high_per_min).describe('At or above this rate is out of band (NEWS2: 25)'),
  sustain_s: seconds(br.sustain_s, 'Out of band this long raises the alarm'),
  clear_after_s: z.number().min(0).default(br.clear_after_s).describe('Back in band this long clears the alarm, seconds'),
  max_gap_s: seconds(br.max_gap_s, 'Rate readings further apart than this restart the sustain (and clear) timer'),
  severity: z.enum(['critical', 'warning', 'info']).default(br.severity),
}).refine((s) => s.low_per_min < s.high_per_min, { ...rule('ANJU_CFG_BREATHING_BAND'), path: ['low_per_min'] });

/**
 * Every detector's settings, under its name. Detectors with local times (curfew, windows, night)
 * take `hub.timezone` unless their own `timezone` is set.
 */
const DetectorsSchema = z.strictObject({
  breathing_rate: BreathingRateSchema.prefault({}),
  apnea: ApneaSettingsSchema.prefault({}),
  heart_rate: HeartRateSettingsSchema.prefault({}),
  vital_signs_lost: VitalSignsLostSettingsSchema.prefault({}),
  spo2: Spo2SettingsSchema.prefault({}),
  fire_gas: FireGasSettingsSchema.prefault({}),
  absence: AbsenceSettingsSchema.prefault({}),
  inactivity: InactivitySettingsSchema.prefault({}),
  night_wandering: NightWanderingSettingsSchema.prefault({}),
  sleep_report: SleepReportSettingsSchema.prefault({}),
  device_supervision: DeviceSupervisionSettingsSchema.prefault({}),
  sos: SosSettingsSchema.prefault({}).describe('The SOS button (alarm.sos): IAS personal emergency devices and Zigbee2MQTT actions'),
});

/** The config schema for the models of one catalogue (the shipped models plus a local profile folder's). */
const buildConfigSchema = (catalogue: Catalogue) => z.strictObject({
    hub: z.strictObject({
      id: idString('ANJU_CFG_HUB_ID').describe('Hub id, unique in the district; the MQTT topic prefix is anju/v1/<id>/'),
      name: z.string().optional().describe('Human-friendly name, e.g. the address'),
      timezone: localTimeShape.timezone.describe('IANA time zone of the home, e.g. Asia/Shanghai: curfews, activity windows and "night" are local times'),
    }),
    state_dir: z.string().min(1).default('/var/lib/anju').describe('Where the database lives (relative paths: from the working directory)'),
    log: z.strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    }).prefault({}),
    uplink: UplinkSchema,
    store: StoreSchema.prefault({}),
    devices: z.array(deviceSchema(catalogue)).default([]),
    device_profiles: z.strictObject({
      local_dir: z.string().min(1).nullable().default(DEFAULT_LOCAL_DIR).describe('Folder of device profiles added on site, one <model>/profile.json each (a Modbus register map, a Zigbee or BLE variant), checked exactly like the shipped devices/ folders; a missing folder adds nothing; null: shipped models only'),
    }).prefault({}).describe('Device models beyond the shipped ones (devices/README.md)'),
    ble: BleSettingsSchema.prefault({}).describe('Bluetooth (BlueZ over D-Bus) settings for the ble: devices'),
    modbus: z.array(modbusBusWithRoomsSchema(catalogue)).default([]).describe('RS-485 / Modbus TCP buses, each with the gas detectors on it'),
    zigbee: ZigbeeSettingsSchema.optional().describe('Our own Zigbee coordinator stick, for devices with zigbee: { ieee }'),
    zigbee2mqtt: Zigbee2MqttSettingsSchema.optional().describe('An existing Zigbee2MQTT on the hub, for devices with z2m: { friendly_name }'),
    modem: modemSettingsSchema(modemModelsOf(catalogue)).optional().describe('A cellular modem (4G module) on a serial port: SMS and calls when the cloud cannot be reached (src/transports/modem/README.md)'),
    control: z.strictObject({
      socket: z.string().min(1).default('/run/anju/anjud.sock').describe('Unix socket anjuctl talks to (systemd RuntimeDirectory=anju)'),
      group: z.string().min(1).default('anju').describe('Group that may use the socket (mode 0660): the technicians\' group'),
    }).prefault({}),
    remote_config: z.strictObject({
      allow_security_changes: z.boolean().default(false).describe('Let a set-config from the cloud change where secrets are read from (uplink.password_file, uplink.tls.*, zigbee2mqtt.password_file), uplink.insecure, uplink.tls.reject_unauthorized, control.group, an encrypted broker URL to plain text, or send credentials in plain text to a new host. A remote config can never change this section (src/config/remote-policy.ts)'),
    }).prefault({}).describe('Local policy for configs sent by the cloud (set-config); a remote config must leave this section as it is'),
    update: z.strictObject({
      max_mb: z.number().positive().default(200).describe('Largest over-the-air update package the hub downloads (the update command\'s size), MB; a larger one is refused (ANJU_CMD_UPDATE_TOO_LARGE). The signature and the release keys in /etc/anju decide what is installed, not this'),
    }).prefault({}).describe('Over-the-air updates (the update command, docs/uplink.md)'),
    alarms: z.strictObject({
      renotify_s: seconds(300, 'While an alarm is open and nobody acknowledged it, remind (hub.alarm_reminder) this often'),
    }).prefault({}),
    escalation: EscalationSchema.optional(),
    detectors: DetectorsSchema.prefault({}),
  }).superRefine((cfg, ctx) => {
    // The siren is one of the home's devices (a Zigbee IAS WD, through zigbee: or z2m:).
    const siren = cfg.escalation?.siren?.device;
    if (siren !== undefined && !cfg.devices.some((d) => d.id === siren)) {
      ctx.addIssue({ code: 'custom', path: ['escalation', 'siren', 'device'], ...rule('ANJU_CFG_SIREN_DEVICE', { id: siren }) });
    }
    // A Zigbee device needs the section of the way it is reached.
    cfg.devices.forEach((entry, i) => {
      const x = linked(catalogue, entry);
      if (x.link !== 'zigbee' && x.link !== 'z2m') return;
      const d = x.device;
      if (d.zigbee !== undefined && !cfg.zigbee) ctx.addIssue({ code: 'custom', path: ['devices', i, 'zigbee'], ...rule('ANJU_CFG_ZIGBEE_SECTION') });
      if (d.z2m !== undefined && !cfg.zigbee2mqtt) ctx.addIssue({ code: 'custom', path: ['devices', i, 'z2m'], ...rule('ANJU_CFG_Z2M_SECTION') });
    });
  });

/** The schema for the shipped models: the JSON Schema for editors, key hints, the types. */
export const ConfigSchema = buildConfigSchema(deviceCatalogue());

const schemas = new Map<Catalogue, typeof ConfigSchema>([[deviceCatalogue(), ConfigSchema]]);

/** The schema for a catalogue's models, built once per catalogue. */
export function configSchemaFor(catalogue: Catalogue): typeof ConfigSchema {
  let s = schemas.get(catalogue);
  if (!s) {
    s = buildConfigSchema(catalogue);
    schemas.set(catalogue, s);
  }
  return s;
}

export type Config = z.output<typeof ConfigSchema>;
export type DeviceConfig = Config['devices'][number];

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }),
    $id: 'https://anju.example/schemas/anju-config.json',
    title: 'Anju gateway configuration (anjud)',
  };
}

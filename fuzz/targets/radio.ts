import fc from 'fast-check';
import type { Measurement } from '../../src/core/reading.js';
import { decodeGattValue, gattDecoders, fullUuid } from '../../src/drivers/ble-gatt/index.js';
import { decodeZigbeeModelMessage, zigbeeModelNames } from '../../src/drivers/zigbee-registry.js';
import { ZoneStatusBit, decodeZoneStatus, isZoneStatusWord } from '../../src/drivers/zigbee-ias/zone-status.js';
import { Z2M_KEYS, mapZ2mState, newZ2mDeviceMemory, parseZ2mAvailability } from '../../src/transports/zigbee2mqtt/payload-map.js';
import { check, type FuzzTarget } from '../target.js';

const finite = (m: Measurement): boolean =>
  typeof m.metric === 'string' && (typeof m.value === 'boolean' || typeof m.value === 'string' || (typeof m.value === 'number' && Number.isFinite(m.value)));

/** Any JSON value, and the values JavaScript has beyond JSON (what a library might hand over). */
const anyValue = fc.oneof(fc.jsonValue(), fc.anything(), fc.constantFrom(NaN, Infinity, -1, 0xffff, 0x10000, 0xff, 1.5, true, false, null, undefined));

export const gatt: FuzzTarget = {
  name: 'ble-gatt-values',
  covers: ['src/drivers/ble-gatt/*.ts (heart rate, PLX spot-check and continuous, battery, SFLOAT)'],
  holds: 'any bytes as any characteristic (16- or 128-bit UUID, known or not): never throws; a value or a reason; values finite',
  property: () => fc.property(
    fc.oneof(fc.constantFrom(...Object.keys(gattDecoders)), fc.constantFrom(...Object.keys(gattDecoders)).map(fullUuid), fc.string()),
    fc.oneof(fc.uint8Array({ maxLength: 32 }), fc.uint8Array({ minLength: 200, maxLength: 600 })),
    (uuid, bytes) => {
      const r = decodeGattValue(uuid, bytes);
      if (r.ok) check(r.measurements.every(finite), `${uuid} ${Buffer.from(bytes).toString('hex')}: ${JSON.stringify(r.measurements)}`);
      else check(typeof r.error === 'string' && r.error.length > 0, 'a reason');
    },
  ),
};

const CLUSTERS = ['ssIasZone', 'genPowerCfg', 'genOnOff', 'msOccupancySensing', 'genBasic'];
const TYPES = ['attributeReport', 'readResponse', 'commandStatusChangeNotification', 'commandEnrollReq'];
const ATTRS = ['zonestatus', 'zoneStatus', 'zoneState', 'batteryPercentageRemaining', 'batteryVoltage', 'onOff', 'occupancy'];

export const zigbee: FuzzTarget = {
  name: 'zigbee-ias-messages',
  covers: ['src/drivers/zigbee-ias/decode.ts', 'src/drivers/zigbee-ias/zone-status.ts', 'devices/*/profile.json (every Zigbee model)'],
  holds: 'any cluster, message type and attribute values for every Zigbee model: never throws; measurements or a reason; '
    + 'a zone status word decodes to its named bits and back',
  property: () => fc.property(
    fc.constantFrom(...zigbeeModelNames),
    fc.oneof(fc.constantFrom(...CLUSTERS), fc.string()),
    fc.oneof(fc.constantFrom(...TYPES), fc.string()),
    fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...ATTRS), fc.string()), anyValue, { maxKeys: 4 }), anyValue),
    fc.integer({ min: 0, max: 0xffff }),
    (model, cluster, type, data, word) => {
      const r = decodeZigbeeModelMessage(model, { cluster, type, data: data as Record<string, unknown> });
      if (r.ok) check(r.measurements.every(finite), `${model} ${cluster} ${type}: ${JSON.stringify(r.measurements)}`);
      else check(typeof r.error === 'string' && r.error.length > 0, 'a reason');
      // Round trip of the status word: the named bits are exactly the defined bits of the word.
      check(isZoneStatusWord(word), `${word} is a status word`);
      const bits = decodeZoneStatus(word);
      const back = Object.entries(ZoneStatusBit).reduce((w, [name, mask]) => (bits[name as keyof typeof bits] ? w | mask : w), 0);
      const defined = Object.values(ZoneStatusBit).reduce((a, b) => a | b, 0);
      check(back === (word & defined), `zone status ${word} -> ${back}`);
    },
  ),
};

const Z2M_METRICS = new Set<string>([...Object.values(Z2M_KEYS).map((k) => k.metric), 'linkQuality']);

export const z2m: FuzzTarget = {
  name: 'zigbee2mqtt-payloads',
  covers: ['src/transports/zigbee2mqtt/payload-map.ts'],
  holds: 'any sequence of JSON state payloads of one device and any availability text: never throws; only known metrics, '
    + 'booleans for states, battery within 0-100; a repeated state passes once; availability online/offline (plain or JSON) round-trips',
  property: () => fc.property(
    fc.array(fc.tuple(
      fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(Z2M_KEYS), 'linkquality', '__proto__', 'constructor'), fc.string()), anyValue, { maxKeys: 6 }),
      fc.nat({ max: 10_000_000 }),
    ), { maxLength: 6 }),
    fc.oneof(fc.string(), fc.constantFrom('online', 'offline', ' online\n', '{"state":"online"}', '{"state":"offline"}', '{"state":null}', '[]', 'null')),
    (payloads, availability) => {
      const mem = newZ2mDeviceMemory();
      let now = 0;
      for (const [payload, dt] of payloads) {
        now += dt;
        const r = mapZ2mState(payload, mem, now, 3_600_000);
        for (const m of r.measurements) {
          check(Z2M_METRICS.has(m.metric), `unknown metric ${m.metric}`);
          check(finite(m), `${m.metric} = ${String(m.value)}`);
          if (m.metric === 'batteryPercent') check(typeof m.value === 'number' && m.value >= 0 && m.value <= 100, `battery ${String(m.value)}`);
        }
        // The same payload again at once: states already passed do not pass twice.
        const again = mapZ2mState(payload, mem, now, 3_600_000);
        check(again.measurements.length === 0,
          `repeated state passed twice: ${JSON.stringify(again.measurements)}`);
      }
      const a = parseZ2mAvailability(availability);
      check(a === null || typeof a === 'boolean', 'availability is a boolean or null');
      for (const [text, want] of [['online', true], ['offline', false], ['{"state":"online"}', true], ['{"state":"offline"}', false]] as const) {
        check(parseZ2mAvailability(text) === want, `availability ${text}`);
      }
    },
  ),
};

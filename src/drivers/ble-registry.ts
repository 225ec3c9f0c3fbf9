import hrProfile from '../../devices/ble-heart-rate/profile.json' with { type: 'json' };
import plxProfile from '../../devices/ble-pulse-oximeter/profile.json' with { type: 'json' };
import { decodeGattValue, fullUuid, gattDecoders, shortUuid, type GattDecodeResult } from './ble-gatt/index.js';

/**
 * One characteristic a BLE model uses, from its devices/<model>/profile.json (`ble.services`).
 * `role: primary`: the reason the device is there; a device offering none of its model's primary
 * characteristics is the wrong device (or the wrong model in the config), and the link fails.
 * `optional` ones (battery) are used when the device has them.
 */
export interface BleCharacteristicUse {
  readonly service: string;
  readonly characteristic: string;
  readonly name: string;
  readonly role: 'primary' | 'optional';
  /** Enable notifications/indications when the characteristic supports them. */
  readonly subscribe: boolean;
  /** Read once after connecting, when readable (battery level, the last spot check). */
  readonly readOnConnect: boolean;
  /** Read again this often while connected, when readable and not notifying. */
  readonly readEveryS: number | null;
}

export interface BleModelEntry {
  readonly characteristics: readonly BleCharacteristicUse[];
}

interface ProfileJson {
  ble: { services: Array<{ uuid: string; characteristics: Array<{ uuid: string; name: string; role: string; subscribe: boolean; readOnConnect: boolean; readEveryS?: number }> }> };
}

function fromProfile(p: ProfileJson): BleModelEntry {
  return {
    characteristics: p.ble.services.flatMap((s) =>
      s.characteristics.map((c) => ({
        service: s.uuid.toLowerCase(),
        characteristic: c.uuid.toLowerCase(),
        name: c.name,
        role: c.role === 'primary' ? ('primary' as const) : ('optional' as const),
        subscribe: c.subscribe,
        readOnConnect: c.readOnConnect,
        readEveryS: c.readEveryS ?? null,
      }))),
  };
}

/**
 * BLE device models this build knows, by the `model` name used in config and in devices/<model>/.
 * The decoding is the standard GATT one (src/drivers/ble-gatt/), chosen by characteristic UUID;
 * a model only says which characteristics to use. Adding a model: a folder under devices/
 * (profile with `ble.services`, README, fixtures) and one entry here.
 */
export const bleModels = {
  'ble-heart-rate': fromProfile(hrProfile),
  'ble-pulse-oximeter': fromProfile(plxProfile),
} as const satisfies Record<string, BleModelEntry>;

export type BleModel = keyof typeof bleModels;
export const bleModelNames = Object.keys(bleModels) as [BleModel, ...BleModel[]];

export const isBleModel = (model: string): model is BleModel => Object.hasOwn(bleModels, model);

/** Decodes one value of a characteristic the model uses (16- or 128-bit UUID). Never throws. */
export function decodeBleValue(model: BleModel, characteristic: string, value: Uint8Array): GattDecodeResult {
  const short = shortUuid(characteristic);
  if (!bleModels[model].characteristics.some((c) => c.characteristic === short)) {
    return { ok: false, error: `${model} does not use characteristic ${characteristic}` };
  }
  return decodeGattValue(short, value);
}

/** Every characteristic of every model has a decoder (checked by the fixture test). */
export const bleCharacteristicsWithoutDecoder = (): string[] =>
  Object.entries(bleModels).flatMap(([m, e]) => e.characteristics.filter((c) => !gattDecoders[c.characteristic]).map((c) => `${m}:${c.characteristic}`));

export { fullUuid };

/**
 * The models whose primary service a device advertises (UUIDs as BlueZ lists them in Device1.UUIDs,
 * 16- or 128-bit): what `anjuctl pair --ble` offers to add a scanned device as. A heart-rate band
 * advertises 0x180D, a pulse oximeter 0x1822; a device advertising only Battery (0x180F) matches none.
 */
export function bleModelsForServices(uuids: readonly string[]): BleModel[] {
  const advertised = new Set(uuids.map((u) => shortUuid(u.toLowerCase())));
  return bleModelNames.filter((m) => bleModels[m].characteristics.some((c) => c.role === 'primary' && advertised.has(c.service)));
}

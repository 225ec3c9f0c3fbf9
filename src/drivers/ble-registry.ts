import { deviceCatalogue, type Catalogue } from './catalogue.js';
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

/** A BLE profile's services as the link uses them (the shape is checked by profile-check.ts). */
export function bleModelOf(profile: unknown): BleModelEntry {
  const p = profile as ProfileJson;
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

export function bleModelsOf(catalogue: Catalogue): Record<string, BleModelEntry> {
  return Object.fromEntries(catalogue.models('ble').map((m) => [m, bleModelOf(catalogue.get(m)!.profile)]));
}

/**
 * The shipped BLE models (src/drivers/catalogue.ts), by the `model` name used in config and in
 * devices/<model>/. The decoding is the standard GATT one (src/drivers/ble-gatt/), chosen by
 * characteristic UUID; a model only says which characteristics to use. Adding a model: a folder
 * under devices/ (profile with `ble.services`, README, fixtures), or in the local profile folder.
 */
export const bleModels: Readonly<Record<string, BleModelEntry>> = bleModelsOf(deviceCatalogue());

export type BleModel = string;
export const bleModelNames = Object.keys(bleModels) as [BleModel, ...BleModel[]];

export const isBleModel = (model: string): model is BleModel => Object.hasOwn(bleModels, model);

/** Decodes one value of a characteristic the model uses (16- or 128-bit UUID). Never throws. */
export function decodeBleValue(model: BleModel, characteristic: string, value: Uint8Array, entry: BleModelEntry | undefined = bleModels[model]): GattDecodeResult {
  const short = shortUuid(characteristic);
  if (!entry?.characteristics.some((c) => c.characteristic === short)) {
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
export function bleModelsForServices(uuids: readonly string[], models: Readonly<Record<string, BleModelEntry>> = bleModels): BleModel[] {
  const advertised = new Set(uuids.map((u) => shortUuid(u.toLowerCase())));
  return Object.keys(models).filter((m) => models[m]!.characteristics.some((c) => c.role === 'primary' && advertised.has(c.service)));
}

import type { Measurement } from '../../core/reading.js';

/**
 * What decoding one GATT characteristic value gives: the measurements, or why the bytes were
 * rejected. A value, never an exception: a notification is untrusted radio input, and a malformed
 * one is counted in the device's status, not thrown into the transport.
 */
export type GattDecodeResult =
  | { readonly ok: true; readonly measurements: Measurement[] }
  | { readonly ok: false; readonly error: string };

export const decoded = (measurements: Measurement[]): GattDecodeResult => ({ ok: true, measurements });
export const rejected = (error: string): GattDecodeResult => ({ ok: false, error });

/** A pure decoder for one characteristic's value. Never throws, never does I/O. */
export type GattDecoder = (value: Uint8Array) => GattDecodeResult;

/** A parsed characteristic (all fields, for tests and tools), or why it could not be parsed. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

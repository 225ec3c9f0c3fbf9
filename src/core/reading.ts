/**
 * A Reading is one decoded measurement from one device, stamped by the pipeline.
 * Drivers produce `Measurement`s (no device, no time: drivers are pure codecs);
 * the ingest path adds the device id and the receive time from the injected clock.
 */
export type MeasurementValue = number | boolean | string;

export interface Measurement {
  /** Stable metric name; units are part of the name where they matter (`breathRatePerMin`). */
  readonly metric: string;
  readonly value: MeasurementValue;
}

export interface Reading extends Measurement {
  /** Device id from the config (`devices[].id`). */
  readonly device: string;
  /** Receive time, ms since the Unix epoch. */
  readonly ts: number;
}

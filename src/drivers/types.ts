import type { Measurement } from '../core/reading.js';

/** Counters every streaming driver keeps; surfaced in status so a technician sees line quality. */
export interface DriverStats {
  /** Bytes pushed into the framer. */
  bytes: number;
  /** Frames that passed every check (decoded or not). */
  frames: number;
  /** Frames whose header, length and trailer looked right but whose checksum did not match. */
  checksumErrors: number;
  /** Candidate frames rejected for a bad length or a missing trailer. */
  framingErrors: number;
  /** Times the framer had to skip bytes to find the next frame header. */
  resyncs: number;
  /** Bytes skipped while resynchronising (noise, partial frames, corrupted frames). */
  garbageBytes: number;
  /** Valid frames whose control/command word this driver does not decode (yet). */
  unknownFrames: number;
}

export function emptyDriverStats(): DriverStats {
  return { bytes: 0, frames: 0, checksumErrors: 0, framingErrors: 0, resyncs: 0, garbageBytes: 0, unknownFrames: 0 };
}

/**
 * A driver is a pure streaming codec for one wire protocol: bytes in, measurements out.
 * It never throws on input bytes and never does I/O or reads the clock.
 */
export interface StreamDriver {
  push(chunk: Uint8Array): Measurement[];
  stats(): Readonly<DriverStats>;
}

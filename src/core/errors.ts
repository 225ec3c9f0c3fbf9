/**
 * Error catalogue (fastify lib/errors.js style): stable codes the logs, status and the cloud can
 * match on, a message, and the cause. Errors are values at boundaries; we throw only for
 * programmer errors and invalid configuration at start-up.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'ANJU_ERR_CONFIG_INVALID',
  CONFIG_UNREADABLE: 'ANJU_ERR_CONFIG_UNREADABLE',
  STORE_OPEN: 'ANJU_ERR_STORE_OPEN',
  STORE_WRITE: 'ANJU_ERR_STORE_WRITE',
  SERIAL_OPEN: 'ANJU_ERR_SERIAL_OPEN',
  SERIAL_LOST: 'ANJU_ERR_SERIAL_LOST',
  INGEST_FAILED: 'ANJU_ERR_INGEST_FAILED',
  UPLINK_PUBLISH: 'ANJU_ERR_UPLINK_PUBLISH',
  UPLINK_CONNECT: 'ANJU_ERR_UPLINK_CONNECT',
  DEVICE_MODEL_UNKNOWN: 'ANJU_ERR_DEVICE_MODEL_UNKNOWN',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class AnjuError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnjuError';
    this.code = code;
  }
}

/**
 * Stable codes of the `update` command (docs/uplink.md §10 "update"): in the command's failure reply
 * when it is refused, and in `hub.update_failed`'s `code` when an accepted update fails later. They are
 * `ANJU_CMD_*` because command replies carry only such codes (command-response.v1.json, contract v1:
 * additive changes only).
 */
export const UpdateErrors = {
  /** The command has no `signature`. */
  UNSIGNED: 'ANJU_CMD_UPDATE_UNSIGNED',
  /** The signature is not an Ed25519 signature of the manifest by a release key of this hub (or the manifest was altered). */
  BAD_SIGNATURE: 'ANJU_CMD_UPDATE_BAD_SIGNATURE',
  /** This hub has no usable release key (/etc/anju/release-keys.pem): it installs nothing. */
  NO_RELEASE_KEY: 'ANJU_CMD_UPDATE_NO_RELEASE_KEY',
  /** The version is not newer than the one running (or not a version). */
  NOT_NEWER: 'ANJU_CMD_UPDATE_NOT_NEWER',
  /** The package is for another architecture than this hub's. */
  WRONG_ARCH: 'ANJU_CMD_UPDATE_WRONG_ARCH',
  /** `size` is over the hub's cap (update.max_mb). */
  TOO_LARGE: 'ANJU_CMD_UPDATE_TOO_LARGE',
  /** The URL is not https://, has user info, or does not parse. */
  URL: 'ANJU_CMD_UPDATE_URL',
  /** An alarm is open: the hub never updates then (checked when accepted, during the download and before installing). */
  ALARM_OPEN: 'ANJU_CMD_UPDATE_ALARM_OPEN',
  /** Not enough free space for the package, the installer and what the outbox may still need. */
  NO_SPACE: 'ANJU_CMD_UPDATE_NO_SPACE',
  /** The download failed (HTTP status, network) after its retries. */
  DOWNLOAD: 'ANJU_CMD_UPDATE_DOWNLOAD',
  /** The server sent more or fewer bytes than `size`. */
  SIZE_MISMATCH: 'ANJU_CMD_UPDATE_SIZE_MISMATCH',
  /** The downloaded file's SHA-256 is not the signed one: altered on the way or on the server. */
  DIGEST_MISMATCH: 'ANJU_CMD_UPDATE_DIGEST_MISMATCH',
  /** The installer (dpkg -i through the release manager) exited non-zero: refused before switching. */
  INSTALL_FAILED: 'ANJU_CMD_UPDATE_INSTALL_FAILED',
  /** Nothing picked the verified package up, or no result came, in time. */
  INSTALL_TIMEOUT: 'ANJU_CMD_UPDATE_INSTALL_TIMEOUT',
  /** anjud stopped (restart, crash, power cut) while downloading: send the command again; the download resumes. */
  INTERRUPTED: 'ANJU_CMD_UPDATE_INTERRUPTED',
} as const;

export type UpdateErrorCode = (typeof UpdateErrors)[keyof typeof UpdateErrors];

/** A failure with its code: how every stage of an update reports. */
export type UpdateOutcome<T = void> = { ok: true; value: T } | { ok: false; code: UpdateErrorCode; message: string };

import { pino, type Logger, type LevelWithSilent } from 'pino';
import { createRequire } from 'node:module';

/**
 * JSON lines to stdout for journald; human-readable (pino-pretty, synchronous) when stdout is a
 * terminal, so a technician on SSH can read it. `ANJU_LOG_FORMAT=json|pretty` overrides.
 */
export function createLogger(
  level: LevelWithSilent = 'info',
  stream: NodeJS.WritableStream = process.stdout,
  format: string = process.env.ANJU_LOG_FORMAT ?? ((stream as { isTTY?: boolean }).isTTY ? 'pretty' : 'json'),
): Logger {
  // Secrets never reach the logs, even if a config or an error object carrying one is logged.
  const redact = { paths: ['password', '*.password', '*.*.password', 'password_file', '*.password_file', 'pin', '*.pin'], censor: '[redacted]' };
  const opts = { level, base: { svc: 'anjud' }, redact };
  if (format === 'pretty') {
    // Loaded only for a terminal: journald gets JSON, and pino-pretty costs megabytes of RSS.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(opts, pretty({ colorize: (stream as { isTTY?: boolean }).isTTY === true, sync: true, destination: stream, ignore: 'pid,hostname,svc', singleLine: true, translateTime: 'SYS:HH:MM:ss.l' }));
  }
  return pino(opts, stream);
}

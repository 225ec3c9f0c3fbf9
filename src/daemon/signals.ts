import type { Logger } from 'pino';

/** SIGTERM/SIGINT: stop in order, flush, exit 0; if stopping hangs, exit anyway within `hardLimitMs`. */
export function installSignalHandlers(o: { log: Logger; stop: () => Promise<void>; hardLimitMs?: number }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    o.log.info({ signal }, 'stopping');
    const hard = setTimeout(() => {
      o.log.error({ signal }, 'stop took too long; exiting anyway (events are already committed)');
      o.log.flush();
      process.exit(0);
    }, o.hardLimitMs ?? 4500);
    hard.unref();
    o.stop().then(
      () => { o.log.flush(); process.exit(0); },
      (err: unknown) => { o.log.error({ err }, 'error while stopping'); o.log.flush(); process.exit(0); },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (err) => {
    // A bug, not bad input (bad input is handled where it enters). Let systemd restart us:
    // every event is already committed, so nothing is lost.
    o.log.fatal({ err }, 'uncaught exception; exiting');
    o.log.flush();
    process.exit(1);
  });
}

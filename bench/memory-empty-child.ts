/**
 * Baseline child of the memory bench: an empty Node process, forked exactly like the daemon child
 * (same node, same flags, same IPC channel), so the RSS difference is the daemon and nothing else.
 */
import { isStop } from './memory-ipc.js';

setInterval(() => undefined, 1000);
process.on('message', (m: unknown) => { if (isStop(m)) process.exit(0); });
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });

/**
 * Preloaded into the soaked daemon (NODE_OPTIONS=--import, faults/soak/soak.ts), nothing else:
 * what /proc cannot say about a Node process, its V8 heap and its active libuv resources (handles
 * and requests), as one line on stderr every ANJU_SOAK_PROBE_MS. stderr is a pipe to the soak, so
 * the probe writes nothing to disk and does not add to the write_bytes the soak measures.
 * Its timer is unref'd: it never keeps the daemon alive, and counts as one resource, always.
 */
const everyMs = Number(process.env.ANJU_SOAK_PROBE_MS ?? 2000);
setInterval(() => {
  const m = process.memoryUsage();
  const sample = { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, resources: process.getActiveResourcesInfo().length };
  process.stderr.write(`ANJU_SOAK_PROBE ${JSON.stringify(sample)}\n`);
}, everyMs).unref();

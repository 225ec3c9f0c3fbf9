/**
 * The default deadline of a wait on a condition. It costs nothing when the condition comes (the
 * wait ends then); it only bounds a hang. 15 s was too tight for a daemon to start and connect
 * while the suite's other files (and whatever else the machine runs) keep both cores busy: seen
 * at a load of 14 on 2 cores.
 */
export const WAIT_MS = 30_000;

/** Polls `check` until it returns a value other than undefined/false, or fails naming what it waited for. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = WAIT_MS, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

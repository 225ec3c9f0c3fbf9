import { spawn } from 'node:child_process';
import type { PartResult, PlayPort } from './sounders.js';

/**
 * Plays prompt WAV files through ALSA with `aplay` (Debian package alsa-utils), one process for
 * all of them, to the end. The ALSA device comes from the config (aplay -D); ALSA's own
 * configuration (ALSA_CONFIG_PATH, ~/.asoundrc) applies, which is how the test plays into a `file`
 * PCM. Never throws: a missing aplay or a device that cannot open is a failed part, with aplay's words.
 */
export function aplayPort(o: { player: string; device: string; timeoutMs?: number }): PlayPort {
  return (files) => new Promise<PartResult>((resolve) => {
    let err = '';
    const p = spawn(o.player, ['-q', '-D', o.device, ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    p.stderr.on('data', (d: Buffer) => { if (err.length < 2000) err += d.toString(); });
    p.once('error', (e) => { clearTimeout(timer); resolve({ ok: false, detail: `cannot run ${o.player}: ${e.message}` }); });
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? { ok: true } : { ok: false, detail: `${o.player} exited ${code ?? signal}: ${err.trim().split('\n').at(-1) ?? ''}` });
    });
  });
}

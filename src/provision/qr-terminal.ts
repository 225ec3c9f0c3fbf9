import type { QrCode } from './qr-code.js';

/**
 * A QR code as terminal text: two module rows per text line with the half blocks ▀ ▄ █, so the code
 * keeps its square shape in a terminal font (a character cell is about twice as tall as wide) and
 * a version 6 code fits 25 lines by 49 columns. Dark modules are the glyph's ink, as on paper.
 *
 * `ansi`: each line is drawn black on white (SGR 30;47), so a terminal with a dark theme, whose ink is
 * light, still shows dark modules on a light ground: many phone scanners do not read inverted codes.
 * Off for text that is not going to a terminal (a file, a test, a log).
 */
export function renderQrText(qr: QrCode, o: { ansi: boolean; quiet?: number }): string {
  const quiet = o.quiet ?? 4; // the spec's quiet zone: 4 light modules on every side
  const n = qr.size + 2 * quiet;
  const dark = (r: number, c: number): boolean => {
    const rr = r - quiet;
    const cc = c - quiet;
    return rr >= 0 && cc >= 0 && rr < qr.size && cc < qr.size && qr.modules[rr]![cc]!;
  };
  const lines: string[] = [];
  for (let r = 0; r < n; r += 2) {
    let line = '';
    for (let c = 0; c < n; c++) {
      const top = dark(r, c);
      const bottom = r + 1 < n && dark(r + 1, c);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(o.ansi ? `\u001b[30;47m${line}\u001b[0m` : line);
  }
  return lines.join('\n');
}

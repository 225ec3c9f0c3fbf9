/**
 * A compact QR code encoder (ISO/IEC 18004:2015), byte mode, error correction level M, versions 1-10
 * (up to 213 bytes): enough for what `anjuctl init` shows the installer's phone (the hub id and the
 * CSR fingerprint, ~110 bytes, version 6). Pure: bytes in, a square of modules out; no dependency
 * (an npm QR package would be the only one the hub's CLI pulls in for this), verified in
 * tests/unit/provision/qr-code.test.ts by an independent decoder (zbarimg, Debian's zbar-tools).
 *
 * Level M (15 % of the codewords can be damaged) rather than L: a code photographed off a laptop
 * screen in a dim hallway is what it has to survive.
 */

/** true = dark module. matrix[row][col], `size` = 17 + 4 * version. */
export interface QrCode {
  readonly version: number;
  readonly size: number;
  readonly mask: number;
  readonly modules: readonly (readonly boolean[])[];
}

/** Per version (index 1-10), level M: EC codewords per block, and the data codewords of each block. */
const BLOCKS_M: ReadonlyArray<{ ec: number; data: readonly number[] }> = [
  { ec: 0, data: [] },
  { ec: 10, data: [16] },
  { ec: 16, data: [28] },
  { ec: 26, data: [44] },
  { ec: 18, data: [32, 32] },
  { ec: 24, data: [43, 43] },
  { ec: 16, data: [27, 27, 27, 27] },
  { ec: 18, data: [31, 31, 31, 31] },
  { ec: 22, data: [38, 38, 39, 39] },
  { ec: 22, data: [36, 36, 36, 37, 37] },
  { ec: 26, data: [43, 43, 43, 43, 44] },
];
/** Centres of the alignment patterns per version (Annex E). */
const ALIGN: readonly (readonly number[])[] = [[], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
export const QR_MAX_VERSION = 10;

const dataCapacity = (v: number): number => BLOCKS_M[v]!.data.reduce((a, b) => a + b, 0);
/** Byte mode: 4-bit mode, 8-bit count (16 from version 10), then the bytes. */
const countBits = (v: number): number => (v < 10 ? 8 : 16);

/**
 * Encodes `data`; throws a RangeError when it does not fit version 10 (a programmer error: the caller's
 * text is ours). `mask`: use this mask rather than the one the penalty rules choose (tests).
 */
export function encodeQr(data: Uint8Array, o: { mask?: number } = {}): QrCode {
  let version = 1;
  while (version <= QR_MAX_VERSION && 4 + countBits(version) + 8 * data.length > 8 * dataCapacity(version)) version++;
  if (version > QR_MAX_VERSION) throw new RangeError(`${data.length} bytes do not fit a version ${QR_MAX_VERSION}-M QR code (at most 213)`);
  const codewords = interleave(version, dataCodewords(version, data));
  const base = functionPatterns(version);
  let best: { mask: number; modules: boolean[][]; penalty: number } | null = null;
  for (let mask = 0; mask < 8; mask++) {
    if (o.mask !== undefined && mask !== o.mask) continue;
    const modules = base.modules.map((row) => [...row]);
    placeData(modules, base.reserved, codewords, mask);
    drawFormat(modules, mask);
    if (version >= 7) drawVersion(modules, version);
    const p = penalty(modules);
    if (!best || p < best.penalty) best = { mask, modules, penalty: p };
  }
  return { version, size: base.modules.length, mask: best!.mask, modules: best!.modules };
}

function dataCodewords(version: number, data: Uint8Array): number[] {
  const bits: number[] = [];
  const put = (value: number, n: number) => { for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4);
  put(data.length, countBits(version));
  for (const b of data) put(b, 8);
  const capacityBits = 8 * dataCapacity(version);
  put(0, Math.min(4, capacityBits - bits.length)); // terminator
  while (bits.length % 8 !== 0) bits.push(0);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; out.length < dataCapacity(version); pad ^= 0xec ^ 0x11) out.push(pad);
  return out;
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d).
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x = (x << 1) ^ (x & 0x80 ? 0x11d : 0);
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);

/** Reed-Solomon remainder of `data` for `n` EC codewords (generator prod (x - a^i), i < n). */
export function reedSolomon(data: readonly number[], n: number): number[] {
  let gen = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(gen.length + 1).fill(0);
    gen.forEach((g, j) => { next[j] = next[j]! ^ g; next[j + 1] = next[j + 1]! ^ mul(g, EXP[i]!); });
    gen = next;
  }
  const rem = new Array<number>(n).fill(0);
  for (const d of data) {
    const factor = d ^ rem.shift()!;
    rem.push(0);
    for (let j = 0; j < n; j++) rem[j] = rem[j]! ^ mul(gen[j + 1]!, factor);
  }
  return rem;
}

function interleave(version: number, data: number[]): number[] {
  const { ec, data: sizes } = BLOCKS_M[version]!;
  const blocks: number[][] = [];
  let at = 0;
  for (const n of sizes) { blocks.push(data.slice(at, at + n)); at += n; }
  const ecBlocks = blocks.map((b) => reedSolomon(b, ec));
  const out: number[] = [];
  for (let i = 0; i < Math.max(...sizes); i++) for (const b of blocks) if (i < b.length) out.push(b[i]!);
  for (let i = 0; i < ec; i++) for (const b of ecBlocks) out.push(b[i]!);
  return out;
}

function functionPatterns(version: number): { modules: boolean[][]; reserved: boolean[][] } {
  const size = 17 + 4 * version;
  const modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const reserved = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const set = (r: number, c: number, dark: boolean) => { modules[r]![c] = dark; reserved[r]![c] = true; };
  for (const [r0, c0] of [[0, 0], [0, size - 7], [size - 7, 0]] as const) {
    // Finder (7x7) and its light separator: the ring around it that is inside the symbol.
    for (let dr = -1; dr <= 7; dr++) for (let dc = -1; dc <= 7; dc++) {
      const r = r0 + dr; const c = c0 + dc;
      if (r < 0 || c < 0 || r >= size || c >= size) continue;
      const ring = Math.max(Math.abs(dr - 3), Math.abs(dc - 3));
      set(r, c, ring !== 2 && ring !== 4);
    }
  }
  for (let i = 8; i < size - 8; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  const centres = ALIGN[version]!;
  const last = centres.length - 1;
  centres.forEach((r, i) => centres.forEach((c, j) => {
    if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return; // the finders' corners
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }));
  // Format information areas (filled per mask later) and the dark module.
  for (let i = 0; i < 9; i++) { reserved[8]![i] = true; reserved[i]![8] = true; }
  for (let i = 0; i < 8; i++) { reserved[8]![size - 1 - i] = true; reserved[size - 1 - i]![8] = true; }
  set(size - 8, 8, true);
  if (version >= 7) for (let i = 0; i < 6; i++) for (let j = 0; j < 3; j++) { reserved[i]![size - 11 + j] = true; reserved[size - 11 + j]![i] = true; }
  return { modules, reserved };
}

const MASKS: ReadonlyArray<(r: number, c: number) => boolean> = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

/** Codeword bits in the two-column zigzag from the bottom right, skipping the vertical timing column. */
function placeData(modules: boolean[][], reserved: boolean[][], codewords: number[], mask: number): void {
  const size = modules.length;
  let bit = 0;
  const total = codewords.length * 8;
  let upward = true;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let i = 0; i < size; i++) {
      const r = upward ? size - 1 - i : i;
      for (const c of [right, right - 1]) {
        if (reserved[r]![c]) continue;
        const dark = bit < total && ((codewords[bit >>> 3]! >>> (7 - (bit & 7))) & 1) === 1; // then remainder bits: 0
        bit++;
        modules[r]![c] = dark !== MASKS[mask]!(r, c);
      }
    }
    upward = !upward;
  }
}

/** BCH code of `value` (its bits shifted left by the generator's degree), as in Annex C and D. */
function bch(value: number, generator: number, degree: number): number {
  let rem = value << degree;
  for (let i = 31 - Math.clz32(rem); i >= degree; i--) if ((rem >>> i) & 1) rem ^= generator << (i - degree);
  return (value << degree) | rem;
}

function drawFormat(modules: boolean[][], mask: number): void {
  const size = modules.length;
  const bits = bch((0b00 << 3) | mask, 0x537, 10) ^ 0x5412; // level M is 00
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  // modules[row][col]; first copy around the top-left finder, second split between the other two.
  for (let i = 0; i <= 5; i++) modules[i]![8] = bit(i);
  modules[7]![8] = bit(6);
  modules[8]![8] = bit(7);
  modules[8]![7] = bit(8);
  for (let i = 9; i < 15; i++) modules[8]![14 - i] = bit(i);
  for (let i = 0; i < 8; i++) modules[8]![size - 1 - i] = bit(i);
  for (let i = 8; i < 15; i++) modules[size - 15 + i]![8] = bit(i);
  modules[size - 8]![8] = true; // the dark module
}

function drawVersion(modules: boolean[][], version: number): void {
  const size = modules.length;
  const bits = bch(version, 0x1f25, 12);
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >>> i) & 1) === 1;
    const a = Math.floor(i / 3);
    const b = size - 11 + (i % 3);
    modules[a]![b] = dark;
    modules[b]![a] = dark;
  }
}

/** The four penalty rules (7.8.3): the mask with the lowest total is used. */
function penalty(m: boolean[][]): number {
  const size = m.length;
  let score = 0;
  const line = (get: (i: number, j: number) => boolean) => {
    for (let i = 0; i < size; i++) {
      let run = 1;
      for (let j = 1; j <= size; j++) {
        if (j < size && get(i, j) === get(i, j - 1)) { run++; continue; }
        if (run >= 5) score += run - 2;
        run = 1;
      }
      // 1:1:3:1:1 finder-like pattern with 4 light modules on one side.
      for (let j = 0; j + 11 <= size; j++) {
        const p = [true, false, true, true, true, false, true];
        const at = (k: number) => get(i, j + k);
        const core = (o: number) => p.every((v, k) => at(o + k) === v);
        const light = (o: number) => [0, 1, 2, 3].every((k) => !at(o + k));
        if ((core(0) && light(7)) || (light(0) && core(4))) score += 40;
      }
    }
  };
  line((i, j) => m[i]![j]!);
  line((i, j) => m[j]![i]!);
  let dark = 0;
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
    if (m[r]![c]) dark++;
    if (r + 1 < size && c + 1 < size) {
      const v = m[r]![c];
      if (m[r]![c + 1] === v && m[r + 1]![c] === v && m[r + 1]![c + 1] === v) score += 3;
    }
  }
  score += 10 * Math.floor(Math.abs((dark * 20) / (size * size) - 10));
  return score;
}

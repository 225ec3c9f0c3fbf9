import { verify, type KeyObject } from 'node:crypto';

/**
 * What the district's release key signs for an over-the-air update (issue 13, point 5), and the
 * checks that need no I/O. Pure: used by anjud when the `update` command arrives and again, as root,
 * by the runner that installs (src/update/runner.ts), which trusts nothing anjud wrote.
 *
 * The signed text, UTF-8, exactly these five lines:
 *
 *   anju-update-v1
 *   version=0.2.0
 *   arch=arm64
 *   size=48213504
 *   sha256=<64 lower-case hex digits>
 *
 * The URL is not signed: the bytes are pinned by their SHA-256, so any mirror may serve them, and a
 * URL that expires (a signed CDN link) needs no new signature. The first line keeps a signature
 * made for something else from ever passing as one of these. Sign with openssl 3:
 *   openssl pkeyutl -sign -inkey release.key -rawin -in manifest.txt | base64 -w0
 */
export interface UpdateManifest {
  readonly version: string;
  readonly arch: string;
  readonly size: number;
  readonly sha256: string;
}

export const MANIFEST_HEADER = 'anju-update-v1';

export const manifestText = (m: UpdateManifest): string =>
  `${MANIFEST_HEADER}\nversion=${m.version}\narch=${m.arch}\nsize=${m.size}\nsha256=${m.sha256}\n`;

/** An Ed25519 signature (base64) of the manifest by any one of `keys`. */
export function signatureValid(keys: readonly KeyObject[], m: UpdateManifest, signatureB64: string): boolean {
  const sig = Buffer.from(signatureB64, 'base64');
  // Base64 that does not round-trip is not the signature it claims to be.
  if (sig.length !== 64 || sig.toString('base64') !== signatureB64) return false;
  const data = Buffer.from(manifestText(m), 'utf8');
  return keys.some((k) => {
    try {
      return verify(null, data, k, sig);
    } catch {
      return false;
    }
  });
}

/** Semantic versions, MAJOR.MINOR.PATCH with an optional pre-release (semver.org 2.0.0); no build metadata. */
export const VERSION_PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** <0, 0 or >0 as `a` is older than, the same as or newer than `b` (semver precedence); null if either is not a version. */
export function compareVersions(a: string, b: string): number | null {
  const x = VERSION_PATTERN.exec(a);
  const y = VERSION_PATTERN.exec(b);
  if (!x || !y) return null;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  const pa = x[4];
  const pb = y[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1; // 1.0.0-rc.1 < 1.0.0
  const ia = pa.split('.');
  const ib = pb.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const s = ia[i];
    const t = ib[i];
    if (s === undefined) return -1;
    if (t === undefined) return 1;
    const ns = /^\d+$/.test(s);
    const nt = /^\d+$/.test(t);
    if (ns && nt) { if (Number(s) !== Number(t)) return Number(s) - Number(t); continue; }
    if (ns !== nt) return ns ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    if (s !== t) return s < t ? -1 : 1;
  }
  return 0;
}

/** Debian's name for the architecture this Node runs on (the package's `Architecture:`). */
export function debianArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

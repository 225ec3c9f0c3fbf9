/**
 * A database image rebuilt from a WAL file alone, to read a quarantined store whose database file
 * was emptied while its WAL survived (issue 12, finding 12: a 0-byte anju.db, 300 undelivered
 * events in anju.db-wal). SQLite cannot read that pair: opening a zero-length database deletes the
 * WAL. Until a checkpoint, every page a transaction wrote is in the WAL, so the last committed
 * version of each page rebuilds the database; where a checkpoint had moved pages into the lost file,
 * pages are missing and the image does not open, and the caller says "unknown".
 *
 * Format (https://sqlite.org/fileformat2.html#walformat): a 32-byte header (magic 0x377f0682/3, the
 * low bit giving the checksum byte order; version; page size; checkpoint seq; two salts; two
 * checksums), then frames: a 24-byte header (page number; for a commit frame, the database size in
 * pages; the two salts; two cumulative checksums) and the page. A frame counts only if its salts
 * match the header's and the checksum chain holds up to it; only frames up to the last valid commit
 * frame are committed. Pure: bytes in, bytes out.
 */
export interface WalImage {
  pageSize: number;
  /** The database as of the last commit in the WAL, in rollback-journal mode (header bytes 18-19 = 1). */
  image: Buffer;
  /** Pages the image lacks (zero-filled): not in the WAL. */
  missingPages: number;
}

const HEADER = 32;
const FRAME_HEADER = 24;

function checksum(buf: Buffer, start: number, end: number, s: [number, number], bigEndian: boolean): [number, number] {
  let [s0, s1] = s;
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/** null when the WAL is not one (bad magic, header checksum) or has no committed transaction. */
export function walImage(wal: Buffer): WalImage | null {
  if (wal.length < HEADER) return null;
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return null;
  const bigEndian = (magic & 1) === 1;
  const pageSize = wal.readUInt32BE(8) === 1 ? 65536 : wal.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
  let sum = checksum(wal, 0, 24, [0, 0], bigEndian);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) return null;
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);

  const pending = new Map<number, number>(); // page -> offset of its data, in the open transaction
  const committed = new Map<number, number>();
  let dbPages = 0;
  for (let at = HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    sum = checksum(wal, at, at + 8, sum, bigEndian);
    sum = checksum(wal, at + FRAME_HEADER, at + FRAME_HEADER + pageSize, sum, bigEndian);
    if (sum[0] !== wal.readUInt32BE(at + 16) || sum[1] !== wal.readUInt32BE(at + 20)) break;
    const page = wal.readUInt32BE(at);
    pending.set(page, at + FRAME_HEADER);
    const commitSize = wal.readUInt32BE(at + 4);
    if (commitSize > 0) {
      for (const [p, off] of pending) committed.set(p, off);
      pending.clear();
      dbPages = commitSize;
    }
  }
  if (dbPages === 0) return null;
  const image = Buffer.alloc(dbPages * pageSize);
  let missingPages = 0;
  for (let p = 1; p <= dbPages; p++) {
    const off = committed.get(p);
    if (off === undefined) missingPages++;
    else wal.copy(image, (p - 1) * pageSize, off, off + pageSize);
  }
  // The header says WAL mode; an in-memory copy must be a plain database file to open.
  if (committed.has(1)) image[18] = image[19] = 1;
  return { pageSize, image, missingPages };
}

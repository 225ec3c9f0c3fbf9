/** A short human reason for a failed file read (ENOENT -> "no such file"), for CLI error lines. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(err);
}

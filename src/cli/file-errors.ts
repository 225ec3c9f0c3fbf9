import { t, type Lang } from './i18n.js';

const BY_CODE = { ENOENT: 'feNoSuchFile', EACCES: 'fePermission', EISDIR: 'feIsDirectory' } as const;

/**
 * A short human reason for a failed file read (ENOENT -> "no such file"), for CLI error lines, in the
 * reader's language; another error keeps its own (English) text, the detail of a library.
 */
export function fileErrorReason(err: unknown, lang: Lang = 'en'): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && Object.hasOwn(BY_CODE, code)) return t(lang, BY_CODE[code as keyof typeof BY_CODE]);
  return err instanceof Error ? err.message : String(err);
}

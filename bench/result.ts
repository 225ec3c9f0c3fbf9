/** What every benchmark hands back to run.ts: one table row and one JSON line. */
export interface BenchResult {
  /** Stable name, used in the JSON line and by whoever compares runs. */
  bench: string;
  /** Measured ÷ baseline, both from the same run (see each bench for which way round). */
  ratio: number;
  /** The goal, human-readable, e.g. ">= 0.5" or "<= 40 MB". */
  goal: string;
  pass: boolean;
  /** Caveat printed next to the verdict, e.g. a goal that a short run cannot judge. */
  note?: string;
  /** Absolute numbers behind the ratio; printed under the table and added to the JSON line. */
  details: Record<string, string | number | boolean | null>;
}

export interface BenchContext {
  /** Where temporary databases go; a real disk matters, fsync is part of the cost. */
  tmpDir: string;
  rounds: number;
  log: (line: string) => void;
}

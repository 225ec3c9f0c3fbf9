import type { Logger } from 'pino';
import type { EventDraft } from '../core/event.js';
import { eventFor, readJournal, type Attempt } from '../release/journal.js';
import type { UpgradeMarks } from '../store/upgrade-marks.js';

/**
 * Tells the cloud what the release manager did (issue 13, point 3): reads its journal
 * (src/release/journal.ts) at start and when the manager says so (`report-upgrades` on the local
 * control socket, right after it confirmed an upgrade), and commits `hub.upgraded` or
 * `hub.upgrade_rolled_back` for each attempt this release is the one to tell about, once per attempt.
 * The event is committed first and marked after, so a crash in between repeats it at the next start
 * rather than losing it: the cloud deduplicates by `data.attempt`. The journal file is never written
 * here (it is root's, and anjud cannot write it).
 */
export interface UpgradeReporter {
  /** Commits the events owed; returns how many. */
  report(): number;
  /** The newest attempt in the journal (for get-status), or null. */
  last(): Attempt | null;
}

export function createUpgradeReporter(o: { dir: string; version: string; marks: UpgradeMarks; raise: (draft: EventDraft) => void; now: () => number; log: Logger }): UpgradeReporter {
  let last: Attempt | null = null;
  const warned = new Set<string>();
  return {
    report() {
      const { attempts, skipped } = readJournal(o.dir);
      for (const s of skipped) {
        if (warned.has(s.file)) continue;
        warned.add(s.file);
        o.log.warn({ file: s.file, problem: s.problem }, 'skipping a release journal file that does not parse');
      }
      last = attempts.at(-1) ?? null;
      let raised = 0;
      for (const a of attempts) {
        const e = eventFor(a, o.version);
        if (!e || o.marks.has(a.id)) continue;
        o.raise({ type: e.type, severity: e.severity, device: null, state: 'info', data: e.data });
        o.marks.mark(a.id, o.now());
        raised++;
      }
      return raised;
    },
    last: () => last,
  };
}

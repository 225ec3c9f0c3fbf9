import { alarmsMessages } from './alarms.js';
import { chartPrivacyMessages } from './chart-privacy.js';
import { cliMessages } from './cli.js';
import { clientMessages } from './client.js';
import { commonMessages } from './common.js';
import { configMessages } from './config.js';
import { problemWords } from './config-problems.js';
import { devicesMessages } from './devices.js';
import { diagnoseMessages } from './diagnose.js';
import { initMessages } from './init.js';
import { pairMessages } from './pair.js';
import { replayMessages } from './replay.js';
import { reportMessages } from './report.js';
import { statusMessages } from './status.js';
import { supportMessages } from './support.js';
import { walktestMessages } from './walktest.js';

/**
 * The one catalogue of everything a person reads from anjuctl, merged from one file per area
 * (src/cli/messages/<area>.ts): adding a message is one entry in its area's file. A key defined in
 * two areas is a test failure (tests/unit/cli/catalogue.test.ts), not a silent override.
 */
export const AREAS = {
  common: commonMessages, cli: cliMessages, client: clientMessages, alarms: alarmsMessages, status: statusMessages, walktest: walktestMessages, diagnose: diagnoseMessages,
  support: supportMessages, config: configMessages, configProblems: problemWords, devices: devicesMessages, pair: pairMessages,
  init: initMessages, report: reportMessages, replay: replayMessages, chartPrivacy: chartPrivacyMessages,
} as const;

export const messages = {
  ...commonMessages, ...cliMessages, ...clientMessages, ...alarmsMessages, ...statusMessages, ...walktestMessages, ...diagnoseMessages, ...supportMessages,
  ...configMessages, ...problemWords, ...devicesMessages, ...pairMessages, ...initMessages, ...reportMessages, ...replayMessages, ...chartPrivacyMessages,
} as const;

import { z } from 'zod';
import { parseBrokerUrl } from '../core/broker-url.js';
import { rule } from '../core/config-rules.js';

/** A broker URL key: checked by the parser the MQTT clients connect with (src/core/broker-url.ts). */
export const brokerUrl = (example: string) => z.string().superRefine((s, ctx) => {
  const r = parseBrokerUrl(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', ...rule('ANJU_CFG_BROKER_URL', { example, problem: r.problem }) });
  // For editors (config/anju.schema.json): the rough shape; the parser above has the last word.
}).meta({ pattern: '^(mqtts?|wss?)://[^\\s@?#\\\\]+$' });

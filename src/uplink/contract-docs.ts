import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { z } from 'zod';
import { COMMAND_ARGS, LOCAL_ONLY_COMMANDS } from '../control/protocol.js';
import { GENERATED_MESSAGES, getConfigReply, reportNightReply } from './contract-schemas.js';
import { topics } from './contract.js';

/**
 * Generates the parts of the MQTT contract's documents that must not be written twice (issue 16):
 *  - docs/schema/inventory.v1.json, availability.v1.json and command-response's data.get-config from
 *    the zod schemas in contract-schemas.ts (the daemon's types come from the same ones);
 *  - event.v1.json's `oneOf` on type and state: each documented `<type>.<state>` in its $defs is
 *    applied to `data`, an unknown `alarm.*` type is rejected, an unknown other type still passes
 *    (consumers must accept new non-alarm types: docs/uplink.md section 14);
 *  - docs/asyncapi.yaml (AsyncAPI 3.0): channels from topics() (the addresses the uplink publishes
 *    to), commands from the protocol (COMMAND_ARGS minus the local-only ones), messages by $ref to
 *    the JSON Schemas: the same files, not a copy.
 * `npm run contract-docs` writes them; tests/unit/uplink/contract-docs.test.ts fails when the
 * committed files differ from what this generates.
 */
type Json = Record<string, unknown>;
const SCHEMA = 'https://json-schema.org/draft/2020-12/schema';
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** A zod schema as a JSON Schema within what the contract test's validator enforces (loose objects: additionalProperties true). */
function fromZod(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { unrepresentable: 'throw' }) as Json;
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (n === null || typeof n !== 'object') return n;
    const o: Json = {};
    for (const [k, v] of Object.entries(n as Json)) {
      if (k === 'additionalProperties' && v !== null && typeof v === 'object' && Object.keys(v).length === 0) o[k] = true;
      else o[k] = walk(v);
    }
    return o;
  };
  return walk(out) as Json;
}

function messageSchema(file: string): Json {
  const m = GENERATED_MESSAGES[file]!;
  const { $schema: _s, description, ...rest } = fromZod(m.schema);
  return { $schema: SCHEMA, $id: `https://anju.example/schemas/${file}`, title: m.title, description, ...rest, examples: [m.example] };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** event.v1.json with its oneOf regenerated from its $defs. */
export function eventSchemaWithDispatch(committed: Json): Json {
  const defs = Object.keys(committed.$defs as Json);
  const split = (d: string) => ({ type: d.slice(0, d.lastIndexOf('.')), state: d.slice(d.lastIndexOf('.') + 1) });
  const known = [...new Set(defs.map((d) => split(d).type))].sort();
  const branches: Json[] = defs.map((d) => {
    const { type, state } = split(d);
    return { type: 'object', properties: { type: { const: type }, state: { const: state }, data: { $ref: `#/$defs/${d}` } } };
  });
  branches.push({
    description: 'Any other type that is not an alarm: a newer hub\'s event, accepted with any data (section 14). An alarm.* type the hub does not document is rejected.',
    type: 'object',
    properties: { type: { type: 'string', pattern: `^(?!alarm\\.)(?!(?:${known.map(escape).join('|')})$)` } },
  });
  const { oneOf: _old, $defs, examples, ...head } = committed;
  return { ...head, oneOf: branches, $defs, examples };
}

/** command-response.v1.json with the data of the commands whose replies are zod schemas. */
export function responseSchemaWithGenerated(committed: Json): Json {
  const defs = { ...(committed.$defs as Json) };
  for (const [cmd, schema] of [['get-config', getConfigReply], ['report-night', reportNightReply]] as const) {
    const { $schema: _s, ...reply } = fromZod(schema);
    defs[`data.${cmd}`] = { ...reply, description: `data of a successful ${cmd} (generated from src/uplink/contract-schemas.ts).` };
  }
  return { ...committed, $defs: defs };
}

interface ChannelSpec { id: string; address: string; file: string; action: 'send' | 'receive'; retain: boolean; qos: 0 | 1; summary: string }

export function asyncApi(): Json {
  const t = topics('{hubId}');
  const channels: ChannelSpec[] = [
    { id: 'events', address: t.events, file: 'event.v1.json', action: 'send', retain: false, qos: 1, summary: 'Alarms and events, gapless seq (section 4).' },
    { id: 'unstored', address: t.unstored, file: 'unstored.v1.json', action: 'send', retain: false, qos: 1, summary: 'An event the hub could not commit yet, without seq (section 4a).' },
    { id: 'reports', address: t.reports, file: 'report.v1.json', action: 'send', retain: false, qos: 1, summary: 'Reports such as report.sleep, their own report_seq (section 6a).' },
    { id: 'telemetry', address: t.telemetry, file: 'telemetry.v1.json', action: 'send', retain: false, qos: 1, summary: 'Readings in batches (section 6).' },
    { id: 'status', address: t.status, file: 'status.v1.json', action: 'send', retain: true, qos: 1, summary: 'Birth and will (section 7).' },
    { id: 'inventory', address: t.inventory, file: 'inventory.v1.json', action: 'send', retain: true, qos: 1, summary: 'The home: hub and devices (section 7a).' },
    { id: 'availability', address: t.availability('{deviceId}'), file: 'availability.v1.json', action: 'send', retain: true, qos: 1, summary: 'One device online or offline (section 7b).' },
    { id: 'heartbeat', address: t.heartbeat, file: 'heartbeat.v1.json', action: 'send', retain: false, qos: 0, summary: 'Pipeline health (section 8).' },
    { id: 'ack', address: t.ack, file: 'ack.v1.json', action: 'receive', retain: false, qos: 1, summary: 'The cloud\'s acknowledgement (section 9).' },
  ];
  const cloudCommands = Object.keys(COMMAND_ARGS).filter((c) => !(LOCAL_ONLY_COMMANDS as readonly string[]).includes(c)).sort();
  const msgName = (file: string) => file.replace(/\.v1\.json$/, '');
  const params = (address: string): Json | undefined => {
    const names = [...address.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    return names.length === 0 ? undefined : Object.fromEntries(names.map((n) => [n, { description: n === 'hubId' ? 'Hub id (config hub.id).' : n === 'deviceId' ? 'Device id (config devices[].id).' : n }]));
  };
  const doc: Json = {
    asyncapi: '3.0.0',
    info: {
      title: 'Anju hub MQTT contract',
      version: '1',
      description: 'Generated by src/uplink/contract-docs.ts (npm run contract-docs) from the topics in src/uplink/contract.ts, the commands in src/control/protocol.ts and the JSON Schemas in docs/schema (JSON Schema 2020-12), which the payloads reference. The prose is docs/uplink.md.',
    },
    defaultContentType: 'application/json',
    channels: {} as Json,
    operations: {} as Json,
    components: { messages: {} as Json },
  };
  const addMessage = (file: string) => {
    (doc.components as { messages: Json }).messages[msgName(file)] = { name: msgName(file), contentType: 'application/json', payload: { $ref: `./schema/${file}` } };
    return { $ref: `#/components/messages/${msgName(file)}` };
  };
  for (const c of channels) {
    const p = params(c.address);
    (doc.channels as Json)[c.id] = { address: c.address, ...(p ? { parameters: p } : {}), description: c.summary, messages: { [msgName(c.file)]: addMessage(c.file) } };
    (doc.operations as Json)[`${c.action}-${c.id}`] = {
      action: c.action, channel: { $ref: `#/channels/${c.id}` }, bindings: { mqtt: { qos: c.qos, retain: c.retain } },
    };
  }
  const response = addMessage('command-response.v1.json');
  (doc.channels as Json).commandResponse = {
    address: null, description: 'The MQTT 5 response topic the command named; correlation data echoed (section 10).', messages: { 'command-response': response },
  };
  for (const name of cloudCommands) {
    const id = `cmd-${name}`;
    (doc.channels as Json)[id] = { address: `${t.cmdPrefix}${name}`, parameters: params(t.cmdPrefix), description: `The ${name} command (section 10).`, messages: { [id]: addMessage(`${id}.v1.json`) } };
    (doc.operations as Json)[`receive-${id}`] = {
      action: 'receive', channel: { $ref: `#/channels/${id}` }, bindings: { mqtt: { qos: 1 } },
      reply: { address: { location: '$message.header#/responseTopic' }, channel: { $ref: '#/channels/commandResponse' } },
    };
  }
  return doc;
}

/** Every generated file (repository-relative path -> content), from the committed schemas where they are the source. */
export function generateContractDocs(root: string): Map<string, string> {
  const read = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8')) as Json;
  const out = new Map<string, string>();
  for (const file of Object.keys(GENERATED_MESSAGES)) out.set(`docs/schema/${file}`, json(messageSchema(file)));
  out.set('docs/schema/event.v1.json', json(eventSchemaWithDispatch(read('docs/schema/event.v1.json'))));
  out.set('docs/schema/command-response.v1.json', json(responseSchemaWithGenerated(read('docs/schema/command-response.v1.json'))));
  out.set('docs/asyncapi.yaml', `# GENERATED by src/uplink/contract-docs.ts (npm run contract-docs): do not edit by hand.\n${stringify(asyncApi(), { lineWidth: 0 })}`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? '.');
  for (const [path, text] of generateContractDocs(root)) writeFileSync(join(root, path), text);
}

/**
 * The generated parts of the MQTT contract (issue 16): docs/schema/inventory.v1.json,
 * availability.v1.json, event.v1.json's oneOf, command-response's data.get-config and
 * docs/asyncapi.yaml are what src/uplink/contract-docs.ts makes of the one source (zod schemas,
 * topics(), the protocol); and the event schema now enforces each known type's data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateContractDocs } from '../../../src/uplink/contract-docs.js';
import { ROOT } from '../../helpers/daemon-process.js';
import { check, schemas, type Json } from '../../integration/uplink-contract.schemas.js';

const example = (schemas['event.v1.json']!.examples as Json[])[0]!;

describe('contract documents generated from one source', () => {
  it('the committed files equal the generated ones (run npm run contract-docs after changing the source)', () => {
    const generated = generateContractDocs(ROOT);
    expect([...generated.keys()].sort()).toEqual(['docs/asyncapi.yaml', 'docs/schema/availability.v1.json', 'docs/schema/command-response.v1.json', 'docs/schema/event.v1.json', 'docs/schema/inventory.v1.json']);
    for (const [path, text] of generated) expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is stale: npm run contract-docs`).toBe(text);
  });

  it('the AsyncAPI 3 document names every channel and cloud command, payloads by $ref to docs/schema', () => {
    const doc = parse(readFileSync(join(ROOT, 'docs/asyncapi.yaml'), 'utf8')) as { asyncapi: string; channels: Record<string, { address: string | null }>; operations: Record<string, { action: string; bindings?: { mqtt: { retain?: boolean } } }>; components: { messages: Record<string, { payload: { $ref: string } }> } };
    expect(doc.asyncapi).toBe('3.0.0');
    const addresses = Object.values(doc.channels).map((c) => c.address);
    for (const a of ['anju/v1/{hubId}/events', 'anju/v1/{hubId}/inventory', 'anju/v1/{hubId}/devices/{deviceId}/availability', 'anju/v1/{hubId}/cmd/get-config', 'anju/v1/{hubId}/cmd/set-config']) expect(addresses).toContain(a);
    expect(addresses).not.toContain('anju/v1/{hubId}/cmd/permit-join'); // local only
    expect(doc.operations['send-inventory']?.bindings?.mqtt.retain).toBe(true);
    for (const m of Object.values(doc.components.messages)) expect(Object.keys(schemas), m.payload.$ref).toContain(m.payload.$ref.replace('./schema/', ''));
  });

  it('event.v1.json enforces the data of each known type and rejects unknown alarm types', () => {
    expect(check('event.v1.json', example)).toEqual([]);
    expect(check('event.v1.json', { ...example, data: { ...(example.data as Json), breathRatePerMin: 'thirty' } })).not.toEqual([]);
    expect(check('event.v1.json', { ...example, data: {} })).not.toEqual([]);
    expect(check('event.v1.json', { ...example, type: 'alarm.made_up' })).not.toEqual([]);
    expect(check('event.v1.json', { ...example, state: 'info' }), 'alarm.breathing_rate has no info state').not.toEqual([]);
    // A newer hub's non-alarm event type still passes (consumers accept unknown types, docs/uplink.md section 14).
    expect(check('event.v1.json', { ...example, type: 'hub.something_new', severity: 'info', state: 'info', data: { anything: 1 } })).toEqual([]);
    expect(check('event.v1.json', { ...example, type: 'hub.test', severity: 'info', device: null, state: 'info', data: { nonce: 'n1', by: 'walktest:x' } })).toEqual([]);
    expect(check('event.v1.json', { ...example, type: 'hub.test', severity: 'info', device: null, state: 'info', data: { nonce: 5 } })).not.toEqual([]);
  });
});

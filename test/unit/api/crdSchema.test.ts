// The CRDs (crds/*.yaml, also the chart's) and the operator's zod schemas (src/api/types.ts) describe the
// same spec twice: the API server validates with the first, the operator reads with the second. A field in
// one and not the other would fail only at run time (dropped by the API server, or refused by the
// operator), so every field's presence, type, enum, default and requiredness is compared here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import { BotSpecSchema, ChannelSpecSchema } from '../../../src/api/types.js';

type Json = Record<string, unknown>;

/** What both schemas must agree on at one node; everything else (lengths, patterns, CEL) may differ. */
interface Shape {
  type?: string;
  enum?: string;
  default?: string;
  required?: string;
  properties?: Record<string, Shape>;
  items?: Shape;
  additionalProperties?: Shape;
}

function shapeOf(node: Json | undefined): Shape | undefined {
  if (!node) return undefined;
  // A union is anyOf on both sides (the CRD's int-or-string fields list integer and string there): compared
  // as the sorted list of its members' types.
  if (Array.isArray(node.anyOf)) {
    const types = (node.anyOf as Json[]).map((n) => String(n.type)).sort();
    return { type: `anyOf(${types.join('|')})`, ...(node.default !== undefined ? { default: JSON.stringify(node.default) } : {}) };
  }
  const shape: Shape = {};
  if (typeof node.type === 'string') shape.type = node.type;
  if (Array.isArray(node.enum)) shape.enum = JSON.stringify([...(node.enum as unknown[])].map(String).sort());
  if (node.default !== undefined) shape.default = JSON.stringify(node.default);
  if (Array.isArray(node.required) && node.required.length) shape.required = JSON.stringify([...(node.required as string[])].sort());
  if (node.properties && typeof node.properties === 'object') {
    shape.properties = {};
    for (const [k, v] of Object.entries(node.properties as Record<string, Json>)) shape.properties[k] = shapeOf(v)!;
  }
  if (node.items && typeof node.items === 'object') shape.items = shapeOf(node.items as Json);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    shape.additionalProperties = shapeOf(node.additionalProperties as Json);
  return shape;
}

/** Every place where the two shapes disagree, as "path: what". */
export function schemaDifferences(crd: Shape | undefined, code: Shape | undefined, at = 'spec'): string[] {
  if (!crd && !code) return [];
  if (!crd) return [`${at}: in the code's schema, not in the CRD`];
  if (!code) return [`${at}: in the CRD, not in the code's schema`];
  const out: string[] = [];
  for (const k of ['type', 'enum', 'default', 'required'] as const) {
    if (k === 'default' && crd.default === undefined && impliedByCrd(code.default, crd)) continue;
    if (crd[k] !== code[k]) out.push(`${at}: ${k} is ${crd[k] ?? 'unset'} in the CRD, ${code[k] ?? 'unset'} in the code`);
  }
  const names = new Set([...Object.keys(crd.properties ?? {}), ...Object.keys(code.properties ?? {})]);
  for (const n of [...names].sort()) out.push(...schemaDifferences(crd.properties?.[n], code.properties?.[n], `${at}.${n}`));
  out.push(...schemaDifferences(crd.items, code.items, `${at}[]`));
  out.push(...schemaDifferences(crd.additionalProperties, code.additionalProperties, `${at}{}`));
  return out;
}

/**
 * The code may default an absent field where the CRD does not, when that default is what the CRD's own
 * defaults give an empty object (or an empty list or map): the operator then reads an absent field and an
 * empty one the same way, and the API server stores exactly what the user wrote.
 */
function impliedByCrd(codeDefault: string | undefined, crd: Shape): boolean {
  if (codeDefault === undefined) return false;
  const dropEmpty = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length ? v : undefined;
    if (!v || typeof v !== 'object') return v;
    const kept = Object.entries(v)
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([k, x]) => (dropEmpty(x) === undefined ? [] : [[k, dropEmpty(x)] as const]));
    return kept.length ? Object.fromEntries(kept) : undefined;
  };
  const crdDefaults = (shape: Shape): unknown => {
    if (shape.default !== undefined) return JSON.parse(shape.default);
    if (!shape.properties) return undefined;
    return Object.fromEntries(Object.entries(shape.properties).map(([k, child]) => [k, crdDefaults(child)]));
  };
  return JSON.stringify(dropEmpty(JSON.parse(codeDefault))) === JSON.stringify(dropEmpty(crdDefaults(crd)));
}

function crdSpec(file: string): Shape {
  const doc = load(readFileSync(path.join(process.cwd(), 'crds', file), 'utf8')) as Json;
  const versions = (doc.spec as Json).versions as Json[];
  const schema = (versions[0]!.schema as Json).openAPIV3Schema as Json;
  return shapeOf((schema.properties as Json).spec as Json)!;
}

function codeSpec(schema: z.ZodType): Shape {
  return shapeOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }))!;
}

describe('the CRDs and the code read the same spec', () => {
  test.each([
    ['TelegramChannel', 'telegram.notify.dev_telegramchannels.yaml', ChannelSpecSchema],
    ['ClusterTelegramBot', 'telegram.notify.dev_clustertelegrambots.yaml', BotSpecSchema],
  ] as const)('%s: every field, type, enum, default and required list agree', (_kind, file, schema) => {
    expect(schemaDifferences(crdSpec(file), codeSpec(schema))).toEqual([]);
  });

  test('a field added to one side only is reported, with its path', () => {
    const crd = crdSpec('telegram.notify.dev_telegramchannels.yaml');
    const withExtra = z.object({ ...ChannelSpecSchema.shape, newField: z.string().optional() });
    expect(schemaDifferences(crd, codeSpec(withExtra))).toEqual(["spec.newField: in the code's schema, not in the CRD"]);

    const crdWithExtra: Shape = { ...crd, properties: { ...crd.properties, onlyInCrd: { type: 'boolean' } } };
    expect(schemaDifferences(crdWithExtra, codeSpec(ChannelSpecSchema))).toEqual(["spec.onlyInCrd: in the CRD, not in the code's schema"]);
  });

  test('a changed default or enum deep in the tree is reported', () => {
    const crd = crdSpec('telegram.notify.dev_telegramchannels.yaml');
    const silence = crd.properties!.alertmanager!.properties!.silence!;
    const changed: Shape = {
      ...crd,
      properties: {
        ...crd.properties,
        alertmanager: {
          ...crd.properties!.alertmanager,
          properties: {
            ...crd.properties!.alertmanager!.properties,
            silence: {
              ...silence,
              properties: { ...silence.properties, allowed: { ...silence.properties!.allowed, default: '"Members"' } },
            },
          },
        },
      },
    };
    expect(schemaDifferences(changed, codeSpec(ChannelSpecSchema))).toEqual([
      'spec.alertmanager.silence.allowed: default is "Members" in the CRD, "Administrators" in the code',
    ]);
  });
});

import { incompatibilities } from './compatibility';
import type { JsonSchema } from './json-schema';

const published: JsonSchema = {
  $id: 'x',
  description: 'v1',
  type: 'object',
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    totalCents: { type: 'integer', minimum: 0 },
    note: { type: 'string' },
    status: { type: 'string', enum: ['A', 'B'] },
    items: {
      type: 'array',
      items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
    },
  },
  required: ['orderId', 'totalCents', 'status', 'items'],
};

interface Property {
  type?: string;
  minimum?: number;
  enum?: string[];
  items?: { properties: Record<string, Property> };
}
interface Editable {
  description?: string;
  properties: Record<string, Property>;
  required: string[];
}

function change(mutate: (schema: Editable) => void): string[] {
  const copy = structuredClone(published) as unknown as Editable;
  mutate(copy);
  return incompatibilities(published, copy as unknown as JsonSchema);
}

describe('incompatibilities', () => {
  it('accepts an unchanged schema, new documentation and a new optional property', () => {
    expect(change(() => undefined)).toEqual([]);
    expect(change((s) => (s.description = 'clearer words'))).toEqual([]);
    expect(change((s) => (s.properties.coupon = { type: 'string' }))).toEqual([]);
  });

  it.each<[string, (schema: Editable) => void, string]>([
    ['a removed property', (s) => delete s.properties.totalCents, '$.totalCents: removed'],
    [
      'a new required property',
      (s) => {
        s.properties.x = { type: 'string' };
        s.required.push('x');
      },
      '$.x: added as required',
    ],
    ['an optional property made required', (s) => s.required.push('note'), '$.note: became required'],
    ['a required property made optional', (s) => s.required.splice(0, 1), '$.orderId: became optional'],
    ['a changed type', (s) => (s.properties.totalCents.type = 'number'), '$.totalCents: "type" changed'],
    ['a tighter bound', (s) => (s.properties.totalCents.minimum = 1), '$.totalCents: "minimum" changed'],
    ['an enum value added', (s) => s.properties.status.enum?.push('C'), '$.status: "enum" changed'],
    [
      'a change deep inside array items',
      (s) => (s.properties.items.items!.properties.sku.type = 'integer'),
      '$.items.items.sku: "type" changed',
    ],
  ])('reports %s', (_what, mutate, message) => {
    expect(change(mutate).join('\n')).toContain(message);
  });
});

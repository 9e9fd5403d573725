import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from './printed-schema';

describe('the committed schema file', () => {
  it('matches the code (run `pnpm generate` after changing the schema and review the diff)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    // A failing diff here is the visible record of a schema change, breaking or not.
    expect(printedSchema()).toBe(committed);
  });
});

describe('every part of the schema says what it is', () => {
  it('has a description on every type, field, argument, input field and enum value', async () => {
    const { schema } = await import('./schema');
    const {
      isEnumType,
      isInputObjectType,
      isInterfaceType,
      isObjectType,
      isScalarType,
      isSpecifiedScalarType,
      isUnionType,
    } = await import('graphql');
    const missing: string[] = [];
    const check = (where: string, description: string | null | undefined) => {
      if (!description?.trim()) missing.push(where);
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isScalarType(type) && isSpecifiedScalarType(type)) continue;
      // Union results of mutations are named by Pothos after their field, which is described.
      if (!isUnionType(type) && !/^Mutation\w+Success$/.test(type.name)) {
        check(type.name, type.description);
      }
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          // Success payloads carry one `data` field; connection plumbing is Relay's own.
          if (/^Mutation\w+Success$/.test(type.name)) continue;
          check(`${type.name}.${field.name}`, field.description);
          for (const arg of field.args) {
            // node(id:) is the Relay plugin's own field; its argument cannot carry a description.
            if (type.name === 'Query' && field.name === 'node') continue;
            check(`${type.name}.${field.name}(${arg.name})`, arg.description);
          }
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields()))
          check(`${type.name}.${field.name}`, field.description);
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          check(`${type.name}.${value.name}`, value.description);
      }
    }
    expect(missing, 'schema parts without a description').toEqual([]);
  });
});

describe('every part of the schema carries an auth scope', () => {
  it('has a scope on every object type, interface and root field', async () => {
    const { schema } = await import('./schema');
    const { isInterfaceType, isObjectType } = await import('graphql');
    const scoped = (extensions: unknown) =>
      Boolean(
        (extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes,
      );
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
      if (type.name === 'Query' || type.name === 'Mutation') {
        for (const field of Object.values(type.getFields())) {
          if (!scoped(field.extensions)) missing.push(`${type.name}.${field.name}`);
        }
        continue;
      }
      // Relay's page plumbing and Pothos's mutation payloads are reached only through a scoped
      // field and carry no data of their own; the types inside them are scoped.
      if (/(Connection|Edge|^PageInfo|^Mutation\w+Success)$/.test(type.name)) continue;
      if (!scoped(type.extensions)) missing.push(type.name);
    }
    expect(missing, 'types and root fields without an auth scope').toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { audience, decodeGlobalID } from './builder';
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

type Extensions = {
  audience?: string;
  pothosOptions?: { authScopes?: unknown };
};
const scopesOf = (extensions: unknown) => (extensions as Extensions).pothosOptions?.authScopes;
const audienceOf = (extensions: unknown) => (extensions as Extensions).audience;
/** Relay's page plumbing and Pothos's mutation payloads carry no data of their own. */
const plumbing = /(Connection|Edge|^PageInfo|^Mutation\w+Success)$/;

describe('every part of the schema carries an auth scope or an audience', () => {
  it('has an audience (or its own scope) on every object type and interface, a scope on every root field', async () => {
    const { schema } = await import('./schema');
    const { isInterfaceType, isObjectType } = await import('graphql');
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
      if (type.name === 'Query' || type.name === 'Mutation') {
        for (const field of Object.values(type.getFields())) {
          if (!scopesOf(field.extensions)) missing.push(`${type.name}.${field.name}`);
        }
        continue;
      }
      if (plumbing.test(type.name)) continue;
      const declared = audienceOf(type.extensions);
      if (
        declared !== audience.anyone.audience &&
        declared !== audience.signedIn.audience &&
        !scopesOf(type.extensions)
      ) {
        missing.push(type.name);
      }
    }
    expect(missing, 'types and root fields without an auth scope or audience').toEqual([]);
  });

  it('lets a signed-out caller reach only types whose audience is anyone', async () => {
    // Types for signed-in callers carry no per-field check (decision 0018): what keeps a
    // signed-out caller from their fields is that no path from a root field it may call leads
    // there without passing a field or type whose own scopes require a sign-in.
    const { schema } = await import('./schema');
    const { getNamedType, isInterfaceType, isObjectType, isUnionType } = await import('graphql');
    const admitsSignedOut = (scopes: unknown) =>
      typeof scopes === 'function' ||
      (typeof scopes === 'object' && scopes !== null && 'public' in scopes);
    const reached = new Map<string, string>();
    const visit = (typeName: string, via: string) => {
      if (reached.has(typeName)) return;
      reached.set(typeName, via);
      const type = schema.getType(typeName)!;
      const possible = isUnionType(type)
        ? type.getTypes()
        : isInterfaceType(type)
          ? schema.getPossibleTypes(type)
          : [];
      for (const member of possible) visit(member.name, `${via} → ${member.name}`);
      if (!(isObjectType(type) || isInterfaceType(type))) return;
      // A type with its own scopes checks them on each of its fields: a barrier when they do.
      const typeScopes = scopesOf(type.extensions);
      if (typeScopes && !admitsSignedOut(typeScopes)) return;
      for (const field of Object.values(type.getFields())) {
        const scopes = scopesOf(field.extensions);
        if (scopes && !admitsSignedOut(scopes)) continue;
        visit(getNamedType(field.type).name, `${via}.${field.name}`);
      }
    };
    for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
      for (const field of Object.values(root.getFields())) {
        if (admitsSignedOut(scopesOf(field.extensions))) {
          visit(getNamedType(field.type).name, `${root.name}.${field.name}`);
        }
      }
    }
    const leaks: string[] = [];
    for (const [name, via] of reached) {
      const type = schema.getType(name)!;
      if (!(isObjectType(type) || isInterfaceType(type)) || plumbing.test(name)) continue;
      if (scopesOf(type.extensions) && !admitsSignedOut(scopesOf(type.extensions))) continue;
      if (audienceOf(type.extensions) !== audience.anyone.audience)
        leaks.push(`${name} via ${via}`);
    }
    expect(leaks, 'signed-in types a signed-out caller can reach').toEqual([]);
    // The walk itself is live: the public roots lead to these.
    expect([...reached.keys()]).toEqual(
      expect.arrayContaining(['Viewer', 'CertificateVerification', 'LoginPayload']),
    );
  });
});

describe('node ids', () => {
  it('resolve synchronously to base64("Type:id") on every Node type, and decode back', async () => {
    const { schema } = await import('./schema');
    const { isObjectType } = await import('graphql');
    const nodeTypes = Object.values(schema.getTypeMap()).filter(
      (type): type is GraphQLObjectType =>
        isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node'),
    );
    expect(nodeTypes.length).toBeGreaterThanOrEqual(12);
    for (const type of nodeTypes) {
      const id = type.getFields().id!.resolve!({ id: 42 }, {}, {}, {} as never);
      expect(id, type.name).toBe(Buffer.from(`${type.name}:42`).toString('base64'));
      expect(decodeGlobalID(id as string)).toEqual({ typename: type.name, id: '42' });
    }
  });
});

import {
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsAnyOf } from './selection';

/** The resolve info of the first field of the operation: its field nodes and the fragments. */
function infoOf(document: string): GraphQLResolveInfo {
  const parsed = parse(document);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let field: FieldNode | undefined;
  for (const definition of parsed.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    if (definition.kind === Kind.OPERATION_DEFINITION)
      field = definition.selectionSet.selections[0] as FieldNode;
  }
  return { fieldNodes: [field!], fragments } as unknown as GraphQLResolveInfo;
}

const wanted = new Set(['plannedHours', 'uncredited']);

describe('selectsAnyOf', () => {
  it.each([
    ['a direct field', '{ progress { total { earned } uncredited { hours } } }', true],
    ['only other fields', '{ progress { total { earned } entryCount } }', false],
    ['a nested field of the same name', '{ progress { total { uncredited } } }', false],
    ['an inline fragment', '{ progress { ... on P { plannedHours } } }', true],
    ['a named fragment', '{ progress { ...F } } fragment F on P { uncredited { hours } }', true],
    ['a named fragment without it', '{ progress { ...F } } fragment F on P { entryCount }', false],
    ['fragments spread twice', '{ progress { ...F ...F } } fragment F on P { entryCount }', false],
    ['an unknown fragment (errs towards loading)', '{ progress { ...Missing } }', true],
    ['a conditional selection', '{ progress { plannedHours @skip(if: true) } }', true],
  ])('%s', (_name, document, expected) => {
    expect(selectsAnyOf(infoOf(document), wanted)).toBe(expected);
  });
});

describe('selectsAnyOf under a path', () => {
  const activity = new Set(['activity']);
  const items = ['edges', 'node'];
  it.each([
    ['the items’ field', '{ entries { edges { node { id activity { code } } } } }', true],
    ['the items without it', '{ entries { edges { node { id kind } } } }', false],
    ['the name elsewhere on the path', '{ entries { edges { activity } } }', false],
    ['the name directly under the field', '{ entries { activity edges { node { id } } } }', false],
    [
      'a fragment on the connection',
      '{ entries { ...C } } fragment C on X { edges { node { activity { id } } } }',
      true,
    ],
    [
      'a fragment on the item',
      '{ entries { edges { node { ...E } } } } fragment E on Y { activity { id } }',
      true,
    ],
    [
      'one fragment at two depths',
      '{ entries { ...E edges { node { ...E } } } } fragment E on Y { activity { id } }',
      true,
    ],
    [
      'an inline fragment on the edge',
      '{ entries { edges { ... on Edge { node { activity { id } } } } } }',
      true,
    ],
    [
      'an unknown fragment on the path (errs towards loading)',
      '{ entries { edges { ...Missing } } }',
      true,
    ],
  ])('%s', (_name, document, expected) => {
    expect(selectsAnyOf(infoOf(document), activity, items)).toBe(expected);
  });
});

import { maxPageSize } from '@registry/db';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * What one request may ask of the gateway. Hostile or careless documents are refused while
 * they are validated, before any resolver runs, so Apollo answers 400 (never 500) in time
 * bounded by the document size, which the token limit and the 1 MB body limit bound in turn.
 *
 * The largest legitimate documents of the SPA and the reporting clients stay far below: the
 * nested activity page (100 activities → sessions → trainers) costs about 40,000 and is 7
 * levels deep.
 */
export const requestLimits = {
  /** Lexer tokens per document; enforced by graphql-js's parser (Apollo `parseOptions`). */
  maxTokens: 5_000,
  /** Nesting of selection sets, fragments expanded; introspection fields are not counted. */
  maxDepth: 12,
  /** Aliased fields per operation: aliases multiply work without adding depth. */
  maxAliases: 30,
  /** Directives per operation. */
  maxDirectives: 50,
  /** Estimated fields resolved, lists multiplied by their page size (see `estimateCost`). */
  maxCost: 100_000,
  /**
   * Nesting of arrays and objects in a JSON request body. The deepest legitimate body (an
   * attendance record: body → variables → input → entries → entry) is 5 levels; anything far
   * deeper is hostile, and refusing it at the edge keeps it from ever reaching graphql-js.
   */
  maxBodyDepth: 64,
};

/** Whether JSON `value` nests arrays and objects more than `max` levels; never recursive. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > max) return true;
    const children = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children) {
      if (child !== null && typeof child === 'object')
        pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

/**
 * graphql-js reports two refusals in words that do not say what to change: the parser runs out
 * of stack on a document nested a few thousand levels (well inside the token limit), and the
 * overlapping-fields rule stops at its work budget on a field repeated thousands of times. Both
 * are still 400s; only the message is replaced.
 */
export function clearerMessage(message: string, code: unknown): string {
  if (code === 'GRAPHQL_PARSE_FAILED' && message === 'Maximum call stack size exceeded') {
    return 'The document is nested too deeply to parse.';
  }
  if (code === 'GRAPHQL_VALIDATION_FAILED' && message === 'Validation aborted.') {
    return 'Validation aborted: the document repeats too many fields to check; ask for each field once.';
  }
  if (isVariableErrorLimit(message)) {
    return 'Too many invalid variable values: the first 50 are listed; correct them and send again.';
  }
  return message;
}

/**
 * graphql-js stops coercing variables after 50 errors and adds one more saying so. Apollo codes
 * the 50 BAD_USER_INPUT but not that one, which then answered INTERNAL_SERVER_ERROR beside
 * them (found by fuzzing, issue 7 point 3: a list of 1,001 invalid eligibility decisions). It
 * is about the client's input like the others.
 */
export function isVariableErrorLimit(message: string): boolean {
  return (
    message === 'Too many errors processing variables, error limit reached. Execution aborted.'
  );
}

/** A page of a connection without `first` is this long (the lists' default page size). */
const defaultPageSize = 20;
/**
 * Validation results are cached per document, not per variables, so a page size given as a
 * variable counts as the largest page a list serves.
 */
const variablePageSize = maxPageSize;
/** Plain lists (an activity's sessions, a session's trainers) are assumed this long. */
const assumedListLength = 10;

function refuse(context: ValidationContext, message: string, node: OperationDefinitionNode) {
  context.reportError(
    new GraphQLError(message, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
  );
}

/** Visits one field; `parent` is the type the field is selected on, when known. */
type FieldVisitor = (
  field: FieldNode,
  parent: GraphQLNamedType | undefined,
  depth: number,
) => number;

/**
 * What each fragment added at each depth, per visitor (one visitor per rule and operation).
 * Without it a walk is exponential in the document: fifty tokens of fragments that each spread
 * the previous one twice expand to 2^24 fields and held the event loop for over a minute.
 * A fragment's total depends only on the fragment and the depth it is spread at (its type
 * condition fixes its parent type), so it is computed once per depth.
 */
const fragmentTotals = new WeakMap<FieldVisitor, Map<string, number>>();

/**
 * Walks a selection set with fragments expanded, summing what `visit` returns. Fragment cycles
 * are graphql-js's to report; here a fragment is never entered twice on one path.
 */
function walk(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  visit: FieldVisitor,
  depth: number,
  seen: ReadonlySet<string> = new Set(),
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total += visit(selection, parent, depth);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const narrowed = selection.typeCondition
        ? context.getSchema().getType(selection.typeCondition.name.value)
        : parent;
      total += walk(context, selection.selectionSet, narrowed ?? undefined, visit, depth, seen);
    } else {
      const name = selection.name.value;
      const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
      if (fragment && !seen.has(name)) {
        let totals = fragmentTotals.get(visit);
        if (!totals) fragmentTotals.set(visit, (totals = new Map()));
        const key = `${name}@${depth}`;
        let added = totals.get(key);
        if (added === undefined) {
          const narrowed = context.getSchema().getType(fragment.typeCondition.name.value);
          added = walk(
            context,
            fragment.selectionSet,
            narrowed ?? undefined,
            visit,
            depth,
            new Set([...seen, name]),
          );
          totals.set(key, added);
        }
        total += added;
      }
    }
  }
  return total;
}

function fieldType(
  parent: GraphQLNamedType | undefined,
  field: FieldNode,
): GraphQLOutputType | undefined {
  if (!parent || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
  return parent.getFields()[field.name.value]?.type;
}

function isIntrospection(field: FieldNode): boolean {
  return field.name.value.startsWith('__');
}

/** Fragments can multiply counts past what a double holds exactly; say so instead of 1e+300. */
function count(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : `more than ${Number.MAX_SAFE_INTEGER}`;
}

function operationLabel(operation: OperationDefinitionNode): string {
  return operation.name ? `Operation "${operation.name.value}"` : 'The operation';
}

function rootType(context: ValidationContext, operation: OperationDefinitionNode) {
  return context.getSchema().getRootType(operation.operation) ?? undefined;
}

export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      let deepest = 0;
      const visit: FieldVisitor = (field, parent, depth) => {
        if (isIntrospection(field)) return 0;
        deepest = Math.max(deepest, depth);
        // Stop descending once over the limit: the walk stays bounded on hostile documents.
        if (field.selectionSet && depth <= maxDepth) {
          walk(
            context,
            field.selectionSet,
            namedTypeOf(fieldType(parent, field)),
            visit,
            depth + 1,
          );
        }
        return 0;
      };
      walk(context, operation.selectionSet, rootType(context, operation), visit, 1);
      if (deepest > maxDepth) {
        refuse(
          context,
          `${operationLabel(operation)} is nested more than ${maxDepth} levels deep.`,
          operation,
        );
      }
    },
  });
}

export function aliasLimit(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      // Counted per expanded selection: a fragment spread ten times brings its aliases ten times.
      const visit: FieldVisitor = (field, parent, depth) =>
        (field.alias ? 1 : 0) +
        (field.selectionSet && depth <= requestLimits.maxDepth
          ? walk(
              context,
              field.selectionSet,
              namedTypeOf(fieldType(parent, field)),
              visit,
              depth + 1,
            )
          : 0);
      const aliases = walk(context, operation.selectionSet, rootType(context, operation), visit, 1);
      if (aliases > maxAliases) {
        refuse(
          context,
          `${operationLabel(operation)} uses ${count(aliases)} aliases; at most ${maxAliases} are allowed.`,
          operation,
        );
      }
    },
  });
}

export function directiveLimit(maxDirectives: number) {
  return (context: ValidationContext): ASTVisitor => {
    let directives = 0;
    return {
      Directive() {
        directives += 1;
      },
      Document: {
        leave(document) {
          const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
          if (directives > maxDirectives && operation) {
            refuse(
              context,
              `The document uses ${directives} directives; at most ${maxDirectives} are allowed.`,
              operation,
            );
          }
        },
      },
    };
  };
}

/**
 * Estimated work: every field costs 1, times the length of each list it sits in. A connection's
 * length is its `first` argument, else the default page size; a connection's own `edges` list
 * is that page and does not multiply again; other lists are assumed to hold ten items.
 * An estimate need not be exact, only grow with what a document can make the server do.
 */
export function costLimit(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const visit: FieldVisitor = (field, parent, depth) => {
        if (isIntrospection(field) || !field.selectionSet || depth > requestLimits.maxDepth)
          return 1;
        const type = fieldType(parent, field);
        const children = walk(context, field.selectionSet, namedTypeOf(type), visit, depth + 1);
        return 1 + multiplierOf(field, type, parent) * children;
      };
      const cost = walk(context, operation.selectionSet, rootType(context, operation), visit, 1);
      if (cost > maxCost) {
        refuse(
          context,
          `${operationLabel(operation)} is too expensive (estimated cost ${count(cost)}, limit ${maxCost}): ask for smaller pages or fewer nested lists.`,
          operation,
        );
      }
    },
  });
}

function multiplierOf(
  field: FieldNode,
  type: GraphQLOutputType | undefined,
  parent: GraphQLNamedType | undefined,
): number {
  const first = field.arguments?.find((argument) => argument.name.value === 'first');
  if (first) {
    if (first.value.kind === Kind.INT) return Math.max(1, Number(first.value.value));
    return variablePageSize;
  }
  if (type && isListType(getNullableType(type))) {
    return parent?.name.endsWith('Connection') ? 1 : assumedListLength;
  }
  if (type && namedTypeOf(type)?.name.endsWith('Connection')) return defaultPageSize;
  return 1;
}

function namedTypeOf(type: GraphQLOutputType | undefined): GraphQLNamedType | undefined {
  return type ? getNamedType(type) : undefined;
}

export const limitRules = [
  depthLimit(requestLimits.maxDepth),
  aliasLimit(requestLimits.maxAliases),
  directiveLimit(requestLimits.maxDirectives),
  costLimit(requestLimits.maxCost),
];

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
};

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
        const narrowed = context.getSchema().getType(fragment.typeCondition.name.value);
        total += walk(
          context,
          fragment.selectionSet,
          narrowed ?? undefined,
          visit,
          depth,
          new Set([...seen, name]),
        );
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
          `${operationLabel(operation)} uses ${aliases} aliases; at most ${maxAliases} are allowed.`,
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
          `${operationLabel(operation)} is too expensive (estimated cost ${cost}, limit ${maxCost}): ask for smaller pages or fewer nested lists.`,
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

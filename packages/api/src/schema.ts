import { isObjectType, type GraphQLFieldResolver } from 'graphql';
import { builder, nodeTypes, type NodeType } from './builder';
import { encodeGlobalID } from './global-id';
import './modules/scalars';
import './modules/enums';
import './modules/organizations/organization.schema';
import './modules/trainers/trainer.schema';
import './modules/sessions/session.schema';
import './modules/activities/activity.schema';
import './modules/activities/activity.mutations';
import './modules/activities/activity-lifecycle.mutations';
import './modules/teachers/teacher.schema';
import './modules/enrollments/enrollment.schema';
import './modules/enrollments/eligibility.schema';
import './modules/enrollments/enrollment.mutations';
import './modules/attendance/attendance.schema';
import './modules/attendance/attendance-writes';
import './modules/credits/credit.schema';
import './modules/credits/policy.schema';
import './modules/confirmations/confirmation.schema';
import './modules/confirmations/confirmation.mutations';
import './modules/confirmations/attendance-amendment.mutations';
import './modules/credits/ledger.mutations';
import './modules/reports/report.schema';
import './modules/certificates/certificate.schema';
import './modules/progress/progress.schema';
import './modules/evaluations/evaluation.schema';
import './modules/evaluations/evaluation.mutations';
import './modules/reports/activity-report.schema';
import './modules/errors/error.schema';
import './modules/auth/auth.schema';
import './modules/node.schema';

builder.queryType({ description: 'Reads of the registry.' });
builder.mutationType({
  description: 'Changes to the registry. Each returns a payload or typed errors.',
});

export const schema = builder.toSchema({ sortSchema: true });

type IdResolver = GraphQLFieldResolver<unknown, unknown, Record<string, never>, unknown>;

/*
 * Every Node type is registered for node(id:) and decodeGlobalID, and its id resolves
 * synchronously. The relay plugin resolves every `id` through an async function awaiting the
 * type's own id resolver, so each id in an answer cost a promise, an await and a deferred
 * completion in graphql-jit: 1,600 of them in a nested read (pnpm bench, W3). The id is read with
 * the type's own resolver (`builder.node(…, { id })`) and encoded as the plugin would
 * (schema.test.ts checks every Node type). No plugin wraps `id` (it carries no scopes: decision
 * 0018), so nothing else is bypassed.
 */
for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) continue;
  const options = (
    type.extensions as {
      pothosOptions?: {
        id?: { resolve?: IdResolver; parse?: NodeType['parse'] };
        loadMany?: NodeType['load'];
      };
    }
  ).pothosOptions;
  const idOf = options?.id?.resolve;
  const parse = options?.id?.parse;
  const field = type.getFields().id;
  if (!idOf || !parse || !options.loadMany || !field) {
    throw new Error(`Node type ${type.name} needs an id resolver, an id parser and loadMany`);
  }
  nodeTypes.set(type.name, { load: options.loadMany, parse });
  const typename = type.name;
  field.resolve = (parent, args, context, info) => {
    const id = idOf(parent, args as Record<string, never>, context, info);
    return id instanceof Promise
      ? id.then((value) => encodeGlobalID(typename, value as number | string))
      : encodeGlobalID(typename, id as number | string);
  };
}

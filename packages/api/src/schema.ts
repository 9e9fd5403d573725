import { isObjectType } from 'graphql';
import { builder, nodeTypeNames } from './builder';
import './modules/scalars';
import './modules/enums';
import './modules/organizations/organization.schema';
import './modules/trainers/trainer.schema';
import './modules/sessions/session.schema';
import './modules/activities/activity.schema';
import './modules/activities/activity.mutations';
import './modules/teachers/teacher.schema';
import './modules/enrollments/enrollment.schema';
import './modules/attendance/attendance.schema';
import './modules/credits/credit.schema';
import './modules/credits/policy.schema';
import './modules/confirmations/confirmation.schema';
import './modules/reports/report.schema';
import './modules/errors/error.schema';
import './modules/auth/auth.schema';

builder.queryType({ description: 'Reads of the registry.' });
builder.mutationType({
  description: 'Changes to the registry. Each returns a payload or typed errors.',
});

export const schema = builder.toSchema({ sortSchema: true });

for (const type of Object.values(schema.getTypeMap())) {
  if (isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node')) {
    nodeTypeNames.add(type.name);
  }
}

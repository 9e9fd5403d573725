import { isObjectType } from 'graphql';
import { builder, nodeTypeNames } from './builder';
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

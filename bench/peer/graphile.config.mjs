// PostGraphile v5 as the bench runs it: the Amber preset (given on the command line with
// -P postgraphile/presets/amber) plus two virtual foreign keys. attendance references
// sessions and enrollments through composite keys (id, activity_id), which PostGraphile does
// not turn into the session → attendance and enrollment → attendance relations the nested
// workload (W3) needs; these tags declare the same links on the single-column keys.
import { jsonPgSmartTags } from 'postgraphile/utils';

const attendanceLinks = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      attendance: {
        tags: {
          foreignKey: [
            '(session_id) references sessions (id)|@fieldName session|@foreignFieldName attendances',
            '(enrollment_id) references enrollments (id)|@fieldName enrollment|@foreignFieldName attendances',
          ],
        },
      },
    },
  },
});

export default {
  plugins: [attendanceLinks],
  grafserv: { graphiql: false },
};

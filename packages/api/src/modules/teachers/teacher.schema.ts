import { countTeachers, findTeachers, type TeacherFilter } from '@registry/db';
import type { Teacher } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { RoleTagEnum, StageEnum } from '../enums';
import { localIdOf, parseIntId } from '../ids';
import { OrganizationRef } from '../organizations/organization.schema';
import { connectionOf, pageOf, rethrowCursorAsync } from '../pagination';

export const TeacherRef = builder.objectRef<Teacher>('Teacher');

builder.node(TeacherRef, {
  extensions: audience.signedIn,
  description:
    'A teacher whose continuing education the registry records. Visible to the offices above their school, their school, themself, and the institutions and trainers of activities they take part in.',
  id: { resolve: (teacher) => teacher.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.teacher, ids),
  fields: (t) => ({
    nationalId: t.exposeString('nationalId', {
      description: 'National teacher ID, unique; how imports and rosters name a teacher.',
    }),
    name: t.exposeString('name', { description: 'Full name.' }),
    stage: t.expose('stage', { type: StageEnum, description: 'School stage they teach.' }),
    subjects: t.exposeStringList('subjects', { description: 'Subjects they teach, e.g. 数学.' }),
    roleTags: t.expose('roleTags', {
      type: [RoleTagEnum],
      description: 'Roles that rules can target.',
    }),
    yearsOfService: t.exposeInt('yearsOfService', { description: 'Completed years of teaching.' }),
    isRural: t.exposeBoolean('isRural', { description: 'Whether they teach at a rural school.' }),
    school: t.field({
      type: OrganizationRef,
      description: 'The school they teach at now.',
      resolve: (teacher, _args, context) =>
        context.loaders.organization.nowExisting(teacher.schoolId),
    }),
  }),
});

const TeacherFilterInput = builder.inputType('TeacherFilter', {
  description: 'Narrows a teacher list; every field is optional and they combine with AND.',
  fields: (t) => ({
    search: t.string({
      required: false,
      description:
        'Part of the name (Chinese works as typed) or the start of the national teacher ID.',
    }),
    schoolId: t.id({ required: false, description: 'Only teachers of this school.' }),
    stage: t.field({ type: [StageEnum], required: false, description: 'Any of these stages.' }),
  }),
});

builder.queryField('teachers', (t) =>
  t.connection(
    {
      type: TeacherRef,
      description:
        'Teachers the caller may see, by name then id. Offices see the teachers of their region and below; schools their own staff; institutions and trainers the teachers on their rosters; a teacher only themself.',
      authScopes: { authenticated: true },
      args: {
        filter: t.arg({
          type: TeacherFilterInput,
          required: false,
          description: 'What to narrow the list to.',
        }),
      },
      resolve: async (_root, args, context) => {
        const page = pageOf(args);
        const schoolId = args.filter?.schoolId;
        const filter: TeacherFilter = {
          search: args.filter?.search,
          stages: args.filter?.stage,
          // An unknown or malformed school ID matches no school rather than every school.
          schoolIds: schoolId == null ? null : [localIdOf(String(schoolId), 'Organization') ?? 0],
        };
        const result = await rethrowCursorAsync(
          findTeachers(context.db, context.visibility, filter, page),
        );
        for (const teacher of result.rows) context.loaders.teacher.prime(teacher.id, teacher);
        return connectionOf(
          result.rows,
          result.hasNextPage,
          result.cursorOf,
          page.after !== null,
          () => countTeachers(context.db, context.visibility, filter),
        );
      },
    },
    { name: 'TeacherConnection' },
    { name: 'TeacherEdge' },
  ),
);

import { sql, type Kysely } from 'kysely';

/**
 * The whole data model of DESIGN.md section 2. Frozen in time: this file never imports
 * application code, so the vocabularies are spelled out here as they were on this day.
 *
 * Invariants that must never be wrong live in PostgreSQL itself:
 * - foreign keys everywhere, including composite ones that keep attendance, sessions and
 *   enrollments of one activity together (activity_id is also the natural distribution key);
 * - CHECKs on hours, time order and every status vocabulary;
 * - one award per enrollment (partial unique index on the ledger);
 * - the credit ledger and the audit log are append-only (trigger rejects UPDATE/DELETE/TRUNCATE).
 */
const statements = [
  `create table regions (
    id integer generated always as identity primary key,
    parent_id integer references regions (id),
    code text not null unique check (code ~ '^[0-9A-Za-z_-]{2,32}$'),
    name text not null check (length(name) between 1 and 100),
    kind text not null check (kind in ('province', 'city', 'district')),
    -- Materialized path of ancestor ids, e.g. '/1/4/9/'. Subtree = path LIKE '/1/4/%'.
    -- Always computed by regions_set_path from parent_id; the default is a placeholder.
    path text not null default '' unique check (path ~ '^(/[0-9]+)+/$'),
    check ((parent_id is null) = (kind = 'province'))
  )`,
  `create index regions_parent_idx on regions (parent_id)`,
  `create function regions_set_path() returns trigger language plpgsql as $$
  begin
    if tg_op = 'UPDATE' then
      raise exception 'regions cannot be moved: the paths below them would go stale'
        using errcode = 'restrict_violation';
    end if;
    new.path := coalesce((select path from regions where id = new.parent_id), '/') || new.id || '/';
    return new;
  end
  $$`,
  `create trigger regions_set_path before insert or update of parent_id, path on regions
    for each row execute function regions_set_path()`,
  `create index regions_path_idx on regions (path text_pattern_ops)`,

  `create table organizations (
    id integer generated always as identity primary key,
    kind text not null check (kind in ('education_office', 'training_institution', 'school')),
    code text not null unique check (code ~ '^[0-9A-Za-z_-]{2,32}$'),
    name text not null check (length(name) between 1 and 200),
    region_id integer not null references regions (id),
    -- Schools only: the stages taught and whether the school is rural.
    stages text[] not null default '{}' check (stages <@ array['primary', 'junior', 'senior']),
    is_rural boolean,
    created_at timestamptz not null default now(),
    check ((kind = 'school') = (is_rural is not null))
  )`,
  `create index organizations_region_idx on organizations (region_id, kind)`,

  `create table teachers (
    id integer generated always as identity primary key,
    national_id text not null unique check (national_id ~ '^[0-9A-Z]{6,32}$'),
    name text not null check (length(name) between 1 and 100),
    school_id integer not null references organizations (id),
    stage text not null check (stage in ('primary', 'junior', 'senior')),
    subjects text[] not null default '{}',
    role_tags text[] not null default '{}'
      check (role_tags <@ array['new_teacher', 'backbone_teacher', 'class_teacher', 'principal']),
    years_of_service integer not null check (years_of_service between 0 and 60),
    is_rural boolean not null,
    created_at timestamptz not null default now()
  )`,
  `create index teachers_school_idx on teachers (school_id)`,

  `create table trainers (
    id integer generated always as identity primary key,
    name text not null check (length(name) between 1 and 100),
    kind text not null check (kind in ('expert', 'famous_teacher', 'backbone_teacher', 'mentor')),
    title text,
    organization_id integer references organizations (id),
    -- A backbone teacher or mentor is usually also a teacher in the registry.
    teacher_id integer unique references teachers (id),
    created_at timestamptz not null default now()
  )`,
  `create index trainers_organization_idx on trainers (organization_id)`,

  `create table user_accounts (
    id integer generated always as identity primary key,
    username text not null check (username ~ '^[a-z0-9._-]{3,64}$'),
    display_name text not null check (length(display_name) between 1 and 100),
    password_hash text not null,
    teacher_id integer unique references teachers (id),
    trainer_id integer unique references trainers (id),
    disabled_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create unique index user_accounts_username_key on user_accounts (lower(username))`,

  `create table memberships (
    id integer generated always as identity primary key,
    user_id integer not null references user_accounts (id),
    role text not null check (role in ('platform_admin', 'office_officer', 'institution_admin', 'trainer', 'school_admin', 'teacher')),
    -- Platform admins act for no organization; every other role acts for exactly one.
    organization_id integer references organizations (id),
    created_at timestamptz not null default now(),
    check ((role = 'platform_admin') = (organization_id is null)),
    unique nulls not distinct (user_id, role, organization_id)
  )`,
  `create index memberships_organization_idx on memberships (organization_id)`,

  `create table auth_sessions (
    id integer generated always as identity primary key,
    user_id integer not null references user_accounts (id),
    -- Only a hash of the token is stored: a leaked table does not leak sessions.
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz,
    check (expires_at > created_at)
  )`,
  `create index auth_sessions_user_idx on auth_sessions (user_id)`,

  `create table credit_categories (
    code text primary key check (code ~ '^[a-z_]{2,32}$'),
    name_en text not null,
    name_zh text not null
  )`,

  `create table requirement_policies (
    id integer generated always as identity primary key,
    region_id integer not null references regions (id),
    name text not null,
    -- The cycle: every ledger entry dated inside it counts toward it.
    cycle_starts_on date not null,
    cycle_ends_on date not null,
    total_hours numeric(7, 2) not null check (total_hours > 0),
    category_minimums jsonb not null default '{}' check (jsonb_typeof(category_minimums) = 'object'),
    category_caps jsonb not null default '{}' check (jsonb_typeof(category_caps) = 'object'),
    yearly_cap numeric(7, 2) check (yearly_cap > 0),
    conversion_factors jsonb not null default '{}' check (jsonb_typeof(conversion_factors) = 'object'),
    created_at timestamptz not null default now(),
    check (cycle_ends_on > cycle_starts_on),
    unique (region_id, cycle_starts_on)
  )`,

  `create table activities (
    id integer generated always as identity primary key,
    code text not null unique check (code ~ '^[0-9A-Za-z_-]{2,40}$'),
    title text not null check (length(title) between 1 and 200),
    description text not null default '' check (length(description) <= 10000),
    provider_id integer not null references organizations (id),
    -- The region the activity is offered in; its education office approves it.
    region_id integer not null references regions (id),
    category text not null references credit_categories (code),
    level text not null check (level in ('national', 'provincial', 'municipal', 'district', 'school')),
    delivery_mode text not null check (delivery_mode in ('centralized', 'online', 'blended', 'school_based', 'mentoring', 'observation')),
    credit_hours numeric(6, 2) not null check (credit_hours > 0 and credit_hours <= 1000),
    capacity integer check (capacity > 0),
    self_enrollment boolean not null default false,
    eligibility_rules jsonb not null default '{}' check (jsonb_typeof(eligibility_rules) = 'object'),
    completion_rules jsonb not null default '{}' check (jsonb_typeof(completion_rules) = 'object'),
    status text not null default 'draft' check (status in ('draft', 'submitted', 'approved', 'rejected', 'open', 'in_progress', 'closed', 'credited', 'archived')),
    rejection_reason text,
    starts_on date not null,
    ends_on date not null,
    created_by integer references user_accounts (id),
    approved_by integer references user_accounts (id),
    approved_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    -- Optimistic concurrency: every update bumps it.
    version integer not null default 1 check (version > 0),
    check (ends_on >= starts_on),
    check ((status = 'rejected') = (rejection_reason is not null))
  )`,
  `create index activities_provider_idx on activities (provider_id, starts_on desc, id)`,
  `create index activities_region_idx on activities (region_id, starts_on desc, id)`,
  `create index activities_status_idx on activities (status, starts_on desc, id)`,
  `create index activities_starts_idx on activities (starts_on desc, id)`,

  `create table sessions (
    id integer generated always as identity primary key,
    activity_id integer not null references activities (id),
    sequence integer not null check (sequence > 0),
    title text not null check (length(title) between 1 and 200),
    mode text not null check (mode in ('in_person', 'online')),
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    hours numeric(5, 2) not null check (hours > 0 and hours <= 24),
    location text check (length(location) <= 200),
    -- Online study blocks: minutes a teacher must study that day to count.
    online_min_minutes integer check (online_min_minutes between 1 and 1440),
    -- Seed of the rotating check-in code; never shown to teachers.
    checkin_secret text not null default md5(random()::text || clock_timestamp()::text),
    check (ends_at > starts_at),
    check ((mode = 'online') = (online_min_minutes is not null)),
    check (mode = 'online' or location is not null),
    unique (activity_id, sequence),
    unique (id, activity_id)
  )`,
  `create index sessions_starts_idx on sessions (starts_at)`,

  `create table session_trainers (
    session_id integer not null references sessions (id),
    trainer_id integer not null references trainers (id),
    role text not null default 'lead' check (role in ('lead', 'assistant', 'tutor')),
    primary key (session_id, trainer_id)
  )`,
  `create index session_trainers_trainer_idx on session_trainers (trainer_id)`,

  `create table enrollments (
    id integer generated always as identity primary key,
    activity_id integer not null references activities (id),
    teacher_id integer not null references teachers (id),
    status text not null default 'registered' check (status in ('registered', 'eligibility_confirmed', 'eligibility_rejected', 'substituted', 'withdrawn', 'completed', 'not_completed')),
    source text not null check (source in ('self', 'school', 'institution')),
    enrolled_by integer references user_accounts (id),
    -- The school that vouches for this participant (the teacher's school when enrolled).
    school_id integer not null references organizations (id),
    rejection_reason text,
    -- The rejected enrollment this one replaced; the roster keeps both.
    substitutes_enrollment_id integer unique references enrollments (id),
    decided_by integer references user_accounts (id),
    decided_at timestamptz,
    assessment_result text check (assessment_result in ('fail', 'qualified', 'excellent')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (activity_id, teacher_id),
    unique (id, activity_id),
    check ((status = 'eligibility_rejected' or status = 'substituted') = (rejection_reason is not null))
  )`,
  `create index enrollments_teacher_idx on enrollments (teacher_id)`,
  `create index enrollments_school_idx on enrollments (school_id, activity_id)`,

  `create table attendance_imports (
    id integer generated always as identity primary key,
    activity_id integer not null references activities (id),
    idempotency_key text not null check (length(idempotency_key) between 8 and 200),
    payload_hash text not null,
    format text not null check (format in ('csv', 'json')),
    row_count integer not null check (row_count >= 0),
    created_by integer references user_accounts (id),
    created_at timestamptz not null default now(),
    unique (activity_id, idempotency_key)
  )`,

  `create table attendance (
    id bigint generated always as identity primary key,
    activity_id integer not null,
    session_id integer not null,
    enrollment_id integer not null,
    status text not null check (status in ('present', 'late', 'absent', 'excused')),
    minutes integer not null check (minutes between 0 and 1440),
    source text not null check (source in ('sign_in', 'trainer', 'import', 'online_platform')),
    recorded_by integer references user_accounts (id),
    import_id integer references attendance_imports (id),
    recorded_at timestamptz not null default now(),
    -- The session and the enrollment must belong to the same activity.
    foreign key (session_id, activity_id) references sessions (id, activity_id),
    foreign key (enrollment_id, activity_id) references enrollments (id, activity_id),
    unique (session_id, enrollment_id)
  )`,
  `create index attendance_enrollment_idx on attendance (enrollment_id)`,
  `create index attendance_activity_idx on attendance (activity_id)`,

  `create table assignments (
    id integer generated always as identity primary key,
    activity_id integer not null references activities (id),
    title text not null check (length(title) between 1 and 200),
    due_at timestamptz not null,
    unique (id, activity_id)
  )`,
  `create index assignments_activity_idx on assignments (activity_id)`,

  `create table submissions (
    id integer generated always as identity primary key,
    activity_id integer not null,
    assignment_id integer not null,
    enrollment_id integer not null,
    submitted_at timestamptz not null,
    on_time boolean not null,
    score numeric(5, 2) check (score between 0 and 100),
    foreign key (assignment_id, activity_id) references assignments (id, activity_id),
    foreign key (enrollment_id, activity_id) references enrollments (id, activity_id),
    unique (assignment_id, enrollment_id)
  )`,
  `create index submissions_enrollment_idx on submissions (enrollment_id)`,

  `create table confirmations (
    id integer generated always as identity primary key,
    activity_id integer not null references activities (id),
    -- The school signs for its own teachers first; then the office for the whole roster.
    level text not null check (level in ('school', 'office')),
    organization_id integer not null references organizations (id),
    -- A correction after confirmation opens a new revision that goes through the chain again.
    revision integer not null default 1 check (revision > 0),
    confirmed_by integer references user_accounts (id),
    confirmed_at timestamptz not null default now(),
    superseded_at timestamptz,
    note text,
    unique (activity_id, level, organization_id, revision)
  )`,

  `create table attendance_amendments (
    id integer generated always as identity primary key,
    attendance_id bigint not null references attendance (id),
    before jsonb not null,
    after jsonb not null,
    reason text not null check (length(reason) between 1 and 1000),
    requested_by integer references user_accounts (id),
    requested_at timestamptz not null default now()
  )`,
  `create index attendance_amendments_attendance_idx on attendance_amendments (attendance_id)`,

  `create table credit_ledger (
    id bigint generated always as identity primary key,
    teacher_id integer not null references teachers (id),
    kind text not null check (kind in ('award', 'adjustment', 'revocation')),
    activity_id integer references activities (id),
    enrollment_id integer references enrollments (id),
    -- The requirement cycle this entry counts toward.
    policy_id integer references requirement_policies (id),
    category text not null references credit_categories (code),
    hours numeric(7, 2) not null,
    earned_on date not null,
    reason text check (length(reason) <= 1000),
    -- The entry a revocation or adjustment corrects.
    corrects_entry_id bigint references credit_ledger (id),
    actor_id integer references user_accounts (id),
    created_at timestamptz not null default now(),
    check (kind <> 'award' or (hours > 0 and enrollment_id is not null and activity_id is not null)),
    check (kind <> 'revocation' or (hours < 0 and corrects_entry_id is not null)),
    check (kind <> 'adjustment' or hours <> 0),
    check (kind = 'award' or reason is not null)
  )`,
  `-- Exactly once: whatever retries or concurrent clicks happen, one award per enrollment.
  create unique index credit_ledger_one_award_per_enrollment on credit_ledger (enrollment_id) where kind = 'award'`,
  `create unique index credit_ledger_one_revocation_per_entry on credit_ledger (corrects_entry_id) where kind = 'revocation'`,
  `create index credit_ledger_teacher_idx on credit_ledger (teacher_id, earned_on)`,

  `create table certificates (
    id integer generated always as identity primary key,
    kind text not null check (kind in ('completion', 'transcript')),
    teacher_id integer not null references teachers (id),
    enrollment_id integer unique references enrollments (id),
    ledger_entry_id bigint unique references credit_ledger (id),
    policy_id integer references requirement_policies (id),
    verification_code text not null unique check (verification_code ~ '^[0-9A-Z]{8,32}$'),
    issued_at timestamptz not null default now(),
    revoked_at timestamptz,
    revocation_reason text,
    check ((kind = 'completion') = (enrollment_id is not null)),
    check (kind <> 'transcript' or policy_id is not null),
    check ((revoked_at is null) = (revocation_reason is null))
  )`,
  `create index certificates_teacher_idx on certificates (teacher_id)`,

  `create table evaluations (
    id integer generated always as identity primary key,
    enrollment_id integer not null unique references enrollments (id),
    rating integer not null check (rating between 1 and 5),
    comment text check (length(comment) <= 2000),
    created_at timestamptz not null default now()
  )`,

  `create table audit_log (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor_id integer references user_accounts (id),
    action text not null check (length(action) between 1 and 100),
    entity_type text not null,
    entity_id text not null,
    before jsonb,
    after jsonb,
    request_id text,
    -- Hash chain for tamper evidence: hash = sha256(prev_hash || canonical row).
    prev_hash text,
    hash text
  )`,
  `create index audit_log_entity_idx on audit_log (entity_type, entity_id)`,

  `create function reject_change_of_append_only_table() returns trigger language plpgsql as $$
  begin
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
      using errcode = 'restrict_violation';
  end
  $$`,
  `create trigger credit_ledger_append_only before update or delete on credit_ledger
    for each row execute function reject_change_of_append_only_table()`,
  `create trigger credit_ledger_no_truncate before truncate on credit_ledger
    for each statement execute function reject_change_of_append_only_table()`,
  `create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function reject_change_of_append_only_table()`,
  `create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function reject_change_of_append_only_table()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

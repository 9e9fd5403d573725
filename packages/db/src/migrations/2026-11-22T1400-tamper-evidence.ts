import { sql, type Kysely } from 'kysely';

/**
 * Tamper evidence (issue 7, point 7).
 *
 * 1. The audit log becomes a hash chain: every entry gets a gapless `chain_position`, the hash
 *    of the entry before it (`prev_hash`) and its own
 *    `hash = sha256(coalesce(prev_hash, '') || canonical text of the entry)` (hex). An edit made
 *    behind the application's back (triggers disabled by a superuser) leaves a hash that no
 *    longer matches its row; `pnpm audit:verify` recomputes the chain and names the first
 *    broken entry.
 *
 *    The chain is sealed by a constraint trigger deferred to COMMIT, not by a BEFORE INSERT
 *    trigger. Both serialize on the one row of audit_chain_head, but a lock taken at INSERT is
 *    held until the end of the writer's transaction: a crediting run that appends hundreds of
 *    entries would stall every other audited mutation for its whole length, and a transaction
 *    that appends an entry and then locks a teacher or an activity would deadlock with one that
 *    locked that row first and then appends. Taken at commit, the lock is the last one a
 *    transaction asks for and is held only while its own entries are sealed, so no cycle can
 *    form, and the chain follows commit order (positions without gaps, whatever rolls back).
 *    Sealing UPDATEs the entry's three chain columns once; the append-only trigger lets exactly
 *    that through (issued by a trigger, on an entry not sealed yet, nothing else changed).
 *
 *    The first sealing event of a transaction seals all of that transaction's entries and moves
 *    the head once; the events after it find their entry sealed and stop. Moving the head once
 *    per entry made a transaction's cost grow with the square of its entries (each update of
 *    the one head row leaves a version that the next one walks past until commit): 100,000
 *    entries took 214 s, against 0.6 s without the chain. Until sealed, an entry's `hash` holds
 *    'pending:' and its transaction id, so a transaction seals only its own entries, never a
 *    row someone inserted with the triggers disabled (that stays unsealed, and is reported).

 *    Entries written before this migration are sealed here, in id order.
 *
 *    The canonical text is a jsonb array of the entry's columns (jsonb prints keys and spacing
 *    one way only; the time is spelled in UTC to the microsecond, so no session setting changes
 *    it). `verifyAuditChain` (repositories/audit.repository.ts) spells the same expression on
 *    its own: if this function were ever replaced, entries sealed by the replacement would fail
 *    verification.
 *
 * 2. The application runs as `registry_app`, a NOLOGIN role that owns nothing and is granted
 *    SELECT/INSERT/UPDATE/DELETE on the ordinary tables, SELECT/INSERT only on credit_ledger and
 *    audit_log (no UPDATE, DELETE or TRUNCATE: grants first, the append-only triggers second)
 *    and SELECT only on the migration bookkeeping and the chain head. A deployment creates a
 *    LOGIN role that is a member of it (docs/operations.md). Roles belong to the cluster, not
 *    the database: the role is created only when missing, and an existing one that is a
 *    superuser stops the migration rather than run the application with every right.
 *    Default privileges give tables that later migrations create the same ordinary grants; a
 *    later append-only table must revoke UPDATE and DELETE itself.
 */
const statements = [
  `do $$
  begin
    if not exists (select 1 from pg_roles where rolname = 'registry_app') then
      begin
        create role registry_app nologin;
      exception
        -- Another database of the cluster migrating at the same moment created it first.
        when duplicate_object or unique_violation then null;
        when insufficient_privilege then
          raise exception 'the role registry_app does not exist and % may not create it', current_user
            using hint = 'an administrator runs: CREATE ROLE registry_app NOLOGIN';
      end;
    end if;
    if exists (select 1 from pg_roles where rolname = 'registry_app' and (rolsuper or rolbypassrls)) then
      raise exception 'the role registry_app is a superuser or bypasses row security; the application must not run with those rights';
    end if;
  end
  $$`,

  // Null until sealed at commit; only the inserting transaction ever sees an unsealed entry.
  `alter table audit_log add column chain_position bigint`,
  `create table audit_chain_head (
    singleton boolean primary key default true check (singleton),
    last_position bigint not null check (last_position >= 0),
    last_hash text,
    check ((last_position = 0) = (last_hash is null))
  )`,
  `insert into audit_chain_head (last_position, last_hash) values (0, null)`,

  `create function audit_log_canonical(entry audit_log) returns text language sql stable
    set search_path = pg_catalog, public as $$
    select jsonb_build_array(
      entry.chain_position, entry.id,
      to_char(entry.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      entry.actor_id, entry.action, entry.entity_type, entry.entity_id,
      entry.before, entry.after, entry.request_id
    )::text
  $$`,

  // Security definer: the application may not write the head or the chain columns itself.
  `create function audit_log_seal() returns trigger language plpgsql security definer
    set search_path = pg_catalog, public as $$
  declare
    head record;
    entry public.audit_log;
  begin
    perform 1 from public.audit_log where id = new.id and chain_position is not null;
    if found then
      return null;
    end if;
    select last_position, last_hash into head from public.audit_chain_head for update;
    for entry in
      select * from public.audit_log
      where chain_position is null and hash = 'pending:' || txid_current()
      order by id
    loop
      entry.chain_position := head.last_position + 1;
      entry.prev_hash := head.last_hash;
      entry.hash := encode(sha256(convert_to(
        coalesce(head.last_hash, '') || public.audit_log_canonical(entry), 'UTF8')), 'hex');
      update public.audit_log
        set chain_position = entry.chain_position, prev_hash = entry.prev_hash, hash = entry.hash
        where id = entry.id;
      head.last_position := entry.chain_position;
      head.last_hash := entry.hash;
    end loop;
    update public.audit_chain_head set last_position = head.last_position, last_hash = head.last_hash;
    return null;
  end
  $$`,

  // Whatever a client sends for the chain columns is ignored: only sealing fills them.
  `create function audit_log_unsealed() returns trigger language plpgsql as $$
  begin
    new.chain_position := null;
    new.prev_hash := null;
    new.hash := 'pending:' || txid_current();
    return new;
  end
  $$`,

  `create function audit_log_reject_change() returns trigger language plpgsql as $$
  begin
    if tg_op = 'UPDATE' and pg_trigger_depth() > 1 and old.chain_position is null
      and to_jsonb(new) - array['chain_position', 'prev_hash', 'hash']
        = to_jsonb(old) - array['chain_position', 'prev_hash', 'hash'] then
      return new;
    end if;
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
      using errcode = 'restrict_violation';
  end
  $$`,

  // Entries written before the chain existed are sealed now, oldest first. Nothing may append
  // meanwhile (a replica still running the previous version), hence the lock; the old
  // append-only trigger, which would refuse these updates, is replaced in the same transaction.
  `lock table audit_log in exclusive mode`,
  `drop trigger audit_log_append_only on audit_log`,
  `do $$
  declare
    entry public.audit_log;
    previous text := null;
    sealed bigint := 0;
  begin
    for entry in select * from public.audit_log order by id loop
      sealed := sealed + 1;
      entry.chain_position := sealed;
      entry.prev_hash := previous;
      entry.hash := encode(sha256(convert_to(
        coalesce(previous, '') || public.audit_log_canonical(entry), 'UTF8')), 'hex');
      update public.audit_log
        set chain_position = entry.chain_position, prev_hash = entry.prev_hash, hash = entry.hash
        where id = entry.id;
      previous := entry.hash;
    end loop;
    update public.audit_chain_head set last_position = sealed, last_hash = previous;
  end
  $$`,
  `create unique index audit_log_chain_position_key on audit_log (chain_position)`,
  // Finds a transaction's entries to seal; holds only entries not yet committed.
  `create index audit_log_unsealed_idx on audit_log (id) where chain_position is null`,

  `create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_reject_change()`,
  `create trigger audit_log_unsealed before insert on audit_log
    for each row execute function audit_log_unsealed()`,
  `create constraint trigger audit_log_seal after insert on audit_log
    deferrable initially deferred
    for each row execute function audit_log_seal()`,

  `grant usage on schema public to registry_app`,
  `grant select, insert, update, delete on all tables in schema public to registry_app`,
  `revoke update, delete on credit_ledger, audit_log from registry_app`,
  `revoke insert, update, delete on audit_chain_head, kysely_migration, kysely_migration_lock from registry_app`,
  `grant usage, select on all sequences in schema public to registry_app`,
  `alter default privileges in schema public grant select, insert, update, delete on tables to registry_app`,
  `alter default privileges in schema public grant usage, select on sequences to registry_app`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

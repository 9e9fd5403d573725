import { sql, type Kysely } from 'kysely';

/**
 * Seals the audit chain once per transaction in one pass (issue 6, W7), instead of once per
 * entry. What the chain guarantees is unchanged (migration 2026-11-22T1400-tamper-evidence):
 * entries are sealed at COMMIT under the lock of the single audit_chain_head row, so positions
 * follow commit order without gaps and a rollback leaves none; the hash of each entry is
 * sha256(prev_hash || audit_log_canonical(entry)) exactly as before, so `pnpm audit:verify`
 * checks old and new entries alike.
 *
 * What changes is the work done to get there. Before, a constraint trigger deferred to COMMIT
 * fired once per inserted entry: crediting a roster of 10,000 participants queued 10,000
 * trigger events, the first sealed everything with one UPDATE per entry and the other 9,999
 * each looked their entry up to find it sealed — 0.5–0.7 s on an idle machine, 2.1 s under
 * load, all of it while holding the chain head, which every audited commit waits for.
 *
 * Now:
 * - a statement-level AFTER INSERT trigger on audit_log records the transaction in
 *   audit_unsealed_transactions (at most one row per transaction: `on conflict do nothing`);
 * - the deferred constraint trigger sits on that table, so it fires once per transaction
 *   (constraint triggers can only be row-level: the one row is what makes it fire once);
 * - it hashes the transaction's entries in id order in memory and writes the three chain
 *   columns of all of them with one UPDATE … FROM unnest(…), then moves the head once.
 *
 * The append-only trigger still lets exactly that UPDATE through (issued by a trigger, on an
 * unsealed entry, nothing but the chain columns changed), and refuses everything else as
 * before. It now checks "nothing else changed" by comparing the row with the chain columns
 * put back, column by column, instead of turning both versions into jsonb: the same test for
 * any column a later migration adds, without rebuilding an import's entry of a megabyte twice
 * per seal. The queue row is deleted by the seal,
 * so the table is empty outside open transactions; if a transaction seals early (SET
 * CONSTRAINTS ALL IMMEDIATE) and then appends again, the next insert queues it again.
 *
 * Both functions are security definer: the application role may neither write the queue nor
 * the chain columns (on the queue it may only SELECT, as on the chain head).
 */
const statements = [
  `create table audit_unsealed_transactions (
    txid bigint primary key
  )`,
  // Like the chain head: the application may look, never write.
  `revoke insert, update, delete, truncate on audit_unsealed_transactions from registry_app`,
  `grant select on audit_unsealed_transactions to registry_app`,

  `create function audit_log_queue_seal() returns trigger language plpgsql security definer
    set search_path = pg_catalog, public as $$
  begin
    insert into public.audit_unsealed_transactions (txid) values (txid_current())
      on conflict (txid) do nothing;
    return null;
  end
  $$`,

  `create function audit_log_seal_transaction() returns trigger language plpgsql security definer
    set search_path = pg_catalog, public as $$
  declare
    head record;
    entry public.audit_log;
    ids bigint[] := '{}';
    positions bigint[] := '{}';
    prevs text[] := '{}';
    hashes text[] := '{}';
    n integer := 0;
  begin
    delete from public.audit_unsealed_transactions where txid = txid_current();
    select last_position, last_hash into head from public.audit_chain_head for update;
    for entry in
      select * from public.audit_log
      where chain_position is null and hash = 'pending:' || txid_current()
      order by id
    loop
      n := n + 1;
      entry.chain_position := head.last_position + 1;
      entry.prev_hash := head.last_hash;
      entry.hash := encode(sha256(convert_to(
        coalesce(head.last_hash, '') || public.audit_log_canonical(entry), 'UTF8')), 'hex');
      -- Element assignment extends the arrays in place (no copy per entry).
      ids[n] := entry.id;
      positions[n] := entry.chain_position;
      prevs[n] := entry.prev_hash;
      hashes[n] := entry.hash;
      head.last_position := entry.chain_position;
      head.last_hash := entry.hash;
    end loop;
    if n = 0 then
      return null;
    end if;
    update public.audit_log as a
      set chain_position = s.chain_position, prev_hash = s.prev_hash, hash = s.hash
      from unnest(ids, positions, prevs, hashes) as s(id, chain_position, prev_hash, hash)
      where a.id = s.id;
    update public.audit_chain_head set last_position = head.last_position, last_hash = head.last_hash;
    return null;
  end
  $$`,

  `create or replace function audit_log_reject_change() returns trigger language plpgsql as $$
  declare
    unchanged public.audit_log;
  begin
    if tg_op = 'UPDATE' and pg_trigger_depth() > 1 and old.chain_position is null then
      unchanged := new;
      unchanged.chain_position := old.chain_position;
      unchanged.prev_hash := old.prev_hash;
      unchanged.hash := old.hash;
      if unchanged is not distinct from old then
        return new;
      end if;
    end if;
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
      using errcode = 'restrict_violation';
  end
  $$`,

  `drop trigger audit_log_seal on audit_log`,
  `drop function audit_log_seal()`,
  `create trigger audit_log_queue_seal after insert on audit_log
    for each statement execute function audit_log_queue_seal()`,
  // Keeps the name of the per-entry trigger it replaces: `set constraints audit_log_seal
  // immediate` still seals a transaction's entries early.
  `create constraint trigger audit_log_seal after insert on audit_unsealed_transactions
    deferrable initially deferred
    for each row execute function audit_log_seal_transaction()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

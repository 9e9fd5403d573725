import { sql, type Kysely } from 'kysely';

/**
 * Idempotency keys of mutations (issue 7, point 4). A key is claimed inside the transaction of
 * the writes it guards, so the claim and the writes commit or roll back together: a request
 * that wrote something has exactly one row here, a request that wrote nothing has none. The
 * answer is stored after the request completes, for replays.
 */
const statements = [
  `create table idempotency_keys (
    account_id integer not null references user_accounts (id),
    key text not null check (key ~ '^[A-Za-z0-9_.:-]{8,200}$'),
    -- sha256 of the request body: the same key with another request is refused.
    request_hash text not null check (length(request_hash) = 64),
    -- Which request holds the key: a request with several transactions claims it in the first
    -- and recognises its own claim in the others.
    claim_token uuid not null,
    response_status integer check (response_status between 100 and 599),
    response_body text,
    created_at timestamptz not null default now(),
    primary key (account_id, key),
    check ((response_status is null) = (response_body is null))
  )`,
  `create index idempotency_keys_created_idx on idempotency_keys (created_at)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

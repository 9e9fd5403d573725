import { sql, type Kysely } from 'kysely';

/**
 * Failed sign-ins, kept so login can be throttled per account and per address across every
 * gateway replica (the gateway itself keeps no state between requests).
 */
const statements = [
  `create table login_failures (
    id bigint generated always as identity primary key,
    -- lower(username) as typed, whether or not such an account exists
    username_key text not null check (length(username_key) <= 200),
    address text not null check (length(address) <= 100),
    failed_at timestamptz not null default now()
  )`,
  `create index login_failures_username_idx on login_failures (username_key, failed_at)`,
  `create index login_failures_address_idx on login_failures (address, failed_at)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

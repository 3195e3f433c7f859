import type { Sql } from "../../shared/db/mod.ts";

/**
 * The stand-in's state, in schema `qstash_dev` (dev infrastructure, never part
 * of the product's migrations): its token and signing keys, messages with their
 * delivery state, the dead-letter queue, schedules and live delivery workers.
 */
const SCHEMA_SQL = `
create schema if not exists qstash_dev;
comment on schema qstash_dev is 'Local QStash stand-in: messages, schedules, dead letters (dev only)';
revoke all on schema qstash_dev from public;

create table if not exists qstash_dev.settings (
  id integer primary key check (id = 1),
  token text not null,
  current_signing_key text not null,
  next_signing_key text not null,
  created_at timestamptz not null
);
comment on table qstash_dev.settings is 'The stand-in''s API token and signing keys, kept across restarts';

create table if not exists qstash_dev.messages (
  id text primary key,
  url text not null,
  method text not null,
  header jsonb not null,
  body bytea not null,
  retries integer not null,
  retried integer not null default 0,
  retry_delay text,
  callback text,
  failure_callback text,
  timeout_ms integer,
  dedup_id text,
  schedule_id text,
  label text,
  caller_ip text,
  not_before timestamptz not null,
  state text not null check (state in ('pending', 'delivering', 'delivered', 'failed', 'cancelled')),
  worker_id text,
  lease_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
comment on table qstash_dev.messages is 'Published messages and where their delivery stands';
create index if not exists messages_due_idx on qstash_dev.messages (not_before)
  where state in ('pending', 'delivering');
create index if not exists messages_dedup_idx on qstash_dev.messages (dedup_id, created_at)
  where dedup_id is not null;

create table if not exists qstash_dev.dlq (
  dlq_id text primary key,
  message_id text not null,
  url text not null,
  schedule_id text,
  label text,
  message jsonb not null,
  response_status integer,
  response_header jsonb,
  response_body text,
  created_at timestamptz not null
);
comment on table qstash_dev.dlq is 'Messages whose retries ran out, with the last response';
create index if not exists dlq_created_idx on qstash_dev.dlq (created_at desc, dlq_id desc);

create table if not exists qstash_dev.schedules (
  id text primary key,
  destination text not null,
  cron text not null,
  method text not null,
  header jsonb not null,
  body bytea not null,
  retries integer not null,
  retry_delay text,
  delay_ms bigint not null default 0,
  callback text,
  failure_callback text,
  timeout_ms integer,
  label text,
  caller_ip text,
  paused boolean not null default false,
  next_run_at timestamptz,
  last_run_at timestamptz,
  last_message_id text,
  created_at timestamptz not null
);
comment on table qstash_dev.schedules is 'Cron schedules that publish a message at every firing';

create table if not exists qstash_dev.workers (
  id text primary key,
  heartbeat_at timestamptz not null
);
comment on table qstash_dev.workers is 'Delivery loops alive now; a dead one''s deliveries are taken over';
`;

/**
 * Creates the `qstash_dev` schema if needed. Safe from several processes at
 * once: a transaction-scoped advisory lock serialises the DDL.
 *
 * @param sql a connection allowed to create schemas
 */
export async function ensureQStashSchema(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('complianceiq.qstash_dev'))`;
    await tx.unsafe(SCHEMA_SQL);
  });
}

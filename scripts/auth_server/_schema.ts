import type { Sql } from "../../shared/db/mod.ts";

/**
 * The stand-in's own tables, in schema `auth_dev` (never part of the product's
 * migrations): its signing key, the captured emails, the authentication
 * methods of each session (GoTrue keeps those in `auth.mfa_amr_claims`, which
 * the compatibility script does not create) and PKCE flow states.
 */
const DEV_SCHEMA_SQL = `
create schema if not exists auth_dev;
comment on schema auth_dev is 'Local Supabase Auth stand-in: signing keys, captured emails (dev only)';
revoke all on schema auth_dev from public;

create table if not exists auth_dev.signing_keys (
  kid text primary key,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  anon_key text not null,
  service_role_key text not null,
  created_at timestamptz not null
);
comment on table auth_dev.signing_keys is 'ES256 keys the local auth server signs access tokens with; newest is current';

create table if not exists auth_dev.mailbox (
  id uuid primary key,
  to_email text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  link text not null,
  type text not null,
  otp text not null,
  created_at timestamptz not null
);
comment on table auth_dev.mailbox is 'Emails the local auth server would have sent';
create index if not exists mailbox_to_email_idx on auth_dev.mailbox (lower(to_email), created_at desc);
-- Other emails of the product (reports, notifications) keep their attachments' name, type, size and SHA-256.
alter table auth_dev.mailbox add column if not exists attachments jsonb not null default '[]';

-- Text messages the product would have sent (SMS alert channels), newest first at /_dev/sms.
create table if not exists auth_dev.sms_outbox (
  id uuid primary key,
  to_phone text not null,
  body text not null,
  created_at timestamptz not null
);
comment on table auth_dev.sms_outbox is 'Text messages the product would have sent (dev only)';
create index if not exists sms_outbox_to_idx on auth_dev.sms_outbox (to_phone, created_at desc);

create table if not exists auth_dev.session_amr (
  session_id uuid not null references auth.sessions (id) on delete cascade,
  method text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (session_id, method)
);
comment on table auth_dev.session_amr is 'How each session authenticated (the amr claim), as auth.mfa_amr_claims';

create table if not exists auth_dev.flow_state (
  id uuid primary key,
  user_id uuid references auth.users (id) on delete cascade,
  auth_code text not null unique,
  code_challenge text not null,
  code_challenge_method text not null,
  authentication_method text not null,
  auth_code_issued_at timestamptz,
  created_at timestamptz not null
);
comment on table auth_dev.flow_state is 'PKCE flow states, as auth.flow_state';
`;

/**
 * Creates the `auth_dev` schema if needed. Safe to call from several processes
 * at once: a transaction-scoped advisory lock serialises the DDL.
 *
 * @param sql a connection allowed to create schemas
 */
export async function ensureDevSchema(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('complianceiq.auth_dev'))`;
    await tx.unsafe(DEV_SCHEMA_SQL);
  });
}

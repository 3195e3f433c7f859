-- Webhook signing secrets at rest are sealed like instance credentials:
-- AES-256-GCM with the CREDENTIALS_KEYS keyring, in the same {v, kid, iv,
-- ciphertext} envelope, bound to the table, organization and row (an envelope
-- copied onto another row does not open). The key never reaches the database,
-- so this migration cannot encrypt: it adds the sealed column, and the
-- plaintext one keeps only secrets written before it until
-- `deno task credentials:rotate` seals them (and empties it). New and rotated
-- secrets are written sealed only. Workers read either form.

alter table public.report_webhook_secrets
  add column secret_sealed jsonb check (
    secret_sealed is null or (
      jsonb_typeof(secret_sealed) = 'object' and secret_sealed ? 'kid'
      and secret_sealed ? 'iv' and secret_sealed ? 'ciphertext')),
  alter column secret drop not null,
  add constraint report_webhook_secrets_one_form
    check ((secret is null) <> (secret_sealed is null));
comment on column public.report_webhook_secrets.secret is
  'Legacy plaintext signing secret (whsec_), from before sealing; emptied by deno task credentials:rotate';
comment on column public.report_webhook_secrets.secret_sealed is
  'The signing secret sealed with the CREDENTIALS_KEYS keyring (AES-256-GCM envelope: v, kid, iv, ciphertext)';

alter table public.notification_channels
  add column secret_sealed jsonb check (
    secret_sealed is null or (
      jsonb_typeof(secret_sealed) = 'object' and secret_sealed ? 'kid'
      and secret_sealed ? 'iv' and secret_sealed ? 'ciphertext'));
-- A webhook channel has its secret in one of the two forms; other kinds in neither.
do $$
declare
  c text;
begin
  for c in
    select conname from pg_constraint
    where conrelid = 'public.notification_channels'::regclass and contype = 'c'
      and pg_get_constraintdef(oid) ~ 'secret IS NOT NULL'
  loop
    execute format('alter table public.notification_channels drop constraint %I', c);
  end loop;
end
$$;
alter table public.notification_channels
  add constraint notification_channels_webhook_secret_check
    check ((kind = 'webhook') = (secret is not null or secret_sealed is not null)),
  add constraint notification_channels_secret_one_form_check
    check (secret is null or secret_sealed is null);
comment on column public.notification_channels.secret is
  'Legacy plaintext signing secret (whsec_) of a webhook channel, from before sealing; emptied by deno task credentials:rotate';
comment on column public.notification_channels.secret_sealed is
  'A webhook channel''s signing secret sealed with the CREDENTIALS_KEYS keyring (AES-256-GCM envelope)';

-- Admins write sealed secrets; only the engine reads them (as the plaintext before).
grant insert (secret_sealed), update (secret_sealed) on public.notification_channels to authenticated;
grant select (secret_sealed) on public.notification_channels to ciq_engine;

-- The audit trail keeps neither form of the secret.
select private.audit_table('public.report_webhook_secrets',
  p_secret_columns => '{secret,secret_sealed}', p_security_columns => '{*}',
  p_id_column => 'definition_id');
select private.audit_table('public.notification_channels',
  p_secret_columns => '{secret,secret_sealed,url}',
  p_ignored_columns => '{consecutive_failures,failing_since}',
  p_security_columns => '{*}');

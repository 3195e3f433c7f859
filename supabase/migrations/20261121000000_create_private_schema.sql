-- Internals live in `private`, which the API never exposes. Functions are not
-- executable by default; each one a policy needs is granted explicitly.

create schema if not exists private;
comment on schema private is 'ComplianceIQ internals: security-definer helpers and triggers, never exposed';

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

alter default privileges in schema private revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon;

-- Keeps updated_at honest on every table that has one.
create or replace function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

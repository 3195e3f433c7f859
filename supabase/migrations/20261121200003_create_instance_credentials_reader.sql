-- Credentials are write-only for people (instances.credentials is not
-- selectable by `authenticated`); background work and the connection test need
-- the sealed envelope to decrypt it server-side. Only worker claims, built by
-- server code for one organization, may read it, and only for that organization.

-- security definer: reads a column `authenticated` has no SELECT grant on.
create function private.instance_credentials(p_instance_id uuid) returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  envelope jsonb;
begin
  if coalesce(claims ->> 'ciq_actor', '') <> 'worker' then
    raise exception 'Instance credentials can only be read by background work'
      using errcode = 'CQ403', hint = 'credentials_write_only';
  end if;
  select i.credentials into envelope
  from public.instances i
  where i.id = p_instance_id and i.org_id = (claims ->> 'ciq_org_id')::uuid;
  return envelope;
end
$$;
comment on function private.instance_credentials(uuid) is
  'Sealed credentials of an instance of the worker''s organization; NULL when there is none';
grant execute on function private.instance_credentials(uuid) to authenticated, service_role;

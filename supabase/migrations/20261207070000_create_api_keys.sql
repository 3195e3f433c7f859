-- API keys: machine access to the API for one organization, as a principal of
-- its own (not a user), with the role viewer or analyst.
--
-- A key is `ciq_live_<id>_<secret>` (docs/api-keys.md). Only the SHA-256 of the
-- whole key is stored: the secret is 256 random bits, so a fast hash is as safe
-- as a slow one here, and it lets every request be checked with one lookup.
--
-- The server verifies a key (private.authenticate_api_key) and then runs the
-- request's statements under claims of this shape, built only by server code:
--   {"role": "authenticated", "sub": null, "ciq_actor": "api_key",
--    "ciq_api_key": "<key id>", "ciq_org_id": "<org id>"}
-- The policy helpers below admit such claims for exactly the key's organization
-- and role, and only while the key is neither revoked nor expired: they read the
-- key's row on every statement, so a revoked key gets nothing at once.

create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  role public.org_role not null check (role in ('viewer', 'analyst')),
  -- The key's public part, `ciq_live_<id>`: what lists show and scanners match.
  prefix text not null unique,
  -- Hex SHA-256 of the whole key; never returned by the API.
  secret_hash text not null check (secret_hash ~ '^[0-9a-f]{64}$'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  last_used_at timestamptz,
  last_used_address text
);
comment on table public.api_keys is
  'Organization API keys: role, expiry, revocation and last use; the secret only as a SHA-256 hash';
create index api_keys_org_id_idx on public.api_keys (org_id, created_at desc);

alter table public.api_keys enable row level security;
alter table public.api_keys force row level security;
revoke all on public.api_keys from anon, authenticated;
-- Admins read everything but the hash, create keys and revoke them; nothing else changes.
grant select (id, org_id, name, role, prefix, created_by, created_at, expires_at, revoked_at,
              revoked_by, last_used_at, last_used_address)
  on public.api_keys to authenticated;
grant insert (id, org_id, name, role, prefix, secret_hash, created_by, expires_at)
  on public.api_keys to authenticated;
grant update (revoked_at, revoked_by) on public.api_keys to authenticated;

create policy "Admins can view their organization's API keys"
  on public.api_keys for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Admins can create API keys"
  on public.api_keys for insert to authenticated
  with check (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and created_by = (select auth.uid())
  );

create policy "Admins can revoke API keys"
  on public.api_keys for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and revoked_at is not null
  );

-- =============================================================================
-- Verifying a key (the gate, as the server's login role)
-- =============================================================================

-- The key with this id and hash, whatever its state, so the caller can say
-- "revoked" or "expired"; nothing for a wrong secret. Records the last use
-- (time and address) at most once a minute per key, so the hot path rarely writes.
create function private.authenticate_api_key(p_key_id uuid, p_secret_hash text, p_address text)
returns table (org_id uuid, role public.org_role, expires_at timestamptz, revoked_at timestamptz)
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  return query
    select k.org_id, k.role, k.expires_at, k.revoked_at
    from public.api_keys k
    where k.id = p_key_id and k.secret_hash = p_secret_hash;
  if found then
    update public.api_keys k
      set last_used_at = now(), last_used_address = left(p_address, 64)
      where k.id = p_key_id and k.revoked_at is null
        and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute');
  end if;
end
$$;
comment on function private.authenticate_api_key(uuid, text, text) is
  'The API key with this id and secret hash (any state), recording its last use at most once a minute';
revoke all on function private.authenticate_api_key(uuid, text, text) from public;

-- =============================================================================
-- Policy helpers: a key principal is a member of exactly its organization
-- =============================================================================

-- security definer: reads the key row whatever the caller's own policies allow.
-- The organization of the calling key when it is live and has at least `min_role`.
create function private.api_key_org_ids(min_role public.org_role) returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  ids uuid[];
begin
  select coalesce(array_agg(k.org_id), '{}') into ids
  from public.api_keys k
  where k.id = (claims ->> 'ciq_api_key')::uuid
    and k.org_id = (claims ->> 'ciq_org_id')::uuid
    and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now())
    and k.role >= min_role;
  return ids;
end
$$;
grant execute on function private.api_key_org_ids(public.org_role) to authenticated, service_role;

create or replace function private.member_org_ids() returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  ids uuid[];
begin
  if claims ->> 'ciq_actor' = 'worker' then
    return array[(claims ->> 'ciq_org_id')::uuid];
  end if;
  if claims ->> 'ciq_actor' = 'api_key' then
    return private.api_key_org_ids('viewer');
  end if;
  select coalesce(array_agg(m.org_id), '{}') into ids
  from public.memberships m where m.user_id = (claims ->> 'sub')::uuid;
  return ids;
end
$$;
comment on function private.member_org_ids() is
  'Organizations the caller belongs to (a background worker or a live API key: exactly one)';

create or replace function private.org_ids_with_role(min_role public.org_role) returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  ids uuid[];
begin
  if claims ->> 'ciq_actor' = 'worker' then
    -- Background work may do what an admin may, never what only an owner may.
    if min_role <= 'admin' then
      return array[(claims ->> 'ciq_org_id')::uuid];
    end if;
    return '{}';
  end if;
  if claims ->> 'ciq_actor' = 'api_key' then
    -- A key's role is viewer or analyst, so it never passes an admin check.
    return private.api_key_org_ids(min_role);
  end if;
  select coalesce(array_agg(m.org_id), '{}') into ids
  from public.memberships m where m.user_id = (claims ->> 'sub')::uuid and m.role >= min_role;
  return ids;
end
$$;

-- A key sees the profiles of its organization's members (assignees, owners).
create or replace function private.teammate_ids() returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  ids uuid[];
begin
  if claims ->> 'ciq_actor' in ('worker', 'api_key') then
    select coalesce(array_agg(m.user_id), '{}') into ids
    from public.memberships m
    where m.org_id = any (case when claims ->> 'ciq_actor' = 'worker'
                               then array[(claims ->> 'ciq_org_id')::uuid]
                               else private.api_key_org_ids('viewer') end);
    return ids;
  end if;
  select coalesce(array_agg(distinct t.user_id), '{}') into ids
  from public.memberships mine
  join public.memberships t on t.org_id = mine.org_id
  where mine.user_id = (claims ->> 'sub')::uuid;
  return ids;
end
$$;

-- security definer: reads memberships and keys without recursing into their policies.
-- The caller's role in an organization: a member's role, a live key's role, or NULL.
create function private.caller_role(p_org_id uuid) returns public.org_role
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  found_role public.org_role;
begin
  if claims ->> 'ciq_actor' = 'api_key' then
    select k.role into found_role
    from public.api_keys k
    where k.id = (claims ->> 'ciq_api_key')::uuid
      and k.org_id = (claims ->> 'ciq_org_id')::uuid
      and k.org_id = p_org_id
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now());
    return found_role;
  end if;
  select m.role into found_role
  from public.memberships m
  where m.org_id = p_org_id and m.user_id = (claims ->> 'sub')::uuid;
  return found_role;
end
$$;
comment on function private.caller_role(uuid) is
  'The caller''s role in an organization: a member''s role, a live API key''s role, else NULL';
grant execute on function private.caller_role(uuid) to authenticated, service_role;

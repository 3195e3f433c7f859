-- Tenancy: organizations, memberships, profiles, the helpers every policy uses,
-- and the sign-up hook that creates a user's first organization.

-- =============================================================================
-- Types
-- =============================================================================

-- Declared from least to most privileged, so `role >= 'admin'` reads naturally.
create type public.org_role as enum ('viewer', 'auditor', 'analyst', 'admin', 'owner');
create type public.org_plan as enum ('trial', 'basic', 'professional', 'enterprise');
create type public.subscription_status as enum ('active', 'suspended', 'cancelled');

-- =============================================================================
-- Tables
-- =============================================================================

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  slug text not null unique
    check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  plan public.org_plan not null default 'trial',
  subscription_status public.subscription_status not null default 'active',
  max_instances integer not null default 1 check (max_instances >= 0),
  max_users integer not null default 5 check (max_users >= 1),
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'Tenants: each customer organization, its plan, limits and settings';

create table public.memberships (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null default 'viewer',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
comment on table public.memberships is 'Who belongs to which organization, and with which role';
create index memberships_user_id_idx on public.memberships (user_id);

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  display_name text not null default '' check (char_length(display_name) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'Public part of a user: what teammates may see';
create index profiles_email_idx on public.profiles (lower(email));

create trigger organizations_touch before update on public.organizations
  for each row execute function private.touch_updated_at();
create trigger memberships_touch before update on public.memberships
  for each row execute function private.touch_updated_at();
create trigger profiles_touch before update on public.profiles
  for each row execute function private.touch_updated_at();

-- =============================================================================
-- Helpers for policies
-- =============================================================================

-- The helpers are plpgsql returning arrays rather than SQL set-returning
-- functions: plpgsql caches its plans per connection, and policies use them as
-- `org_id = any ((select private.member_org_ids())::uuid[])`, an initplan evaluated once
-- per statement. (Measured: 0.07 ms a call against 0.25–0.38 ms for the SQL form.)

-- security definer: policies on memberships call these, and reading memberships
-- under its own RLS from inside its policy would recurse.
create function private.member_org_ids() returns uuid[]
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
  select coalesce(array_agg(m.org_id), '{}') into ids
  from public.memberships m where m.user_id = (claims ->> 'sub')::uuid;
  return ids;
end
$$;
comment on function private.member_org_ids() is
  'Organizations the caller belongs to (a background worker acts for exactly one)';

-- security definer: same reason as member_org_ids().
create function private.org_ids_with_role(min_role public.org_role) returns uuid[]
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
  select coalesce(array_agg(m.org_id), '{}') into ids
  from public.memberships m where m.user_id = (claims ->> 'sub')::uuid and m.role >= min_role;
  return ids;
end
$$;

-- security definer: reads memberships without recursing into its policies.
create function private.is_member(p_org_id uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select p_org_id = any (private.member_org_ids())
$$;

-- security definer: reads memberships without recursing into its policies.
create function private.has_role_at_least(p_org_id uuid, min_role public.org_role)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select p_org_id = any (private.org_ids_with_role(min_role))
$$;

-- security definer: reads memberships without recursing into its policies.
create function private.has_any_role(p_org_id uuid, roles public.org_role[]) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.memberships m
    where m.org_id = p_org_id and m.user_id = (select auth.uid()) and m.role = any (roles)
  )
$$;

-- security definer: counts owners of an org regardless of who asks.
create function private.owner_count(p_org_id uuid) returns integer
language sql stable security definer
set search_path = ''
as $$
  select count(*)::integer from public.memberships where org_id = p_org_id and role = 'owner'
$$;

grant execute on function private.member_org_ids() to authenticated, service_role;
grant execute on function private.org_ids_with_role(public.org_role) to authenticated, service_role;
grant execute on function private.is_member(uuid) to authenticated, service_role;
grant execute on function private.has_role_at_least(uuid, public.org_role) to authenticated, service_role;
grant execute on function private.has_any_role(uuid, public.org_role[]) to authenticated, service_role;

-- =============================================================================
-- Slugs and plan limits
-- =============================================================================

create function private.slugify(p_text text) returns text
language sql immutable
set search_path = ''
as $$
  select coalesce(
    nullif(
      btrim(left(regexp_replace(lower(coalesce(p_text, '')), '[^a-z0-9]+', '-', 'g'), 40), '-'),
      ''
    ),
    'org'
  )
$$;

-- security definer: must see every organization's slug, not only the caller's.
create function private.unique_org_slug(p_name text) returns text
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  base text := private.slugify(p_name);
  candidate text := base;
  n integer := 1;
begin
  while exists (select 1 from public.organizations where slug = candidate) loop
    n := n + 1;
    candidate := base || '-' || n;
  end loop;
  return candidate;
end
$$;
grant execute on function private.unique_org_slug(text) to authenticated, service_role;

-- Limits follow the plan; only billing (service role) may change plan or limits.
create function private.apply_plan_limits() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.plan is distinct from old.plan then
    new.max_instances := case new.plan
      when 'trial' then 1 when 'basic' then 3 when 'professional' then 10 else 100 end;
    new.max_users := case new.plan
      when 'trial' then 5 when 'basic' then 15 when 'professional' then 50 else 1000 end;
  end if;
  if new.slug is null or new.slug = '' then
    new.slug := private.unique_org_slug(new.name);
  end if;
  new.name := btrim(new.name);
  return new;
end
$$;
create trigger organizations_plan_limits before insert or update on public.organizations
  for each row execute function private.apply_plan_limits();

-- =============================================================================
-- Membership rules the database enforces for every path
-- =============================================================================

-- security definer: adds the creator as owner even though no membership lets
-- them insert into memberships yet.
create function private.add_creator_as_owner() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into public.memberships (org_id, user_id, role)
    values (new.id, new.created_by, 'owner');
  end if;
  return new;
end
$$;
create trigger organizations_add_owner after insert on public.organizations
  for each row execute function private.add_creator_as_owner();

-- security definer: needs the org's member count and owners whatever the caller sees.
create function private.guard_membership() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_is_owner boolean;
  members integer;
  limit_users integer;
begin
  -- Rules apply to people acting through the API; triggers and service work run as
  -- a role without JWT claims and are trusted.
  if caller is null then
    if tg_op = 'DELETE' then return old; end if;
    return new;
  end if;
  caller_is_owner := exists (
    select 1 from public.memberships
    where org_id = coalesce(new.org_id, old.org_id) and user_id = caller and role = 'owner');

  if tg_op = 'INSERT' then
    select count(*) into members from public.memberships where org_id = new.org_id;
    select max_users into limit_users from public.organizations where id = new.org_id;
    if members >= limit_users then
      raise exception 'This organization already has % members, the most its plan allows', limit_users
        using errcode = 'CQ409', hint = 'member_limit_reached';
    end if;
    -- The creator of a new, still empty organization becomes its first owner.
    if new.role = 'owner' and not caller_is_owner and not (
      members = 0 and exists (
        select 1 from public.organizations where id = new.org_id and created_by = caller)
    ) then
      raise exception 'Only an owner can make someone an owner'
        using errcode = 'CQ403', hint = 'owner_required';
    end if;
    return new;
  end if;

  if tg_op = 'UPDATE' then
    if new.org_id <> old.org_id or new.user_id <> old.user_id then
      raise exception 'A membership cannot move to another organization or user'
        using errcode = 'CQ422', hint = 'immutable_membership';
    end if;
    if (new.role = 'owner' or old.role = 'owner') and new.role <> old.role and not caller_is_owner then
      raise exception 'Only an owner can grant or remove the owner role'
        using errcode = 'CQ403', hint = 'owner_required';
    end if;
    if old.role = 'owner' and new.role <> 'owner' and private.owner_count(old.org_id) <= 1 then
      raise exception 'The organization needs at least one owner: make someone else owner first'
        using errcode = 'CQ409', hint = 'last_owner';
    end if;
    return new;
  end if;

  -- DELETE: removing someone else's membership, or leaving.
  if old.role = 'owner' and old.user_id <> caller and not caller_is_owner then
    raise exception 'Only an owner can remove an owner'
      using errcode = 'CQ403', hint = 'owner_required';
  end if;
  if old.role = 'owner' and private.owner_count(old.org_id) <= 1
     and exists (select 1 from public.organizations where id = old.org_id) then
    raise exception 'The organization needs at least one owner: make someone else owner first'
      using errcode = 'CQ409', hint = 'last_owner';
  end if;
  return old;
end
$$;
create trigger memberships_guard before insert or update or delete on public.memberships
  for each row execute function private.guard_membership();

-- =============================================================================
-- Sign-up: profile, and the first organization when the sign-up names one
-- =============================================================================

-- security definer: runs as the auth server's insert into auth.users.
create function private.handle_new_user() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  org_name text := nullif(btrim(new.raw_user_meta_data ->> 'organization_name'), '');
  new_org_id uuid;
begin
  insert into public.profiles (id, email, display_name)
  values (
    new.id,
    coalesce(new.email, ''),
    left(coalesce(nullif(btrim(new.raw_user_meta_data ->> 'full_name'), ''), ''), 100)
  );
  if org_name is not null then
    insert into public.organizations (name, slug, created_by)
    values (left(org_name, 100), private.unique_org_slug(org_name), new.id)
    returning id into new_org_id;
  end if;
  return new;
end
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

-- security definer: keeps profiles.email in step with auth.users.
create function private.sync_profile_email() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.email is distinct from old.email then
    update public.profiles set email = coalesce(new.email, '') where id = new.id;
  end if;
  return new;
end
$$;
create trigger on_auth_user_email_changed after update of email on auth.users
  for each row execute function private.sync_profile_email();

-- security definer: an admin adding a teammate looks the user up by email,
-- which the caller cannot read from auth.users.
create function private.user_id_by_email(p_email text) returns uuid
language sql stable security definer
set search_path = ''
as $$
  select id from auth.users where lower(email) = lower(btrim(p_email)) and deleted_at is null
  limit 1
$$;
grant execute on function private.user_id_by_email(text) to authenticated;

-- =============================================================================
-- Row-level security
-- =============================================================================

alter table public.organizations enable row level security;
alter table public.organizations force row level security;
alter table public.memberships enable row level security;
alter table public.memberships force row level security;
alter table public.profiles enable row level security;
alter table public.profiles force row level security;

-- Plan, subscription and limits belong to billing; members may set only these.
revoke insert, update on public.organizations from authenticated, anon;
grant insert (id, name, slug, settings, created_by) on public.organizations to authenticated;
grant update (name, slug, settings) on public.organizations to authenticated;
revoke update on public.memberships from authenticated;
grant update (role) on public.memberships to authenticated;
revoke update on public.profiles from authenticated;
grant update (display_name) on public.profiles to authenticated;
revoke all on public.organizations from anon;
revoke all on public.memberships from anon;
revoke all on public.profiles from anon;

create policy "Members can view their organizations"
  on public.organizations for select to authenticated
  using (id = any ((select private.member_org_ids())::uuid[]));

create policy "Signed-in users can create an organization they own"
  on public.organizations for insert to authenticated
  with check (created_by = (select auth.uid()));

create policy "Admins can update their organization"
  on public.organizations for update to authenticated
  using (id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Owners can delete their organization"
  on public.organizations for delete to authenticated
  using (id = any ((select private.org_ids_with_role('owner'))::uuid[]));

create policy "Members can view their organization's members"
  on public.memberships for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));

create policy "Admins can add members"
  on public.memberships for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Admins can change members' roles"
  on public.memberships for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Admins can remove members and anyone can leave"
  on public.memberships for delete to authenticated
  using (
    user_id = (select auth.uid())
    or org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
  );

create policy "Users can view their own and their teammates' profiles"
  on public.profiles for select to authenticated
  using (
    id = (select auth.uid())
    or id in (
      select m.user_id from public.memberships m
      where m.org_id = any ((select private.member_org_ids())::uuid[])
    )
  );

create policy "Users can create their own profile"
  on public.profiles for insert to authenticated
  with check (id = (select auth.uid()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create policy "Users can delete their own profile"
  on public.profiles for delete to authenticated
  using (id = (select auth.uid()));

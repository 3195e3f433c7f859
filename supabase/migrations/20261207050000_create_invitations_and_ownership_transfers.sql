-- Invitations by email, ownership transfer offers, and an owner guard that
-- holds under concurrency.

-- =============================================================================
-- Invitations
-- =============================================================================

-- Expired is not stored: a pending invitation past expires_at is expired.
create type public.invitation_status as enum ('pending', 'accepted', 'revoked');

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email text not null
    check (email = lower(btrim(email)) and char_length(email) between 3 and 254),
  -- Ownership is handed over by a transfer the new owner accepts, never by invitation.
  role public.org_role not null check (role <> 'owner'),
  -- SHA-256 of the secret in the link; the secret itself is never stored.
  token_hash bytea not null unique check (octet_length(token_hash) = 32),
  status public.invitation_status not null default 'pending',
  expires_at timestamptz not null,
  invited_by uuid references auth.users (id) on delete set null,
  sent_at timestamptz not null default now(),
  send_count integer not null default 1 check (send_count >= 1),
  accepted_by uuid references auth.users (id) on delete set null,
  accepted_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'accepted') = (accepted_at is not null)),
  check ((status = 'revoked') = (revoked_at is not null))
);
comment on table public.invitations is
  'Invitations to join an organization, sent by email with a single-use link that expires';
-- One open invitation per address and organization.
create unique index invitations_one_pending_idx on public.invitations (org_id, email)
  where status = 'pending';
create index invitations_org_created_idx on public.invitations (org_id, created_at desc, id);
create trigger invitations_touch before update on public.invitations
  for each row execute function private.touch_updated_at();

alter table public.invitations enable row level security;
alter table public.invitations force row level security;
revoke all on public.invitations from anon;
revoke update on public.invitations from authenticated;
-- Admins resend (new token, new expiry) and revoke; acceptance goes through
-- private.accept_invitation, and nothing else may change.
grant update (token_hash, expires_at, sent_at, send_count, status, revoked_at)
  on public.invitations to authenticated;

create policy "Admins can view their organization's invitations"
  on public.invitations for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Admins can invite"
  on public.invitations for insert to authenticated
  with check (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and status = 'pending'
  );

create policy "Admins can resend and revoke invitations"
  on public.invitations for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and status <> 'accepted'
  );

create policy "Admins can delete invitations"
  on public.invitations for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

-- What the holder of a link may see before accepting: the organization's name,
-- the role and the address it was sent to (never whether that address has an
-- account). security definer: the holder is not a member and RLS hides the row.
create function private.invitation_by_token(p_token_hash bytea)
returns table (
  org_name text,
  email text,
  role public.org_role,
  status text,
  expires_at timestamptz,
  invited_by_name text
)
language sql stable security definer
set search_path = ''
as $$
  select o.name, i.email, i.role,
    case when i.status = 'pending' and i.expires_at <= now() then 'expired' else i.status::text end,
    i.expires_at,
    coalesce(nullif(p.display_name, ''), p.email, '')
  from public.invitations i
  join public.organizations o on o.id = i.org_id
  left join public.profiles p on p.id = i.invited_by
  where i.token_hash = p_token_hash
$$;
revoke all on function private.invitation_by_token(bytea) from public, anon;
grant execute on function private.invitation_by_token(bytea) to authenticated, service_role;

-- Accepts an invitation as the caller: the link must be pending and unexpired,
-- and the caller's verified address must be the invited one. Single use: the
-- row is locked and flipped to accepted in the same transaction that adds the
-- membership. security definer: the caller is not a member yet, so neither
-- RLS on invitations nor "Admins can add members" would let them.
create function private.accept_invitation(p_token_hash bytea)
returns table (org_id uuid, role public.org_role)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_email text := lower(btrim(coalesce(auth.jwt() ->> 'email', '')));
  inv public.invitations%rowtype;
begin
  if caller is null then
    raise exception 'Sign in to accept an invitation' using errcode = 'CQ401', hint = 'missing_token';
  end if;
  select * into inv from public.invitations i where i.token_hash = p_token_hash for update;
  if not found or inv.status = 'revoked' then
    raise exception 'This invitation link is not valid: it may have been revoked or replaced by a newer one'
      using errcode = 'CQ404', hint = 'invitation_not_found';
  end if;
  if inv.status = 'accepted' then
    raise exception 'This invitation link has already been used'
      using errcode = 'CQ409', hint = 'invitation_used';
  end if;
  if inv.expires_at <= now() then
    raise exception 'This invitation link has expired: ask for a new one'
      using errcode = 'CQ410', hint = 'invitation_expired';
  end if;
  if caller_email <> inv.email then
    raise exception 'This invitation was sent to another email address: sign in with that address'
      using errcode = 'CQ403', hint = 'invitation_email_mismatch';
  end if;
  if exists (select 1 from public.memberships m where m.org_id = inv.org_id and m.user_id = caller) then
    raise exception 'You are already a member of this organization'
      using errcode = 'CQ409', hint = 'already_member';
  end if;
  -- The member limit is checked by memberships_guard on this insert (the
  -- organization row is locked there, so two acceptances cannot both take
  -- the last seat).
  insert into public.memberships (org_id, user_id, role) values (inv.org_id, caller, inv.role);
  update public.invitations
    set status = 'accepted', accepted_by = caller, accepted_at = now()
    where id = inv.id;
  return query select inv.org_id, inv.role;
end
$$;
revoke all on function private.accept_invitation(bytea) from public, anon;
grant execute on function private.accept_invitation(bytea) to authenticated;

-- The admin helper that looked users up by email served adding existing
-- accounts directly; invitations replace it, and it could tell an admin who
-- has an account.
revoke execute on function private.user_id_by_email(text) from authenticated;

-- =============================================================================
-- Ownership transfer
-- =============================================================================

create table public.ownership_transfers (
  -- One open offer per organization: a new offer replaces the old one.
  org_id uuid primary key references public.organizations (id) on delete cascade,
  from_user_id uuid not null references auth.users (id) on delete cascade,
  to_user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  check (from_user_id <> to_user_id)
);
comment on table public.ownership_transfers is
  'An owner''s open offer to make another member the owner; the member accepts';
create index ownership_transfers_to_user_idx on public.ownership_transfers (to_user_id);

alter table public.ownership_transfers enable row level security;
alter table public.ownership_transfers force row level security;
revoke all on public.ownership_transfers from anon;
revoke update on public.ownership_transfers from authenticated;

create policy "Members can view their organization's ownership offer"
  on public.ownership_transfers for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));

create policy "Owners can offer ownership"
  on public.ownership_transfers for insert to authenticated
  with check (
    org_id = any ((select private.org_ids_with_role('owner'))::uuid[])
    and from_user_id = (select auth.uid())
  );

create policy "Owners can withdraw and the recipient can decline an offer"
  on public.ownership_transfers for delete to authenticated
  using (
    org_id = any ((select private.org_ids_with_role('owner'))::uuid[])
    or to_user_id = (select auth.uid())
  );

-- Accepts the open offer as its recipient: they become owner, the owner who
-- offered becomes admin. security definer: the recipient may hold any role,
-- and only an owner may write roles; memberships_guard lets exactly this
-- promotion through (see below).
create function private.accept_ownership_transfer(p_org_id uuid)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  offer public.ownership_transfers%rowtype;
begin
  select * into offer from public.ownership_transfers t
    where t.org_id = p_org_id and t.to_user_id = caller
    for update;
  if not found then
    raise exception 'There is no ownership offer for you in this organization'
      using errcode = 'CQ404', hint = 'transfer_not_found';
  end if;
  if offer.expires_at <= now() then
    raise exception 'This ownership offer has expired: ask the owner to offer again'
      using errcode = 'CQ410', hint = 'transfer_expired';
  end if;
  if not exists (select 1 from public.memberships m
                 where m.org_id = p_org_id and m.user_id = offer.from_user_id and m.role = 'owner') then
    delete from public.ownership_transfers t where t.org_id = p_org_id;
    raise exception 'The member who offered ownership is no longer an owner'
      using errcode = 'CQ409', hint = 'transfer_stale';
  end if;
  update public.memberships m set role = 'owner' where m.org_id = p_org_id and m.user_id = caller;
  if not found then
    raise exception 'There is no ownership offer for you in this organization'
      using errcode = 'CQ404', hint = 'transfer_not_found';
  end if;
  update public.memberships m set role = 'admin'
    where m.org_id = p_org_id and m.user_id = offer.from_user_id;
  delete from public.ownership_transfers t where t.org_id = p_org_id;
end
$$;
revoke all on function private.accept_ownership_transfer(uuid) from public, anon;
grant execute on function private.accept_ownership_transfer(uuid) to authenticated;

-- =============================================================================
-- The membership guard, again: the organization row is locked before owners
-- and seats are counted, so concurrent changes are decided one after the other
-- (two owners demoting each other, or two acceptances taking the last seat,
-- cannot both pass). The accepted ownership offer is the one way a non-owner
-- becomes owner.
-- =============================================================================

create or replace function private.guard_membership() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  target_org uuid := coalesce(new.org_id, old.org_id);
  caller_is_owner boolean;
  org_exists boolean;
  owners integer;
  members integer;
  limit_users integer;
begin
  if caller is null then
    if tg_op = 'DELETE' then return old; end if;
    return new;
  end if;
  -- Serializes every membership change of one organization (no key update:
  -- rows being inserted elsewhere that reference the organization do not wait).
  select true into org_exists from public.organizations where id = target_org for no key update;
  org_exists := coalesce(org_exists, false);
  caller_is_owner := exists (
    select 1 from public.memberships
    where org_id = target_org and user_id = caller and role = 'owner');

  if tg_op = 'INSERT' then
    select count(*) into members from public.memberships where org_id = new.org_id;
    -- The member limit of the plan (billing may replace how it is read).
    select max_users into limit_users from public.organizations where id = new.org_id;
    if members >= limit_users then
      raise exception 'This organization already has % members, the most its plan allows', limit_users
        using errcode = 'CQ409', hint = 'member_limit_reached';
    end if;
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
    if (new.role = 'owner' or old.role = 'owner') and new.role <> old.role and not caller_is_owner
       and not (
         new.role = 'owner' and new.user_id = caller and exists (
           select 1 from public.ownership_transfers t
           where t.org_id = new.org_id and t.to_user_id = caller and t.expires_at > now())
       ) then
      raise exception 'Only an owner can grant or remove the owner role'
        using errcode = 'CQ403', hint = 'owner_required';
    end if;
    if old.role = 'owner' and new.role <> 'owner' then
      select count(*) into owners from public.memberships where org_id = old.org_id and role = 'owner';
      if owners <= 1 then
        raise exception 'The organization needs at least one owner: make someone else owner first'
          using errcode = 'CQ409', hint = 'last_owner';
      end if;
    end if;
    return new;
  end if;

  if old.role = 'owner' and old.user_id <> caller and not caller_is_owner then
    raise exception 'Only an owner can remove an owner'
      using errcode = 'CQ403', hint = 'owner_required';
  end if;
  if old.role = 'owner' and org_exists then
    select count(*) into owners from public.memberships where org_id = old.org_id and role = 'owner';
    if owners <= 1 then
      raise exception 'The organization needs at least one owner: make someone else owner first'
        using errcode = 'CQ409', hint = 'last_owner';
    end if;
  end if;
  return old;
end
$$;

-- An offer dies with either member's membership, and with the offering
-- owner's owner role.
create function private.drop_stale_ownership_offer() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    delete from public.ownership_transfers t
    where t.org_id = old.org_id and (t.from_user_id = old.user_id or t.to_user_id = old.user_id);
    return old;
  end if;
  delete from public.ownership_transfers t
  where t.org_id = old.org_id and t.from_user_id = old.user_id;
  return new;
end
$$;
create trigger memberships_drop_stale_offer_on_delete
  after delete on public.memberships
  for each row execute function private.drop_stale_ownership_offer();
create trigger memberships_drop_stale_offer_on_step_down
  after update of role on public.memberships
  for each row when (old.role = 'owner' and new.role <> 'owner')
  execute function private.drop_stale_ownership_offer();

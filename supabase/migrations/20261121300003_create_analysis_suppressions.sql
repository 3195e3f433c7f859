-- Suppressions (muting): a finding, a check on one instance, or a check across
-- the organization. Each carries a reason, an owner and an optional expiry; it is
-- in force while it is neither revoked nor expired, judged when read
-- (`expires_at > now()`), so an expired suppression resurfaces its findings with
-- no job involved. Muted findings stay visible and are left out of scores.

create table public.analysis_suppressions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  scope text not null check (scope in ('finding', 'check_instance', 'check_org')),
  check_id text not null,
  instance_id uuid references public.instances (id) on delete cascade,
  finding_id uuid references public.analysis_findings (id) on delete cascade,
  reason text not null check (char_length(btrim(reason)) between 3 and 2000),
  -- Who answers for the exception (a member of the organization).
  owner_id uuid references auth.users (id) on delete set null,
  expires_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  constraint analysis_suppressions_target_check check (
    case scope
      when 'finding' then finding_id is not null and instance_id is not null
      when 'check_instance' then finding_id is null and instance_id is not null
      else finding_id is null and instance_id is null
    end
  )
);
comment on table public.analysis_suppressions is
  'Muted findings and checks: scope, reason, owner, optional expiry; in force until revoked or expired';
create index analysis_suppressions_org_id_idx on public.analysis_suppressions (org_id);
create index analysis_suppressions_finding_idx on public.analysis_suppressions (finding_id)
  where finding_id is not null;
create index analysis_suppressions_check_idx on public.analysis_suppressions (org_id, check_id);
create index analysis_suppressions_instance_idx on public.analysis_suppressions (instance_id);

alter table public.analysis_suppressions enable row level security;
alter table public.analysis_suppressions force row level security;
revoke all on public.analysis_suppressions from anon;
-- Only revocation changes a suppression; what it says is fixed once written.
revoke update on public.analysis_suppressions from authenticated;
grant update (revoked_at, revoked_by) on public.analysis_suppressions to authenticated;

-- Analysts mute findings and checks on an instance; organization-wide mutes
-- need an admin.
create policy "Members can view suppressions"
  on public.analysis_suppressions for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can mute findings and checks"
  on public.analysis_suppressions for insert to authenticated
  with check (
    org_id = any ((select private.org_ids_with_role('analyst'))::uuid[])
    and (scope <> 'check_org' or org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  );
create policy "Analysts can revoke suppressions"
  on public.analysis_suppressions for update to authenticated
  using (
    org_id = any ((select private.org_ids_with_role('analyst'))::uuid[])
    and (scope <> 'check_org' or org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  )
  with check (
    org_id = any ((select private.org_ids_with_role('analyst'))::uuid[])
    and (scope <> 'check_org' or org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  );
create policy "Admins can delete suppressions"
  on public.analysis_suppressions for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

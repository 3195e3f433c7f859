-- Background work: jobs (what an organization sees of its sync, analysis and
-- export work: status, progress, counters, errors) and job deliveries (every
-- QStash message that ran a piece of a job, which makes redeliveries harmless).
--
-- Workers write both under worker claims (`private.member_org_ids()` accepts them
-- for exactly one organization), so row-level security applies to background
-- work as it does to people.

-- =============================================================================
-- Types
-- =============================================================================

create type public.job_status as enum ('queued', 'running', 'succeeded', 'failed', 'cancelled');
create type public.job_delivery_status as enum ('running', 'succeeded', 'failed', 'duplicate');

-- =============================================================================
-- Tables
-- =============================================================================

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null check (char_length(kind) between 1 and 100),
  -- What the job works on, e.g. an instance id; lets a schedule skip a run while
  -- the previous one for the same subject is still going.
  subject text check (char_length(subject) <= 200),
  status public.job_status not null default 'queued',
  progress real not null default 0 check (progress >= 0 and progress <= 1),
  progress_message text not null default '' check (char_length(progress_message) <= 500),
  counters jsonb not null default '{}'::jsonb check (jsonb_typeof(counters) = 'object'),
  payload jsonb not null default '{}'::jsonb,
  -- Where the next chunk starts; saved atomically with the chunk's own writes.
  cursor jsonb,
  result jsonb,
  error text check (char_length(error) <= 2000),
  error_code text check (char_length(error_code) <= 100),
  -- Deliveries that started work on this job (first runs, continuations, retries).
  attempts integer not null default 0 check (attempts >= 0),
  max_retries integer not null default 3 check (max_retries between 0 and 100),
  -- Continuation number: delivery n may only run while the job is at segment n.
  segment integer not null default 0 check (segment >= 0),
  dedup_key text check (char_length(dedup_key) <= 200),
  message_id text,
  schedule_id text,
  actor_user_id uuid references auth.users (id) on delete set null,
  cancelled_by uuid references auth.users (id) on delete set null,
  -- Held by the delivery running the job; renewed while it runs.
  lease_token uuid,
  lease_until timestamptz,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  unique (org_id, kind, dedup_key)
);
comment on table public.jobs is
  'Background work an organization started or scheduled: status, progress, counters and errors';
create index jobs_org_created_idx on public.jobs (org_id, created_at desc, id desc);
create index jobs_active_idx on public.jobs (updated_at)
  where status in ('queued', 'running');
create index jobs_subject_idx on public.jobs (org_id, kind, subject)
  where status in ('queued', 'running');

create table public.job_deliveries (
  message_id text primary key check (char_length(message_id) between 1 and 200),
  org_id uuid not null references public.organizations (id) on delete cascade,
  job_id uuid not null references public.jobs (id) on delete cascade,
  segment integer not null check (segment >= 0),
  -- `Upstash-Retried` of the latest attempt of this message.
  retried integer not null default 0 check (retried >= 0),
  attempts integer not null default 1 check (attempts >= 1),
  status public.job_delivery_status not null default 'running',
  error text check (char_length(error) <= 2000),
  received_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table public.job_deliveries is
  'QStash messages that ran part of a job: a message that already succeeded never runs again';
create index job_deliveries_job_idx on public.job_deliveries (job_id, received_at);
create index job_deliveries_org_idx on public.job_deliveries (org_id);

create trigger jobs_touch before update on public.jobs
  for each row execute function private.touch_updated_at();

-- =============================================================================
-- What people may change: only cancelling. Everything else is the worker's.
-- =============================================================================

create function private.guard_job_change() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  caller uuid := (select auth.uid());
  kept constant text[] := array['status', 'updated_at', 'finished_at', 'cancelled_by',
                                'lease_token', 'lease_until'];
begin
  -- Workers (worker claims) and trusted server work (no user) are not restricted.
  if coalesce(claims ->> 'ciq_actor', '') = 'worker' or caller is null then
    return new;
  end if;
  if tg_op = 'INSERT' then
    raise exception 'Jobs are created by starting the work they do, not directly'
      using errcode = 'CQ403', hint = 'jobs_are_started_by_the_api';
  end if;
  if new.status = 'cancelled' and old.status in ('queued', 'running')
     and (to_jsonb(new) - kept) = (to_jsonb(old) - kept) then
    new.finished_at := now();
    new.cancelled_by := caller;
    new.lease_token := null;
    new.lease_until := null;
    return new;
  end if;
  raise exception 'A job can only be cancelled, and only while it is queued or running'
    using errcode = 'CQ409', hint = 'job_not_cancellable';
end
$$;
create trigger jobs_guard before insert or update on public.jobs
  for each row execute function private.guard_job_change();

-- Deliveries are the worker's record; people only read them.
create function private.guard_job_delivery_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(auth.jwt() ->> 'ciq_actor', '') = 'worker' or (select auth.uid()) is null then
    return new;
  end if;
  raise exception 'Job deliveries are written by background workers only'
    using errcode = 'CQ403', hint = 'worker_only';
end
$$;
create trigger job_deliveries_guard before insert or update on public.job_deliveries
  for each row execute function private.guard_job_delivery_change();

-- =============================================================================
-- Row-level security
-- =============================================================================

alter table public.jobs enable row level security;
alter table public.jobs force row level security;
alter table public.job_deliveries enable row level security;
alter table public.job_deliveries force row level security;

revoke all on public.jobs from anon;
revoke all on public.job_deliveries from anon;

create policy "Members can view their organization's jobs"
  on public.jobs for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));

create policy "Workers can create jobs for the organization they act for"
  on public.jobs for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Analysts can cancel jobs and workers can update them"
  on public.jobs for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Admins can delete finished jobs"
  on public.jobs for delete to authenticated
  using (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and status in ('succeeded', 'failed', 'cancelled')
  );

create policy "Members can view their organization's job deliveries"
  on public.job_deliveries for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));

create policy "Workers can record deliveries for the organization they act for"
  on public.job_deliveries for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Workers can update deliveries for the organization they act for"
  on public.job_deliveries for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Admins can delete job deliveries"
  on public.job_deliveries for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

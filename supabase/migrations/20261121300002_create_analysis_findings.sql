-- Findings: one row per (organization, instance, check, resource) that has ever
-- failed, with its current state; per-run results (the history and the delta of
-- each run); the triage state people set; and an append-only event log.
--
-- A finding's id is deterministic — md5(org | instance | check | resource key)
-- read as a uuid — so the same failing record is the same finding in every run.

-- =============================================================================
-- Findings (current state)
-- =============================================================================

create table public.analysis_findings (
  id uuid primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  instance_id uuid not null references public.instances (id) on delete cascade,
  check_id text not null,
  -- What was judged: a sys_id, a property name, a role…
  resource_key text not null,
  table_name text not null,
  sys_id text,
  -- open: failed at the last run that evaluated its check; resolved: passed since.
  status text not null default 'open' check (status in ('open', 'resolved')),
  -- The evidence of the latest failure.
  evidence jsonb not null default '{}'::jsonb check (jsonb_typeof(evidence) = 'object'),
  first_seen_run_id uuid references public.analysis_runs (id) on delete set null,
  first_seen_at timestamptz not null default now(),
  -- The last run in which it failed.
  last_seen_run_id uuid references public.analysis_runs (id) on delete set null,
  last_seen_at timestamptz not null default now(),
  -- The last run that evaluated its check (failed or not).
  last_evaluated_run_id uuid references public.analysis_runs (id) on delete set null,
  resolved_at timestamptz,
  reopened_count integer not null default 0 check (reopened_count >= 0),
  created_at timestamptz not null default now()
);
comment on table public.analysis_findings is
  'Every resource a check has failed on, per instance: open or resolved, first and last seen';
create index analysis_findings_org_id_idx on public.analysis_findings (org_id);
create index analysis_findings_instance_check_idx
  on public.analysis_findings (instance_id, check_id, status);
create index analysis_findings_first_seen_run_idx on public.analysis_findings (first_seen_run_id);
create index analysis_findings_last_seen_run_idx on public.analysis_findings (last_seen_run_id);
create index analysis_findings_last_evaluated_run_idx
  on public.analysis_findings (last_evaluated_run_id);

-- =============================================================================
-- Per-run finding results (history and deltas)
-- =============================================================================

create table public.analysis_finding_results (
  org_id uuid not null references public.organizations (id) on delete cascade,
  run_id uuid not null references public.analysis_runs (id) on delete cascade,
  finding_id uuid not null references public.analysis_findings (id) on delete cascade,
  check_id text not null,
  -- FAIL: failed in this run; PASS: failed before and passed now (resolved);
  -- NOT_EVALUATED: open before, and its check could not be evaluated this run.
  status text not null check (status in ('FAIL', 'PASS', 'NOT_EVALUATED')),
  delta text check (delta in ('new', 'unchanged', 'resolved', 'reopened')),
  evidence jsonb,
  primary key (run_id, finding_id)
);
comment on table public.analysis_finding_results is
  'Each finding in each run: its status, the delta against the previous evaluation, the evidence then';
create index analysis_finding_results_org_id_idx on public.analysis_finding_results (org_id);
create index analysis_finding_results_finding_idx on public.analysis_finding_results (finding_id);
create index analysis_finding_results_run_check_idx
  on public.analysis_finding_results (run_id, check_id);

-- =============================================================================
-- Triage
-- =============================================================================

create table public.analysis_finding_triage (
  finding_id uuid primary key references public.analysis_findings (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  state text not null default 'open'
    check (state in ('open', 'under_review', 'remediating', 'risk_accepted', 'false_positive')),
  note text check (char_length(note) <= 2000),
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now()
);
comment on table public.analysis_finding_triage is
  'Where people are with a finding: open, under review, remediating, risk accepted, false positive';
create index analysis_finding_triage_org_id_idx on public.analysis_finding_triage (org_id);

create table public.analysis_finding_events (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  finding_id uuid not null references public.analysis_findings (id) on delete cascade,
  kind text not null check (kind in ('triage', 'suppressed', 'unsuppressed', 'reopened')),
  from_state text,
  to_state text,
  note text check (char_length(note) <= 2000),
  -- NULL for the engine (e.g. a reopened finding going back to open).
  actor_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.analysis_finding_events is
  'Append-only history of what people (and the engine) did with a finding';
create index analysis_finding_events_org_id_idx on public.analysis_finding_events (org_id);
create index analysis_finding_events_finding_idx
  on public.analysis_finding_events (finding_id, created_at);

-- =============================================================================
-- Row-level security
-- =============================================================================

alter table public.analysis_findings enable row level security;
alter table public.analysis_findings force row level security;
alter table public.analysis_finding_results enable row level security;
alter table public.analysis_finding_results force row level security;
alter table public.analysis_finding_triage enable row level security;
alter table public.analysis_finding_triage force row level security;
alter table public.analysis_finding_events enable row level security;
alter table public.analysis_finding_events force row level security;
revoke all on public.analysis_findings, public.analysis_finding_results,
  public.analysis_finding_triage, public.analysis_finding_events from anon;
-- The event log is append-only for everyone but the database owner.
revoke update, delete on public.analysis_finding_events from authenticated;

create policy "Members can view findings"
  on public.analysis_findings for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers can record findings"
  on public.analysis_findings for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can update findings"
  on public.analysis_findings for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete findings"
  on public.analysis_findings for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view finding results"
  on public.analysis_finding_results for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers can record finding results"
  on public.analysis_finding_results for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can update finding results"
  on public.analysis_finding_results for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete finding results"
  on public.analysis_finding_results for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view triage"
  on public.analysis_finding_triage for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can triage findings"
  on public.analysis_finding_triage for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can change triage"
  on public.analysis_finding_triage for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Admins can delete triage"
  on public.analysis_finding_triage for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view finding events"
  on public.analysis_finding_events for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can record finding events"
  on public.analysis_finding_events for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

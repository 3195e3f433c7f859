-- Analysis runs of an instance and the verdict of each check in each run.
--
-- A run evaluates a scope of the check catalog (all checks, one framework, or
-- chosen checks) against the instance's synced records, as a chunked,
-- resumable background job (`analysis.run`). It records what it ran with — the
-- catalog version, the organization's parameter overrides and custom check
-- definitions — so a result can always be traced to the rules that produced it.

-- =============================================================================
-- Runs
-- =============================================================================

create table public.analysis_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  instance_id uuid not null references public.instances (id) on delete cascade,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  trigger text not null default 'manual' check (trigger in ('manual', 'schedule', 'sync')),
  -- {"type": "all"} | {"type": "framework", "framework": id} | {"type": "checks", "checks": [ids]}
  scope jsonb not null default '{"type": "all"}'::jsonb check (jsonb_typeof(scope) = 'object'),
  catalog_version text not null,
  -- Non-default parameters the checks ran with, by check id.
  parameters jsonb not null default '{}'::jsonb check (jsonb_typeof(parameters) = 'object'),
  -- Custom check definitions the run used, by check id (version, table, query…).
  custom_checks jsonb not null default '{}'::jsonb check (jsonb_typeof(custom_checks) = 'object'),
  -- The checks the scope selected (enabled ones, plus custom checks), fixed when the run is requested.
  check_ids text[] not null default '{}',
  -- The checks in evaluation order, grouped into statements (filled when the run starts).
  plan jsonb not null default '[]'::jsonb check (jsonb_typeof(plan) = 'array'),
  -- Relative rules (dormancy, expiry) are measured from this instant.
  evaluated_at timestamptz not null default now(),
  checks_total integer not null default 0 check (checks_total >= 0),
  checks_done integer not null default 0 check (checks_done >= 0),
  previous_run_id uuid references public.analysis_runs (id) on delete set null,
  job_id uuid,
  scores jsonb,
  summary jsonb,
  explanation jsonb,
  error text,
  requested_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
comment on table public.analysis_runs is
  'Each analysis of an instance: scope, catalog version and parameters used, progress, scores';
create index analysis_runs_org_id_idx on public.analysis_runs (org_id);
create index analysis_runs_instance_idx on public.analysis_runs (instance_id, created_at desc);
create index analysis_runs_previous_idx on public.analysis_runs (previous_run_id);
-- One run at a time per instance: deltas are computed against the findings'
-- current state, which two concurrent runs would both move.
create unique index analysis_runs_one_active_idx on public.analysis_runs (instance_id)
  where status in ('queued', 'running');

-- =============================================================================
-- Per-run check results
-- =============================================================================

create table public.analysis_check_results (
  org_id uuid not null references public.organizations (id) on delete cascade,
  run_id uuid not null references public.analysis_runs (id) on delete cascade,
  check_id text not null check (check_id ~ '^[a-z0-9_]{1,100}$'),
  status text not null check (status in ('PASS', 'FAIL', 'NOT_EVALUATED')),
  -- Why the check was not evaluated, or a note on a partial evaluation.
  reason text,
  failed integer not null default 0 check (failed >= 0),
  passed integer not null default 0 check (passed >= 0),
  -- The first failing resources (at most 50, by resource key) with their evidence.
  evidence jsonb not null default '[]'::jsonb check (jsonb_typeof(evidence) = 'array'),
  evidence_truncated boolean not null default false,
  -- The check as it was when the run evaluated it (scores and filters read these).
  title text not null,
  area text not null,
  family text not null check (family in ('hardening', 'behavioural', 'custom')),
  severity text not null check (severity in ('critical', 'high', 'medium', 'low', 'informational')),
  severity_rank smallint not null check (severity_rank between 0 and 4),
  risk numeric(3, 1) not null default 0 check (risk between 0 and 10),
  -- Security Center risk of a setting Security Center scores; NULL for every other check.
  sc_risk numeric(3, 1) check (sc_risk between 0 and 10),
  frameworks text[] not null default '{}',
  duration_ms integer,
  created_at timestamptz not null default now(),
  primary key (run_id, check_id)
);
comment on table public.analysis_check_results is
  'The verdict of each check in each run: PASS, FAIL or NOT_EVALUATED (with why), counts, capped evidence';
create index analysis_check_results_org_id_idx on public.analysis_check_results (org_id);

-- =============================================================================
-- Row-level security
-- =============================================================================

alter table public.analysis_runs enable row level security;
alter table public.analysis_runs force row level security;
alter table public.analysis_check_results enable row level security;
alter table public.analysis_check_results force row level security;
revoke all on public.analysis_runs, public.analysis_check_results from anon;

create policy "Members can view analysis runs"
  on public.analysis_runs for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can start analysis runs"
  on public.analysis_runs for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts and workers can update analysis runs"
  on public.analysis_runs for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Admins can delete analysis runs"
  on public.analysis_runs for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view check results"
  on public.analysis_check_results for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers can record check results"
  on public.analysis_check_results for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can update check results"
  on public.analysis_check_results for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete check results"
  on public.analysis_check_results for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

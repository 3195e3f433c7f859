-- Per-run summaries for the dashboard and insights.
--
-- A cold dashboard used to read the latest verdict of every check on every
-- instance from `analysis_check_results` (355 rows per instance, scattered over
-- a table of millions) and every finding result of those runs for the deltas.
-- When a run finishes, the engine now writes one summary row in the same
-- transaction: the per-check figures the aggregates fold (verdict, failing
-- resources, weights, severity, area, frameworks, and the run's new, resolved
-- and reopened finding results of that check) packed in one array of a
-- composite type, plus the run's delta totals. A dashboard reads one row per
-- instance and unnests it; suppressions are applied at read time (they change
-- after the run, and the overlay is cheap: check mutes join by check id,
-- finding mutes look up the muted findings' results of the latest runs only).
--
-- Evidence, like the rows it summarises: written by the engine (`ciq_engine`,
-- for the organization of its worker claims), read-only for members.

create type public.analysis_check_summary as (
  check_id text,
  title text,
  area text,
  family text,
  severity text,
  severity_rank smallint,
  risk numeric(3, 1),
  sc_risk numeric(3, 1),
  frameworks text[],
  status text,
  failed integer,
  new_results integer,
  resolved_results integer,
  reopened_results integer
);
comment on type public.analysis_check_summary is
  'One check of a run as the dashboard folds it: verdict before suppressions, failing resources, weights and the run''s finding deltas for the check';

create table public.analysis_run_summaries (
  run_id uuid primary key references public.analysis_runs (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  instance_id uuid not null references public.instances (id) on delete cascade,
  checks public.analysis_check_summary[] not null,
  new_results integer not null default 0 check (new_results >= 0),
  resolved_results integer not null default 0 check (resolved_results >= 0),
  reopened_results integer not null default 0 check (reopened_results >= 0),
  created_at timestamptz not null default now()
);
comment on table public.analysis_run_summaries is
  'Written by the engine when a run succeeds: each check''s verdict and figures (before suppressions) and the run''s finding deltas, so dashboards read one row per instance';

create index analysis_run_summaries_org_id_idx on public.analysis_run_summaries (org_id);
create index analysis_run_summaries_instance_idx on public.analysis_run_summaries (instance_id);

alter table public.analysis_run_summaries enable row level security;
alter table public.analysis_run_summaries force row level security;
revoke all on public.analysis_run_summaries from anon;
revoke insert, update, delete, truncate on public.analysis_run_summaries from authenticated;
grant select on public.analysis_run_summaries to authenticated;
grant select, insert, update, delete on public.analysis_run_summaries to ciq_engine;

create policy "Members can view run summaries"
  on public.analysis_run_summaries for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "The engine records analysis_run_summaries"
  on public.analysis_run_summaries for insert to ciq_engine
  with check (org_id = (select private.engine_org_id()));
create policy "The engine updates analysis_run_summaries"
  on public.analysis_run_summaries for update to ciq_engine
  using (org_id = (select private.engine_org_id()))
  with check (org_id = (select private.engine_org_id()));
create policy "The engine deletes analysis_run_summaries"
  on public.analysis_run_summaries for delete to ciq_engine
  using (org_id = (select private.engine_org_id()));

-- Writes (or rewrites) the summary of one run from its check and finding
-- results. Security invoker: the engine's policies decide what it may write.
create function public.record_analysis_run_summary(p_run_id uuid) returns void
language sql
security invoker
set search_path = ''
as $$
  with deltas as (
    select fr.check_id,
           count(*) filter (where fr.delta = 'new')::int as new_results,
           count(*) filter (where fr.delta = 'resolved')::int as resolved_results,
           count(*) filter (where fr.delta = 'reopened')::int as reopened_results
    from public.analysis_finding_results fr
    where fr.run_id = p_run_id and fr.delta in ('new', 'resolved', 'reopened')
    group by fr.check_id
  ),
  totals as (
    select coalesce(sum(new_results), 0)::int as new_results,
           coalesce(sum(resolved_results), 0)::int as resolved_results,
           coalesce(sum(reopened_results), 0)::int as reopened_results
    from deltas
  )
  insert into public.analysis_run_summaries
    (run_id, org_id, instance_id, checks, new_results, resolved_results, reopened_results)
  select r.id, r.org_id, r.instance_id,
         coalesce((
           select array_agg(row(cr.check_id, cr.title, cr.area, cr.family, cr.severity,
                                cr.severity_rank, cr.risk, cr.sc_risk, cr.frameworks, cr.status,
                                cr.failed, coalesce(d.new_results, 0),
                                coalesce(d.resolved_results, 0), coalesce(d.reopened_results, 0)
                               )::public.analysis_check_summary order by cr.check_id)
           from public.analysis_check_results cr
           left join deltas d on d.check_id = cr.check_id
           where cr.run_id = r.id
         ), '{}'),
         t.new_results, t.resolved_results, t.reopened_results
  from public.analysis_runs r cross join totals t
  where r.id = p_run_id
  on conflict (run_id) do update set
    checks = excluded.checks,
    new_results = excluded.new_results,
    resolved_results = excluded.resolved_results,
    reopened_results = excluded.reopened_results,
    created_at = now()
$$;
comment on function public.record_analysis_run_summary(uuid) is
  'Writes the dashboard summary of one analysis run from its check and finding results (engine, in the run''s completion transaction)';
revoke all on function public.record_analysis_run_summary(uuid) from public, anon, authenticated;
grant execute on function public.record_analysis_run_summary(uuid) to ciq_engine;

-- Backfill: every run that already succeeded.
select public.record_analysis_run_summary(r.id)
from public.analysis_runs r
where r.status = 'succeeded';

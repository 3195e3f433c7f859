-- Evidence is written only by the engine.
--
-- What the sync and the analysis record (synced records, sync history and table
-- state, analysis runs, check results, findings and their per-run results, job
-- deliveries) is what an auditor relies on. Until now `authenticated` could
-- write it under an admin's claims, and on hosted Supabase PostgREST takes any
-- user's token to `authenticated`: an admin could rewrite the evidence.
--
-- From here on:
-- * `authenticated` (every user session, PostgREST's included) only reads these
--   tables. Users keep the writes they own: instances (configuration, not the
--   engine's sync outcome), triage, suppressions, custom checks, check settings,
--   their own finding events.
-- * `ciq_engine`, a NOLOGIN role, writes them. It is granted to the login role
--   that runs the migrations (the server's: `postgres` on hosted Supabase) and
--   to nobody else — not to `authenticator`, so no API token can reach it. The
--   server switches to it per transaction (`Database.asEngine`, and every
--   transaction under worker claims). It inherits `authenticated`, so it reads
--   what a member reads and RLS stays forced: its write policies admit only rows
--   of the organization named by its worker claims.

-- =============================================================================
-- The engine's role (cluster-wide, so created once; Supabase has no such role)
-- =============================================================================

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'ciq_engine') then
    create role ciq_engine nologin inherit;
    comment on role ciq_engine is
      'ComplianceIQ sync and analysis engine: the only writer of evidence, set per transaction by the server';
  end if;
end
$$;

grant authenticated to ciq_engine;
grant ciq_engine to current_user;

-- The organization the engine acts for: set by server-built worker claims only.
create function private.engine_org_id() returns uuid
language sql stable
set search_path = ''
as $$
  select case when auth.jwt() ->> 'ciq_actor' = 'worker' then (auth.jwt() ->> 'ciq_org_id')::uuid end
$$;
comment on function private.engine_org_id() is
  'Organization of the worker claims the engine runs under; NULL for any other claims';
grant execute on function private.engine_org_id() to ciq_engine;

-- =============================================================================
-- Evidence tables: read-only for users, written by the engine for its organization
-- =============================================================================

revoke insert, update, delete, truncate on
  public.snow_records, public.sync_runs, public.sync_table_results, public.instance_tables,
  public.sync_seen_keys, public.analysis_runs, public.analysis_check_results,
  public.analysis_findings, public.analysis_finding_results, public.job_deliveries
  from authenticated;

grant select, insert, update, delete on
  public.snow_records, public.sync_runs, public.sync_table_results, public.instance_tables,
  public.sync_seen_keys, public.analysis_runs, public.analysis_check_results,
  public.analysis_findings, public.analysis_finding_results, public.job_deliveries
  to ciq_engine;

drop policy "Admins and workers can add synced records" on public.snow_records;
drop policy "Admins and workers can update synced records" on public.snow_records;
drop policy "Admins and workers can delete synced records" on public.snow_records;
drop policy "Analysts can start sync runs" on public.sync_runs;
drop policy "Analysts and workers can update sync runs" on public.sync_runs;
drop policy "Admins can delete sync runs" on public.sync_runs;
drop policy "Workers can record per-table sync results" on public.sync_table_results;
drop policy "Workers can update per-table sync results" on public.sync_table_results;
drop policy "Admins can delete per-table sync results" on public.sync_table_results;
drop policy "Workers can record instance tables" on public.instance_tables;
drop policy "Workers can update instance tables" on public.instance_tables;
drop policy "Admins can delete instance tables" on public.instance_tables;
drop policy "Workers can read seen keys" on public.sync_seen_keys;
drop policy "Workers can record seen keys" on public.sync_seen_keys;
drop policy "Workers can update seen keys" on public.sync_seen_keys;
drop policy "Workers can clear seen keys" on public.sync_seen_keys;
drop policy "Analysts can start analysis runs" on public.analysis_runs;
drop policy "Analysts and workers can update analysis runs" on public.analysis_runs;
drop policy "Admins can delete analysis runs" on public.analysis_runs;
drop policy "Workers can record check results" on public.analysis_check_results;
drop policy "Workers can update check results" on public.analysis_check_results;
drop policy "Admins can delete check results" on public.analysis_check_results;
drop policy "Workers can record findings" on public.analysis_findings;
drop policy "Workers can update findings" on public.analysis_findings;
drop policy "Admins can delete findings" on public.analysis_findings;
drop policy "Workers can record finding results" on public.analysis_finding_results;
drop policy "Workers can update finding results" on public.analysis_finding_results;
drop policy "Admins can delete finding results" on public.analysis_finding_results;
drop policy "Workers can record deliveries for the organization they act for"
  on public.job_deliveries;
drop policy "Workers can update deliveries for the organization they act for"
  on public.job_deliveries;
drop policy "Admins can delete job deliveries" on public.job_deliveries;

-- Seen keys are the engine's scratch space: not even readable by people.
create policy "The engine reads its seen keys"
  on public.sync_seen_keys for select to ciq_engine
  using (org_id = (select private.engine_org_id()));

do $$
declare
  t text;
begin
  foreach t in array array[
    'snow_records', 'sync_runs', 'sync_table_results', 'instance_tables', 'sync_seen_keys',
    'analysis_runs', 'analysis_check_results', 'analysis_findings', 'analysis_finding_results',
    'job_deliveries'
  ] loop
    execute format(
      'create policy "The engine records %1$s" on public.%1$I for insert to ciq_engine
         with check (org_id = (select private.engine_org_id()))', t);
    execute format(
      'create policy "The engine updates %1$s" on public.%1$I for update to ciq_engine
         using (org_id = (select private.engine_org_id()))
         with check (org_id = (select private.engine_org_id()))', t);
    execute format(
      'create policy "The engine deletes %1$s" on public.%1$I for delete to ciq_engine
         using (org_id = (select private.engine_org_id()))', t);
  end loop;
end
$$;

-- =============================================================================
-- Instances: configuration is the admins', the sync outcome the engine's
-- =============================================================================

revoke insert, update on public.instances from authenticated;
grant insert (id, org_id, name, url, auth_type, credentials, status, build_tag,
  last_health_check_at, last_health, sync_cron, sync_schedule_id, created_by)
  on public.instances to authenticated;
grant update (name, url, auth_type, credentials, status, build_tag, last_health_check_at,
  last_health, sync_cron, sync_schedule_id)
  on public.instances to authenticated;
grant update (last_sync_at, last_sync_status) on public.instances to ciq_engine;

-- =============================================================================
-- Finding events: people record what they did; only the engine records reopenings
-- =============================================================================

drop policy "Analysts can record finding events" on public.analysis_finding_events;
create policy "Analysts can record their own finding events"
  on public.analysis_finding_events for insert to authenticated
  with check (
    org_id = any ((select private.org_ids_with_role('analyst'))::uuid[])
    and actor_id = (select auth.uid())
    and kind in ('triage', 'suppressed', 'unsuppressed')
  );
create policy "The engine records finding events"
  on public.analysis_finding_events for insert to ciq_engine
  with check (org_id = (select private.engine_org_id()));
grant insert on public.analysis_finding_events to ciq_engine;

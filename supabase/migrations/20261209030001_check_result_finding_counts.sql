-- How many finding results each check of a run has, kept with the check's
-- result: the findings-by-check view (GET /analysis/findings/groups) reads a
-- run's counts off its check results instead of counting every finding result
-- of the run (100,000 in a large run). Finding results are written once per
-- run, in the statement that records the check's result (or carries it as not
-- evaluated); a statement-level trigger adds each statement's rows per check.
--
-- Expand without a backfill: counting 30 M finding results in this transaction
-- held an exclusive lock on every check result for over 20 minutes. Rows that
-- exist now keep `findings` null ("not counted"; the groups view counts their
-- finding results instead, and the trigger leaves null alone); rows written
-- from now on start at 0. `deno task db:backfill-finding-counts` fills the
-- nulls a batch of runs per short transaction, while the product runs.

alter table public.analysis_check_results
  add column findings integer check (findings >= 0);
alter table public.analysis_check_results alter column findings set default 0;
comment on column public.analysis_check_results.findings is
  'Finding results of this check in this run (failing, resolved and carried), kept by a trigger; null for results written before the count existed until the backfill counts them';

create function private.count_check_findings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.analysis_check_results cr
  set findings = cr.findings + n.added
  from (select run_id, check_id, count(*)::int as added from inserted group by run_id, check_id) n
  where cr.run_id = n.run_id and cr.check_id = n.check_id and cr.findings is not null;
  return null;
end
$$;
revoke all on function private.count_check_findings() from public, anon, authenticated, service_role;

create trigger analysis_finding_results_count_findings
  after insert on public.analysis_finding_results
  referencing new table as inserted
  for each statement execute function private.count_check_findings();

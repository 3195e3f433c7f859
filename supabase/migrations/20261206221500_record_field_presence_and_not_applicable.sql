-- Absent is not empty, and not-applicable is not not-evaluated.
--
-- The sync records, per instance and table, which fields it asked for and which
-- the instance actually returned (a field omitted from every record of the reads
-- is absent; an empty string is a value), and whether the table exists at all
-- (400 "Invalid table": a plugin that is not installed). The analysis reads them:
-- a check needing an absent field is NOT_EVALUATED with the reason, a check
-- needing a table the instance does not have is NOT_APPLICABLE (kept apart and
-- out of every score). Both tables stay engine-written evidence: the policies of
-- instance_tables and sync_table_results are unchanged (members read, workers
-- write); these are new columns of them.

alter table public.instance_tables
  add column table_missing boolean not null default false,
  add column fields_requested text[],
  add column fields_present text[];
comment on column public.instance_tables.table_missing is
  'The instance answered that the table does not exist (plugin not installed); implies readable = false';
comment on column public.instance_tables.fields_requested is
  'Fields the last sync that read records asked for (sysparm_fields); NULL before any record was read';
comment on column public.instance_tables.fields_present is
  'Fields present in at least one record returned; a requested field not listed is absent on the instance';

alter table public.sync_table_results
  add column fields_present text[];
comment on column public.sync_table_results.fields_present is
  'Union of the field names of every record this run read from the table';

alter table public.analysis_check_results
  drop constraint analysis_check_results_status_check;
alter table public.analysis_check_results
  add constraint analysis_check_results_status_check
  check (status in ('PASS', 'FAIL', 'NOT_EVALUATED', 'NOT_APPLICABLE'));
alter table public.analysis_check_results
  add column default_used boolean not null default false;
comment on column public.analysis_check_results.default_used is
  'Hardening settings: the verdict rests on the platform default (no property record on the instance)';
comment on table public.analysis_check_results is
  'The verdict of each check in each run: PASS, FAIL, NOT_EVALUATED or NOT_APPLICABLE (with why), counts, capped evidence';

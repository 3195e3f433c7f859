-- The findings list walks indexes in its sort order and stops after one page
-- (docs/analysis.md, "Reading findings at scale"): a run's checks by severity,
-- then each check's findings on the instance by resource key; or the instance's
-- findings by resource key, first seen or last seen. Each index starts with the
-- instance, the key every list query fixes; a run's results are probed by their
-- primary key (run_id, finding_id).

create index analysis_check_results_rank_idx
  on public.analysis_check_results (run_id, severity_rank, check_id);
create index analysis_findings_check_resource_idx
  on public.analysis_findings (instance_id, check_id, resource_key, id);
create index analysis_findings_resource_idx
  on public.analysis_findings (instance_id, resource_key, check_id, id);
create index analysis_findings_first_seen_idx
  on public.analysis_findings (instance_id, first_seen_at desc, id);
create index analysis_findings_last_seen_idx
  on public.analysis_findings (instance_id, last_seen_at desc, id);
-- Check-wide suppressions of an organization, for the page's mute lookup.
create index analysis_suppressions_check_scope_idx
  on public.analysis_suppressions (org_id, check_id, created_at)
  where revoked_at is null and finding_id is null;

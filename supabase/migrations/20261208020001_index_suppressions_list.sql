-- The suppressions list (`GET /analysis/suppressions`, newest first, at most
-- 500) walks an organization's suppressions in that order and stops, instead of
-- sorting all of them.
create index analysis_suppressions_org_created_idx
  on public.analysis_suppressions (org_id, created_at desc);

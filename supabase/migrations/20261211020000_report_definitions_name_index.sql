-- Saved reports are listed by name, case-insensitively, in pages with a
-- (lower(name), id) keyset: an index in that order makes a page the first rows
-- of one walk, not a sort of every saved report of the organization. It takes
-- over from the (org_id) index. Plan test: shared/reports/list_plan_test.ts.

create index report_definitions_org_name_idx
  on public.report_definitions (org_id, lower(name), id);
drop index public.report_definitions_org_id_idx;

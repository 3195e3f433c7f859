-- Indexes in the order the lists read them, so a page is the first rows of one
-- index walk (no sort of an instance's or organization's whole history). Each
-- list orders by (created_at desc, id desc) and pages with a (created_at, id)
-- keyset; an index without `id` makes the planner sort every row of the
-- instance to break ties. Plan tests: shared/*/list_plan_test.ts.

drop index public.analysis_runs_instance_idx;
create index analysis_runs_instance_idx on public.analysis_runs (instance_id, created_at desc, id desc);

drop index public.sync_runs_instance_idx;
create index sync_runs_instance_idx on public.sync_runs (instance_id, created_at desc, id desc);

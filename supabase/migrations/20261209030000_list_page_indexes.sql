-- Indexes in the order the lists read them, so a page is the first rows of one
-- index walk (no sort of an instance's or organization's whole history). Each
-- list orders by (created_at desc, id desc) and pages with a (created_at, id)
-- keyset; an index without `id` makes the planner sort every row of the
-- instance to break ties. Plan tests: shared/*/list_plan_test.ts.

drop index public.analysis_runs_instance_idx;
create index analysis_runs_instance_idx on public.analysis_runs (instance_id, created_at desc, id desc);

drop index public.sync_runs_instance_idx;
create index sync_runs_instance_idx on public.sync_runs (instance_id, created_at desc, id desc);

-- The delivery log and the inbox: newest first with the id as tie-breaker.
drop index public.notification_deliveries_org_idx;
create index notification_deliveries_org_idx
  on public.notification_deliveries (org_id, created_at desc, id desc);

drop index public.notifications_user_idx;
create index notifications_user_idx on public.notifications (user_id, org_id, created_at desc, id desc);

-- The bell's unread count reads unread rows only (and at most 100 of them).
create index notifications_unread_idx on public.notifications (user_id, org_id) where read_at is null;

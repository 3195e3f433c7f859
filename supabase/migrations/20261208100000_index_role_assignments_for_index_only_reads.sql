-- Role-assignment reads without the heap. The analysis's assignment checks
-- read, out of every `sys_user_has_role` record of an instance (840k on a
-- 100k-user instance), only the user and role references (orphaned grants,
-- segregation-of-duties candidates) or a handful of rare records (direct
-- grants). The role_ref/user_ref indexes (20261208010000) now carry the other
-- reference, the sys_id and org_id (the row-level security column), so those
-- reads are index-only scans instead of visiting every assignment's page.
drop index public.snow_records_role_ref_idx;
create index snow_records_role_ref_idx on public.snow_records (instance_id, role_ref)
  include (user_ref, org_id) where role_ref is not null;

drop index public.snow_records_user_ref_idx;
create index snow_records_user_ref_idx on public.snow_records (instance_id, user_ref)
  include (sys_id, org_id) where user_ref is not null;

-- Assignments whose user reference is not a string (absent or JSON null): the
-- orphaned-grant check looks at them one by one.
create index snow_records_grant_without_user_idx on public.snow_records (instance_id)
  include (org_id) where table_name = 'sys_user_has_role' and user_ref is null;

-- Active direct grants (inherited = false): a few hundred out of 840k. A
-- partial index's predicate is evaluated when rows are written, so under
-- row-level security it still serves a query whose conditions match it (a
-- condition on `data ->> …` itself is never an index condition there).
create index snow_records_direct_grant_idx on public.snow_records (instance_id)
  include (org_id)
  where table_name = 'sys_user_has_role' and data ->> 'state' = 'active'
    and public.sn_bool(data ->> 'inherited') is false;

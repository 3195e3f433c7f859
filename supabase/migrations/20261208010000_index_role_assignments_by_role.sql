-- Role assignments found by role or by user. The analysis's role checks (admin
-- share, segregation of duties, dormant or MFA-less privileged accounts, roles
-- of the guest, of deactivated users, of integration accounts, …) need the
-- assignments of a few roles or users out of every assignment of the instance
-- (840k on a 100k-user instance). An expression index on `data ->> 'role'`
-- cannot serve them: under row-level security a condition with `->>` (not
-- leakproof) is never an index condition. Stored generated columns are plain
-- columns, so `role_ref = any (…)` and `user_ref = any (…)` are.
alter table public.snow_records
  add column role_ref text generated always as (
    case when table_name = 'sys_user_has_role' then data ->> 'role' end
  ) stored,
  add column user_ref text generated always as (
    case when table_name = 'sys_user_has_role' then data ->> 'user' end
  ) stored;

comment on column public.snow_records.role_ref is
  'sys_user_has_role records: the role field (data ->> ''role''), for index lookups; null otherwise';
comment on column public.snow_records.user_ref is
  'sys_user_has_role records: the user field (data ->> ''user''), for index lookups; null otherwise';

create index snow_records_role_ref_idx on public.snow_records (instance_id, role_ref)
  where role_ref is not null;
create index snow_records_user_ref_idx on public.snow_records (instance_id, user_ref)
  where user_ref is not null;

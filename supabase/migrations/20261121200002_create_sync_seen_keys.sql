-- Delete detection: the sys_ids a sync run saw on the instance, per table.
--
-- A full sync records the keys of every page it fetches; an incremental sync
-- records the keys of a periodic key scan. When a table's keys are complete, the
-- records of that table missing from the set are deleted and the set is cleared.
-- Rows outlive a chunk of work (a sync continues itself across requests), so this
-- is an ordinary table rather than a temporary one.

create table public.sync_seen_keys (
  org_id uuid not null references public.organizations (id) on delete cascade,
  sync_run_id uuid not null references public.sync_runs (id) on delete cascade,
  table_name text not null,
  sys_id text not null,
  primary key (sync_run_id, table_name, sys_id)
);
comment on table public.sync_seen_keys is
  'Scratch space of a running sync: the sys_ids seen on the instance, for delete detection';
create index sync_seen_keys_org_id_idx on public.sync_seen_keys (org_id);

alter table public.sync_seen_keys enable row level security;
alter table public.sync_seen_keys force row level security;
revoke all on public.sync_seen_keys from anon;

create policy "Workers can read seen keys"
  on public.sync_seen_keys for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can record seen keys"
  on public.sync_seen_keys for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can update seen keys"
  on public.sync_seen_keys for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can clear seen keys"
  on public.sync_seen_keys for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

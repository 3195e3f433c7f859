-- ServiceNow instances and the synced copy of their data.
--
-- Records are stored generically — one row per (instance, table, sys_id) with the
-- fields as ServiceNow returned them (sysparm_display_value=false,
-- sysparm_exclude_reference_link=true: every value a string, references as
-- sys_ids, datetimes 'YYYY-MM-DD HH:MM:SS' UTC) — so any table can be synced and
-- checked. Typed views over this table are added per table by later migrations.

-- =============================================================================
-- Value helpers: ServiceNow's string encodings to SQL types, NULL when malformed
-- =============================================================================

create function public.sn_bool(value text) returns boolean
language sql immutable parallel safe
set search_path = ''
as $$
  select case lower(value) when 'true' then true when 'false' then false else null end
$$;
comment on function public.sn_bool(text) is 'ServiceNow boolean string ("true"/"false") to boolean';

create function public.sn_int(value text) returns bigint
language sql immutable parallel safe
set search_path = ''
as $$
  select case when value ~ '^-?[0-9]{1,18}$' then value::bigint end
$$;
comment on function public.sn_int(text) is 'ServiceNow integer string to bigint; NULL when empty or malformed';

create function public.sn_datetime(value text) returns timestamptz
language sql immutable parallel safe
set search_path = ''
as $$
  select case
    when value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
      then (value::timestamp at time zone 'UTC')
    when value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
      then (value::timestamp at time zone 'UTC')
  end
$$;
comment on function public.sn_datetime(text) is
  'ServiceNow glide_date_time/glide_date string (UTC) to timestamptz; NULL when empty or malformed';

grant execute on function public.sn_bool(text) to authenticated, service_role;
grant execute on function public.sn_int(text) to authenticated, service_role;
grant execute on function public.sn_datetime(text) to authenticated, service_role;

-- =============================================================================
-- Instances
-- =============================================================================

create table public.instances (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- Normalized base URL: https (or http in dev mode), lowercase host, no trailing slash.
  url text not null check (url ~ '^https?://[^/?#]+(/[^?#]*[^/?#])?$'),
  auth_type text not null check (auth_type in ('basic', 'oauth_client_credentials', 'oauth_password')),
  -- AES-256-GCM envelope {kid, iv, ciphertext}; never returned by the API.
  credentials jsonb not null check (jsonb_typeof(credentials) = 'object'),
  status text not null default 'pending'
    check (status in ('pending', 'healthy', 'degraded', 'unreachable', 'auth_failed')),
  build_tag text,
  last_health_check_at timestamptz,
  last_health jsonb,
  sync_cron text,
  sync_schedule_id text,
  last_sync_at timestamptz,
  last_sync_status text check (last_sync_status in ('succeeded', 'partial', 'failed')),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, name)
);
comment on table public.instances is 'ServiceNow instances an organization connected, with encrypted credentials';
create index instances_org_id_idx on public.instances (org_id);

create trigger instances_touch before update on public.instances
  for each row execute function private.touch_updated_at();

-- The plan's instance limit holds for every path into the table.
-- security definer: counts the organization's instances whatever the caller sees.
create function private.enforce_instance_limit() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  allowed integer;
  used integer;
begin
  select max_instances into allowed from public.organizations where id = new.org_id for update;
  select count(*) into used from public.instances where org_id = new.org_id;
  if used >= allowed then
    raise exception 'Your plan allows % ServiceNow instance(s); remove one or upgrade to add another', allowed
      using errcode = 'CQ409', hint = 'instance_limit_reached';
  end if;
  return new;
end
$$;
create trigger instances_limit before insert on public.instances
  for each row execute function private.enforce_instance_limit();

-- =============================================================================
-- Synced records
-- =============================================================================

create table public.snow_records (
  org_id uuid not null references public.organizations (id) on delete cascade,
  instance_id uuid not null references public.instances (id) on delete cascade,
  table_name text not null check (table_name ~ '^[a-z0-9_]{1,80}$'),
  sys_id text not null check (sys_id ~ '^[0-9a-zA-Z_.-]{1,64}$'),
  sys_updated_on timestamptz,
  data jsonb not null check (jsonb_typeof(data) = 'object'),
  synced_at timestamptz not null default now(),
  primary key (instance_id, table_name, sys_id)
);
comment on table public.snow_records is
  'Synced ServiceNow records, one row per instance, table and sys_id, fields as ServiceNow returned them';
create index snow_records_org_id_idx on public.snow_records (org_id);
create index snow_records_updated_idx on public.snow_records (instance_id, table_name, sys_updated_on);

-- =============================================================================
-- Sync history
-- =============================================================================

create table public.sync_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  instance_id uuid not null references public.instances (id) on delete cascade,
  mode text not null check (mode in ('full', 'incremental')),
  trigger text not null default 'manual' check (trigger in ('manual', 'schedule', 'setup')),
  status text not null default 'queued'
    check (status in ('queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled')),
  job_id uuid,
  started_at timestamptz,
  finished_at timestamptz,
  records_fetched bigint not null default 0,
  records_upserted bigint not null default 0,
  records_deleted bigint not null default 0,
  error text,
  requested_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.sync_runs is 'Each sync of an instance: mode, outcome and totals';
create index sync_runs_org_id_idx on public.sync_runs (org_id);
create index sync_runs_instance_idx on public.sync_runs (instance_id, created_at desc);

create table public.sync_table_results (
  org_id uuid not null references public.organizations (id) on delete cascade,
  sync_run_id uuid not null references public.sync_runs (id) on delete cascade,
  table_name text not null,
  status text not null check (status in ('pending', 'running', 'succeeded', 'not_readable', 'failed')),
  records_fetched bigint not null default 0,
  records_upserted bigint not null default 0,
  records_deleted bigint not null default 0,
  duration_ms bigint,
  high_watermark timestamptz,
  error text,
  primary key (sync_run_id, table_name)
);
comment on table public.sync_table_results is
  'Per-table outcome of a sync run; not_readable means the integration user was denied';
create index sync_table_results_org_id_idx on public.sync_table_results (org_id);

-- Latest known state of each table of an instance, for incremental syncs and for
-- analysis (a check over an unreadable table is NOT_EVALUATED, never PASS).
create table public.instance_tables (
  org_id uuid not null references public.organizations (id) on delete cascade,
  instance_id uuid not null references public.instances (id) on delete cascade,
  table_name text not null,
  readable boolean not null,
  last_error text,
  high_watermark timestamptz,
  last_full_sync_at timestamptz,
  last_key_scan_at timestamptz,
  record_count bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (instance_id, table_name)
);
comment on table public.instance_tables is
  'Per instance and table: readable or not, sync high-water mark and record count';
create index instance_tables_org_id_idx on public.instance_tables (org_id);

-- =============================================================================
-- Row-level security
-- =============================================================================

alter table public.instances enable row level security;
alter table public.instances force row level security;
alter table public.snow_records enable row level security;
alter table public.snow_records force row level security;
alter table public.sync_runs enable row level security;
alter table public.sync_runs force row level security;
alter table public.sync_table_results enable row level security;
alter table public.sync_table_results force row level security;
alter table public.instance_tables enable row level security;
alter table public.instance_tables force row level security;

revoke all on public.instances, public.snow_records, public.sync_runs,
  public.sync_table_results, public.instance_tables from anon;
-- Credentials are write-only for users: they can set them but never read them back.
revoke select on public.instances from authenticated;
grant select (id, org_id, name, url, auth_type, status, build_tag, last_health_check_at, last_health,
  sync_cron, sync_schedule_id, last_sync_at, last_sync_status, created_by, created_at, updated_at)
  on public.instances to authenticated;

create policy "Members can view their organization's instances"
  on public.instances for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Admins can add instances"
  on public.instances for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can update instances"
  on public.instances for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete instances"
  on public.instances for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view synced records"
  on public.snow_records for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Admins and workers can add synced records"
  on public.snow_records for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins and workers can update synced records"
  on public.snow_records for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins and workers can delete synced records"
  on public.snow_records for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view sync runs"
  on public.sync_runs for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can start sync runs"
  on public.sync_runs for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts and workers can update sync runs"
  on public.sync_runs for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Admins can delete sync runs"
  on public.sync_runs for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view per-table sync results"
  on public.sync_table_results for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers can record per-table sync results"
  on public.sync_table_results for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can update per-table sync results"
  on public.sync_table_results for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete per-table sync results"
  on public.sync_table_results for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view instance tables"
  on public.instance_tables for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers can record instance tables"
  on public.instance_tables for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers can update instance tables"
  on public.instance_tables for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete instance tables"
  on public.instance_tables for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

-- An organization's own checks (encoded queries over a synced table, with the
-- metadata and framework mappings built-in checks have) and its settings for
-- built-in checks (enabled or not, parameter overrides such as SoD role pairs).

create table public.analysis_custom_checks (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  check_id text not null check (check_id ~ '^custom_[a-z0-9_]{3,60}$'),
  title text not null check (char_length(btrim(title)) between 3 and 150),
  description text not null default '' check (char_length(description) <= 1000),
  risk text not null default '' check (char_length(risk) <= 1000),
  remediation text not null default '' check (char_length(remediation) <= 4000),
  severity text not null check (severity in ('critical', 'high', 'medium', 'low', 'informational')),
  risk_score numeric(3, 1) not null check (risk_score between 0 and 10),
  area text not null check (area ~ '^[a-z_]{1,40}$'),
  table_name text not null check (table_name ~ '^[a-z0-9_]{1,80}$'),
  query text not null check (char_length(query) between 1 and 4000),
  evidence_fields text[] not null default '{}',
  -- [{"framework": id, "requirement": id}, …]
  frameworks jsonb not null default '[]'::jsonb check (jsonb_typeof(frameworks) = 'array'),
  enabled boolean not null default true,
  version integer not null default 1 check (version >= 1),
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, check_id)
);
comment on table public.analysis_custom_checks is
  'Checks an organization wrote itself: an encoded query over a synced table plus metadata';
create index analysis_custom_checks_org_id_idx on public.analysis_custom_checks (org_id);

create trigger analysis_custom_checks_touch before update on public.analysis_custom_checks
  for each row execute function private.touch_updated_at();

create table public.analysis_check_settings (
  org_id uuid not null references public.organizations (id) on delete cascade,
  check_id text not null check (check_id ~ '^[a-z0-9_]{1,100}$'),
  enabled boolean not null default true,
  -- Parameter overrides by name, validated against the check's bounds by the API.
  parameters jsonb not null default '{}'::jsonb check (jsonb_typeof(parameters) = 'object'),
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (org_id, check_id)
);
comment on table public.analysis_check_settings is
  'Per organization and built-in check: enabled or not, and parameter overrides';

create trigger analysis_check_settings_touch before update on public.analysis_check_settings
  for each row execute function private.touch_updated_at();

alter table public.analysis_custom_checks enable row level security;
alter table public.analysis_custom_checks force row level security;
alter table public.analysis_check_settings enable row level security;
alter table public.analysis_check_settings force row level security;
revoke all on public.analysis_custom_checks, public.analysis_check_settings from anon;

create policy "Members can view custom checks"
  on public.analysis_custom_checks for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can write custom checks"
  on public.analysis_custom_checks for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can change custom checks"
  on public.analysis_custom_checks for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can delete custom checks"
  on public.analysis_custom_checks for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Members can view check settings"
  on public.analysis_check_settings for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Admins can add check settings"
  on public.analysis_check_settings for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can change check settings"
  on public.analysis_check_settings for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can delete check settings"
  on public.analysis_check_settings for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

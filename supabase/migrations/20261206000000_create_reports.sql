-- Reports and exports: saved report definitions (with an optional schedule and
-- recipients), generated files (one row per export, its bytes in chunks when
-- stored in Postgres), links that let someone download a file without signing
-- in (expiring, revocable; only their SHA-256 is stored), and the record of every
-- generation, download and share for the audit trail.

create table public.report_definitions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 120),
  -- Title, scope and sections, as shared/reports `reportSpecSchema` validates them.
  spec jsonb not null check (jsonb_typeof(spec) = 'object'),
  format text not null check (format in ('pdf', 'xlsx', 'csv', 'json', 'pack')),
  schedule text check (schedule in ('daily', 'weekly', 'monthly')),
  schedule_id text,
  recipients text[] not null default '{}' check (cardinality(recipients) <= 20),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.report_definitions is
  'Saved reports: scope, sections and format; optionally scheduled and sent to recipients';
create index report_definitions_org_id_idx on public.report_definitions (org_id);
create trigger report_definitions_touch before update on public.report_definitions
  for each row execute function private.touch_updated_at();

-- Schedules and recipients send data out of the product: admins and owners only.
create function private.guard_report_schedule() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.schedule is not null or cardinality(new.recipients) > 0)
     and (tg_op = 'INSERT' or new.schedule is distinct from old.schedule
          or new.recipients is distinct from old.recipients)
     and not private.has_role_at_least(new.org_id, 'admin') then
    raise exception 'Scheduling a report and choosing its recipients needs the admin role or higher'
      using errcode = 'CQ403', hint = 'insufficient_role';
  end if;
  return new;
end
$$;
create trigger report_definitions_guard_schedule before insert or update on public.report_definitions
  for each row execute function private.guard_report_schedule();

create table public.report_exports (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  definition_id uuid references public.report_definitions (id) on delete set null,
  title text not null,
  spec jsonb not null check (jsonb_typeof(spec) = 'object'),
  format text not null check (format in ('pdf', 'xlsx', 'csv', 'json', 'pack')),
  trigger text not null default 'manual' check (trigger in ('manual', 'schedule')),
  status text not null default 'queued'
    check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  job_id uuid,
  filename text,
  content_type text,
  byte_size bigint,
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  -- Where the bytes are: 'postgres' (report_file_chunks) or 'supabase' (Storage).
  storage text check (storage in ('postgres', 'supabase')),
  storage_key text,
  rows bigint,
  error text,
  requested_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- Deleted with its file after this (retention).
  expires_at timestamptz not null
);
comment on table public.report_exports is
  'Generated report files: format, status, size, SHA-256, where stored, until when kept';
create index report_exports_org_created_idx on public.report_exports (org_id, created_at desc, id desc);
create index report_exports_expires_idx on public.report_exports (expires_at);
create index report_exports_definition_idx on public.report_exports (definition_id);

create table public.report_file_chunks (
  export_id uuid not null references public.report_exports (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  seq integer not null check (seq >= 0),
  data bytea not null,
  primary key (export_id, seq)
);
comment on table public.report_file_chunks is
  'The bytes of a generated file stored in Postgres, in order, up to 1 MiB a row';
create index report_file_chunks_org_id_idx on public.report_file_chunks (org_id);

create table public.report_links (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  export_id uuid not null references public.report_exports (id) on delete cascade,
  -- 'download': a member's short-lived link; 'share': an admin's link for someone outside.
  kind text not null check (kind in ('download', 'share')),
  token_sha256 text not null unique,
  label text check (char_length(label) <= 200),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  last_used_at timestamptz,
  use_count integer not null default 0
);
comment on table public.report_links is
  'Links to download a generated file without signing in: expiring, revocable, token stored as SHA-256';
create index report_links_org_id_idx on public.report_links (org_id);
create index report_links_export_idx on public.report_links (export_id);

create table public.report_events (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  export_id uuid,
  link_id uuid,
  action text not null
    check (action in ('generated', 'failed', 'downloaded', 'shared', 'link_revoked', 'expired')),
  actor_user_id uuid references auth.users (id) on delete set null,
  -- For downloads: 'member' (signed in) or 'link' (a download or share link).
  via text check (via in ('member', 'link')),
  at timestamptz not null default now()
);
comment on table public.report_events is
  'Audit trail of reports: every generation, download and share (append-only)';
create index report_events_org_at_idx on public.report_events (org_id, at desc);

-- =============================================================================
-- Row-level security
-- =============================================================================

alter table public.report_definitions enable row level security;
alter table public.report_definitions force row level security;
alter table public.report_exports enable row level security;
alter table public.report_exports force row level security;
alter table public.report_file_chunks enable row level security;
alter table public.report_file_chunks force row level security;
alter table public.report_links enable row level security;
alter table public.report_links force row level security;
alter table public.report_events enable row level security;
alter table public.report_events force row level security;
revoke all on public.report_definitions, public.report_exports, public.report_file_chunks,
  public.report_links, public.report_events from anon;
revoke update, delete on public.report_events from authenticated;
revoke update on public.report_file_chunks from authenticated;

create policy "Members can view report definitions"
  on public.report_definitions for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can save report definitions"
  on public.report_definitions for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can change report definitions"
  on public.report_definitions for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can delete report definitions"
  on public.report_definitions for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Members can view generated reports"
  on public.report_exports for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can generate reports"
  on public.report_exports for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts and workers can update generated reports"
  on public.report_exports for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Admins and workers can delete generated reports"
  on public.report_exports for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can read report files"
  on public.report_file_chunks for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers write report files"
  on public.report_file_chunks for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers delete report files"
  on public.report_file_chunks for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view report links"
  on public.report_links for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Members create download links; admins share links"
  on public.report_links for insert to authenticated
  with check (
    org_id = any ((select private.member_org_ids())::uuid[])
    and (kind = 'download' or org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  );
create policy "Admins revoke report links"
  on public.report_links for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view report events"
  on public.report_events for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Members record report events"
  on public.report_events for insert to authenticated
  with check (org_id = any ((select private.member_org_ids())::uuid[]));

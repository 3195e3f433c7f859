-- Scheduled reports are delivered: to the saved report's recipients by email
-- (a link, or the file attached under a size limit) and to a webhook (a signed
-- POST). Every attempt is recorded with its status and response code.

alter table public.report_definitions
  add column webhook_url text check (char_length(webhook_url) between 1 and 2000);
comment on column public.report_definitions.webhook_url is
  'Where a scheduled report is POSTed (signed, Standard Webhooks); its secret is in report_webhook_secrets';

-- The signing secret of a saved report's webhook: readable by admins and
-- workers only, never returned by the API after it is first shown.
create table public.report_webhook_secrets (
  definition_id uuid primary key references public.report_definitions (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  secret text not null check (secret ~ '^whsec_[A-Za-z0-9+/=]{20,200}$'),
  created_at timestamptz not null default now()
);
comment on table public.report_webhook_secrets is
  'Signing secrets of report webhooks (Standard Webhooks whsec_ format); admins and workers only';
create index report_webhook_secrets_org_id_idx on public.report_webhook_secrets (org_id);

-- A scheduled firing creates exactly one export, even when its job is retried.
alter table public.report_exports add column schedule_job_id uuid unique;

-- A webhook sends data out of the product, like a schedule or recipients: admins and owners only.
create or replace function private.guard_report_schedule() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.schedule is not null or cardinality(new.recipients) > 0 or new.webhook_url is not null)
     and (tg_op = 'INSERT' or new.schedule is distinct from old.schedule
          or new.recipients is distinct from old.recipients
          or new.webhook_url is distinct from old.webhook_url)
     and not private.has_role_at_least(new.org_id, 'admin') then
    raise exception 'Scheduling a report and choosing its recipients needs the admin role or higher'
      using errcode = 'CQ403', hint = 'insufficient_role';
  end if;
  return new;
end
$$;

create table public.report_deliveries (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- Kept when the file is purged: the record of what was sent outlives the file.
  export_id uuid references public.report_exports (id) on delete set null,
  definition_id uuid references public.report_definitions (id) on delete set null,
  channel text not null check (channel in ('email', 'webhook')),
  -- The email address or the webhook URL.
  target text not null check (char_length(target) between 1 and 2000),
  -- Email: 'link' (a share link) or 'attachment' (the file itself).
  mode text check (mode in ('link', 'attachment')),
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  -- The receiver's HTTP status (webhook, HTTP email provider), when it answered.
  response_code integer,
  error text check (char_length(error) <= 2000),
  attempts integer not null default 0,
  -- The webhook-id header of a webhook delivery (the receiver's idempotency key).
  message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (export_id, channel, target)
);
comment on table public.report_deliveries is
  'Every delivery of a generated report by email or webhook, with its status and response code';
create index report_deliveries_org_created_idx on public.report_deliveries (org_id, created_at desc, id desc);
create index report_deliveries_definition_idx on public.report_deliveries (definition_id);

alter table public.report_webhook_secrets enable row level security;
alter table public.report_webhook_secrets force row level security;
alter table public.report_deliveries enable row level security;
alter table public.report_deliveries force row level security;
revoke all on public.report_webhook_secrets, public.report_deliveries from anon;
revoke delete on public.report_deliveries from authenticated;

create policy "Admins and workers read webhook secrets"
  on public.report_webhook_secrets for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins set webhook secrets"
  on public.report_webhook_secrets for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins rotate webhook secrets"
  on public.report_webhook_secrets for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins remove webhook secrets"
  on public.report_webhook_secrets for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view report deliveries"
  on public.report_deliveries for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Workers record report deliveries"
  on public.report_deliveries for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Workers update report deliveries"
  on public.report_deliveries for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

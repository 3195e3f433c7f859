-- Notifications: where an organization wants to be told (channels), about what
-- (alert rules), what was sent (the delivery log) and each member's in-app
-- inbox. Rules are evaluated by the worker when an analysis run, a sync or a
-- scheduled report ends (shared/notifications/dispatch.ts); docs/notifications.md.

create table public.notification_channels (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  kind text not null check (kind in ('email', 'webhook', 'slack', 'teams')),
  -- webhook, slack, teams: where messages are POSTed (Slack/Teams URLs are secrets themselves).
  url text check (char_length(url) between 1 and 2000),
  -- email: the addresses messages go to.
  emails text[] not null default '{}' check (cardinality(emails) <= 50),
  -- webhook: the Standard Webhooks signing secret (whsec_…); shown once, rotatable.
  secret text check (secret ~ '^whsec_[A-Za-z0-9+/=]{20,200}$'),
  enabled boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check ((kind = 'email') = (url is null)),
  check ((kind = 'webhook') = (secret is not null))
);
comment on table public.notification_channels is
  'Where an organization''s alerts go: email addresses, signed webhooks, Slack and Teams incoming webhooks';
create index notification_channels_org_idx on public.notification_channels (org_id, created_at);

create table public.notification_rules (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  event text not null check (event in ('findings.new', 'score.drop', 'job.failed', 'report.ready')),
  -- findings.new: the least severity that counts ('critical' or 'high').
  min_severity text not null default 'high' check (min_severity in ('critical', 'high')),
  -- score.drop: how many points the overall score must fall by.
  threshold integer not null default 5 check (threshold between 1 and 100),
  channel_ids uuid[] not null default '{}' check (cardinality(channel_ids) <= 20),
  -- In-app recipients: members with at least this role; none when null.
  in_app_role public.org_role,
  -- At most one alert per rule in this many minutes (0: no throttling).
  throttle_minutes integer not null default 60 check (throttle_minutes between 0 and 10080),
  enabled boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.notification_rules is
  'Alert rules: an event, its threshold, the channels and in-app recipients, and throttling';
create index notification_rules_org_idx on public.notification_rules (org_id, created_at);

-- One row per alert per channel, and one per rule and cause (the dedup mark).
create table public.notification_deliveries (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  rule_id uuid references public.notification_rules (id) on delete set null,
  channel_id uuid references public.notification_channels (id) on delete set null,
  -- What caused the alert, e.g. `run:<uuid>` or `job:<uuid>`.
  cause_key text not null default 'manual' check (char_length(cause_key) between 1 and 200),
  channel_kind text not null default 'in_app'
    check (channel_kind in ('email', 'webhook', 'slack', 'teams', 'in_app')),
  status text not null default 'sent' check (status in ('sent', 'failed', 'throttled')),
  response_code integer,
  error text check (char_length(error) <= 2000),
  message_id text,
  created_at timestamptz not null default now()
);
comment on table public.notification_deliveries is
  'The delivery log of alerts: rule, cause, channel, status and the receiver''s response code';
-- The rule's own row for a cause (channel_kind 'in_app': sent or throttled) is
-- written once; it is what makes a redelivered job end send nothing again.
create unique index notification_deliveries_dedup_idx
  on public.notification_deliveries (rule_id, cause_key) where channel_kind = 'in_app';
create index notification_deliveries_org_idx on public.notification_deliveries (org_id, created_at desc);

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  rule_id uuid references public.notification_rules (id) on delete set null,
  cause_key text not null default 'manual' check (char_length(cause_key) between 1 and 200),
  event text not null default 'test' check (char_length(event) between 1 and 50),
  title text not null default '' check (char_length(title) <= 300),
  body text not null default '' check (char_length(body) <= 2000),
  link text check (char_length(link) <= 2000),
  read_at timestamptz,
  created_at timestamptz not null default now(),
  unique (user_id, rule_id, cause_key)
);
comment on table public.notifications is 'Each member''s in-app notifications, read or not';
create index notifications_user_idx on public.notifications (user_id, org_id, created_at desc);

alter table public.notification_channels enable row level security;
alter table public.notification_channels force row level security;
alter table public.notification_rules enable row level security;
alter table public.notification_rules force row level security;
alter table public.notification_deliveries enable row level security;
alter table public.notification_deliveries force row level security;
alter table public.notifications enable row level security;
alter table public.notifications force row level security;
revoke all on public.notification_channels, public.notification_rules,
  public.notification_deliveries, public.notifications from anon, authenticated;

-- Channels and rules: members read (never the secret), admins manage.
grant select (id, org_id, name, kind, url, emails, enabled, created_by, created_at)
  on public.notification_channels to authenticated;
grant insert (id, org_id, name, kind, url, emails, secret, enabled, created_by)
  on public.notification_channels to authenticated;
grant update (name, url, emails, secret, enabled) on public.notification_channels to authenticated;
grant delete on public.notification_channels to authenticated;
grant select (secret) on public.notification_channels to ciq_engine;
grant select, insert, update, delete on public.notification_rules to authenticated;
grant select on public.notification_deliveries to authenticated;
grant insert, update, delete on public.notification_deliveries to ciq_engine;
grant select, delete on public.notifications to authenticated;
grant update (read_at) on public.notifications to authenticated;
grant insert on public.notifications to ciq_engine;

create policy "Members can view notification channels"
  on public.notification_channels for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "The engine reads its organization's channels"
  on public.notification_channels for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
create policy "Admins add notification channels"
  on public.notification_channels for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins change notification channels"
  on public.notification_channels for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins remove notification channels"
  on public.notification_channels for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Members can view alert rules"
  on public.notification_rules for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "The engine reads its organization's rules"
  on public.notification_rules for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
create policy "Admins add alert rules"
  on public.notification_rules for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins change alert rules"
  on public.notification_rules for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins remove alert rules"
  on public.notification_rules for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "Admins can view the delivery log"
  on public.notification_deliveries for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "The engine reads its delivery log"
  on public.notification_deliveries for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
create policy "The engine records deliveries"
  on public.notification_deliveries for insert to ciq_engine
  with check (org_id = (select private.engine_org_id()));
create policy "The engine updates its deliveries"
  on public.notification_deliveries for update to ciq_engine
  using (org_id = (select private.engine_org_id()))
  with check (org_id = (select private.engine_org_id()));
create policy "The engine removes its deliveries"
  on public.notification_deliveries for delete to ciq_engine
  using (org_id = (select private.engine_org_id()));

create policy "Members see their own notifications"
  on public.notifications for select to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Members mark their own notifications read"
  on public.notifications for update to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]))
  with check (user_id = (select auth.uid()));
create policy "Members delete their own notifications"
  on public.notifications for delete to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]));
create policy "The engine reads the notifications it wrote"
  on public.notifications for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
create policy "The engine notifies members"
  on public.notifications for insert to ciq_engine
  with check (
    org_id = (select private.engine_org_id())
    and exists (select 1 from public.memberships m
                where m.org_id = notifications.org_id and m.user_id = notifications.user_id)
  );

select private.audit_table('public.notification_channels',
  p_secret_columns => '{secret,url}', p_security_columns => '{*}');
select private.audit_table('public.notification_rules', p_security_columns => '{channel_ids,in_app_role,enabled}');
select private.audit_table('public.notification_deliveries');
select private.audit_table('public.notifications', p_ignored_columns => '{read_at}');

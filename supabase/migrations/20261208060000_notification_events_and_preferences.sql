-- More alert rule events, and each member's notification preferences.
--
-- Rules: `framework.readiness_below` (after a run, a framework's readiness falls
-- under `threshold`; `framework` names one or null for any),
-- `instance.unreachable` (a sync failed for good on a connection, timeout or DNS
-- error) and `suppression.expiring` (a suppression — how a risk acceptance is
-- recorded — ends within `days`; evaluated by the daily
-- `notifications.expiring` task). docs/notifications.md.

alter table public.notification_rules drop constraint notification_rules_event_check;
alter table public.notification_rules add constraint notification_rules_event_check
  check (event in ('findings.new', 'score.drop', 'job.failed', 'report.ready',
                   'framework.readiness_below', 'instance.unreachable', 'suppression.expiring'));
-- framework.readiness_below: the framework watched; null: any framework.
alter table public.notification_rules add column framework text
  check (framework ~ '^[a-z0-9_.-]{1,64}$');
-- suppression.expiring: how many days ahead an expiry is announced.
alter table public.notification_rules add column days integer not null default 7
  check (days between 1 and 90);

-- One row per member and organization; absent: the defaults (everything in-app, no email).
create table public.notification_preferences (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Per rule event: {"<event>": {"in_app": bool, "email": bool}}; events not listed use the defaults.
  events jsonb not null default '{}'::jsonb check (jsonb_typeof(events) = 'object'),
  -- Email: at once ('off'), or gathered in a daily or weekly digest.
  digest text not null default 'off' check (digest in ('off', 'daily', 'weekly')),
  -- Unsubscribed from every email of this organization (the unsubscribe link with "all").
  email_off boolean not null default false,
  -- HMAC key of this member's unsubscribe tokens: never leaves the database
  -- except to sign and verify; replacing it invalidates every link sent.
  unsubscribe_key text not null default replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
  -- The digest last sent (what the next one gathers from).
  digest_sent_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
comment on table public.notification_preferences is
  'Each member''s notification preferences: events per channel, digest, unsubscribes';

alter table public.notification_preferences enable row level security;
alter table public.notification_preferences force row level security;
revoke all on public.notification_preferences from anon, authenticated;
grant select (org_id, user_id, events, digest, email_off, digest_sent_at, updated_at)
  on public.notification_preferences to authenticated;
grant insert (org_id, user_id, events, digest, email_off) on public.notification_preferences
  to authenticated;
grant update (events, digest, email_off, updated_at) on public.notification_preferences
  to authenticated;
grant select, insert on public.notification_preferences to ciq_engine;
grant update (events, digest, email_off, digest_sent_at, updated_at)
  on public.notification_preferences to ciq_engine;
grant select, insert, update on public.notification_preferences to service_role;

create policy "Members see their own preferences"
  on public.notification_preferences for select to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Members set their own preferences"
  on public.notification_preferences for insert to authenticated
  with check (user_id = (select auth.uid())
              and org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Members change their own preferences"
  on public.notification_preferences for update to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]))
  with check (user_id = (select auth.uid()));
create policy "The engine reads its organization's preferences"
  on public.notification_preferences for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
create policy "The engine adds preferences of members"
  on public.notification_preferences for insert to ciq_engine
  with check (org_id = (select private.engine_org_id()));
create policy "The engine records digests and unsubscribes"
  on public.notification_preferences for update to ciq_engine
  using (org_id = (select private.engine_org_id()))
  with check (org_id = (select private.engine_org_id()));

select private.audit_table('public.notification_preferences',
  p_secret_columns => '{unsubscribe_key}', p_ignored_columns => '{digest_sent_at}',
  p_security_columns => '{email_off}', p_id_column => 'user_id');

-- What a member on a digest would have been emailed at once; the daily
-- notifications task sends and removes them (daily, or weekly on Mondays).
create table public.notification_digest_items (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  event text not null check (char_length(event) between 1 and 50),
  title text not null check (char_length(title) <= 300),
  body text not null check (char_length(body) <= 2000),
  link text check (char_length(link) <= 2000),
  created_at timestamptz not null default now()
);
comment on table public.notification_digest_items is
  'Alerts waiting for a member''s daily or weekly digest email';
create index notification_digest_items_user_idx
  on public.notification_digest_items (org_id, user_id, created_at);
alter table public.notification_digest_items enable row level security;
alter table public.notification_digest_items force row level security;
revoke all on public.notification_digest_items from anon, authenticated;
grant select on public.notification_digest_items to authenticated;
grant select, insert, delete on public.notification_digest_items to ciq_engine;
create policy "Members see their own pending digest"
  on public.notification_digest_items for select to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]));
create policy "The engine reads its organization's digests"
  on public.notification_digest_items for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
create policy "The engine queues digest items"
  on public.notification_digest_items for insert to ciq_engine
  with check (org_id = (select private.engine_org_id()));
create policy "The engine removes sent digest items"
  on public.notification_digest_items for delete to ciq_engine
  using (org_id = (select private.engine_org_id()));

-- Notification channels: SMS (Twilio) as a channel kind with E.164 phone
-- numbers, and the health of URL channels (webhook, Slack, Teams): consecutive
-- failed deliveries, since when, and the automatic disabling after sustained
-- failure. Every attempt of a delivery is a row of the log with its number.
-- docs/notifications.md.

alter table public.notification_channels
  -- sms: the numbers messages go to, E.164 (`+` and 7 to 15 digits), at most 20.
  add column phones text[] not null default '{}'
    check (cardinality(phones) <= 20
           and (cardinality(phones) = 0
                or array_to_string(phones, ',') ~ '^\+[1-9][0-9]{6,14}(,\+[1-9][0-9]{6,14})*$')),
  -- Failed delivery attempts in a row (reset by a success), and when the first of them failed.
  add column consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
  add column failing_since timestamptz,
  -- Set when the engine disabled the channel after sustained failure; cleared when re-enabled.
  add column disabled_at timestamptz,
  add column disabled_reason text check (char_length(disabled_reason) <= 500);

alter table public.notification_channels drop constraint notification_channels_kind_check;
alter table public.notification_channels add constraint notification_channels_kind_check
  check (kind in ('email', 'webhook', 'slack', 'teams', 'sms'));
-- URL channels have a URL; email and SMS have none.
alter table public.notification_channels drop constraint notification_channels_check;
alter table public.notification_channels add constraint notification_channels_check
  check ((kind in ('email', 'sms')) = (url is null));
alter table public.notification_channels add constraint notification_channels_sms_phones_check
  check ((kind = 'sms') = (cardinality(phones) > 0));

alter table public.notification_deliveries drop constraint notification_deliveries_channel_kind_check;
alter table public.notification_deliveries add constraint notification_deliveries_channel_kind_check
  check (channel_kind in ('email', 'webhook', 'slack', 'teams', 'sms', 'in_app'));
-- 1 for the first try of an alert on a channel, 2… for its retries (QStash).
alter table public.notification_deliveries
  add column attempt integer not null default 1 check (attempt between 1 and 100);

-- Members see the health; admins set phones; the engine records failures and disables.
grant select (phones, consecutive_failures, failing_since, disabled_at, disabled_reason)
  on public.notification_channels to authenticated;
grant insert (phones) on public.notification_channels to authenticated;
grant update (phones) on public.notification_channels to authenticated;
grant update (enabled, consecutive_failures, failing_since, disabled_at, disabled_reason)
  on public.notification_channels to ciq_engine;
create policy "The engine records its channels' health"
  on public.notification_channels for update to ciq_engine
  using (org_id = (select private.engine_org_id()))
  with check (org_id = (select private.engine_org_id()));

-- Re-enabling a channel (an admin's PATCH enabled=true) starts its health afresh.
create function private.reset_channel_health() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.enabled and not old.enabled then
    new.consecutive_failures := 0;
    new.failing_since := null;
    new.disabled_at := null;
    new.disabled_reason := null;
  end if;
  return new;
end
$$;
create trigger notification_channels_reset_health
  before update of enabled on public.notification_channels
  for each row execute function private.reset_channel_health();

-- A failed attempt only counts; the audit trail records the channel being
-- disabled (enabled, disabled_at, disabled_reason) and re-enabled, not each count.
select private.audit_table('public.notification_channels',
  p_secret_columns => '{secret,url}',
  p_ignored_columns => '{consecutive_failures,failing_since}',
  p_security_columns => '{*}');

-- The addresses of an organization's admins and owners, for the engine's
-- notice that a channel was disabled. security definer: the engine cannot read
-- profiles; it gets the addresses of the organization it acts for only.
create function private.org_admin_emails(p_org_id uuid) returns table (email text)
language sql stable security definer
set search_path = ''
as $$
  select p.email from public.memberships m join public.profiles p on p.id = m.user_id
  where m.org_id = p_org_id and p_org_id = private.engine_org_id()
    and m.role >= 'admin'::public.org_role and p.email <> ''
  order by p.email
$$;
revoke execute on function private.org_admin_emails(uuid) from public;
grant execute on function private.org_admin_emails(uuid) to ciq_engine;

-- Alert rules on security events: `security.event` fires for security entries
-- of the audit trail (failed sign-ins, role changes, API keys, credentials…),
-- optionally only for some audit actions. A system schedule reads the log every
-- minute from where it last stopped (private.security_alert_cursors), so
-- requests write nothing extra. docs/notifications.md.

alter table public.notification_rules drop constraint notification_rules_event_check;
alter table public.notification_rules add constraint notification_rules_event_check
  check (event in ('findings.new', 'score.drop', 'job.failed', 'report.ready',
                   'framework.readiness_below', 'instance.unreachable', 'suppression.expiring',
                   'security.event'));
-- security.event: the audit actions that fire it (`members.*` for a prefix); empty: every one.
alter table public.notification_rules add column actions text[] not null default '{}'
  check (cardinality(actions) <= 20);

-- How far the security alerting has read each organization's audit chain.
create table private.security_alert_cursors (
  org_id uuid primary key,
  last_seq bigint not null,
  updated_at timestamptz not null default now()
);
alter table private.security_alert_cursors enable row level security;
alter table private.security_alert_cursors force row level security;
grant select, insert, update on private.security_alert_cursors to service_role;
create policy "The service keeps the cursors" on private.security_alert_cursors
  for all to service_role using (true) with check (true);

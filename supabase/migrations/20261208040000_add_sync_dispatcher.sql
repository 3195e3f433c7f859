-- Scheduled syncs are started by one dispatcher (a QStash schedule firing every
-- minute) instead of one QStash schedule per instance: 10,000 instances on
-- "0 2 * * *" must not start 10,000 syncs at 02:00. Each scheduled instance keeps
-- the time of its next sync, spread after the cron time by a fixed per-instance
-- offset; the dispatcher starts the due ones within a global and a
-- per-organization concurrency cap, round-robin across organizations
-- (docs/operations.md, "Scheduled syncs").

alter table public.instances add column next_sync_at timestamptz;

-- The dispatcher reads only the due rows of scheduled instances.
create index instances_next_sync_idx on public.instances (next_sync_at)
  where sync_cron is not null;

-- People see when the next sync starts; the dispatcher moves it.
grant select (next_sync_at) on public.instances to authenticated;

-- Moving the next sync time is the dispatcher's bookkeeping, not a change
-- anyone made: it is not an audit event (the schedule itself, sync_cron, is).
select private.audit_table('public.instances',
  p_secret_columns => '{credentials}',
  p_ignored_columns => '{status,build_tag,last_health_check_at,last_health,last_sync_at,last_sync_status,next_sync_at,sync_schedule_id}',
  p_security_columns => '{credentials,auth_type,url}');

-- Saving a schedule sets the first next sync time (an admin's change, under RLS).
grant update (next_sync_at) on public.instances to authenticated;

-- /metrics also reports the dispatcher's backlog: scheduled syncs that are due
-- but not started, and how late the longest-waiting one is.
create function public.sync_schedule_reading()
returns table (due bigint, oldest_due_seconds double precision)
language sql
stable
set search_path = ''
as $$
  select count(*), coalesce(extract(epoch from now() - min(i.next_sync_at)), 0)::float8
  from public.instances i
  where i.sync_cron is not null and i.next_sync_at <= now();
$$;
comment on function public.sync_schedule_reading() is
  'Scheduled syncs due and not started, and the lag of the oldest, for the metrics endpoint';
revoke all on function public.sync_schedule_reading() from public;
grant execute on function public.sync_schedule_reading() to service_role;

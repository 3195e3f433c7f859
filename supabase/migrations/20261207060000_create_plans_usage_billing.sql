-- Plans and limits as data, usage metering, and Stripe billing state.
--
-- * public.plans: one row per plan (the public.org_plan enum) with its limits
--   (NULL = unlimited) and features. Every limit check reads it.
-- * private.check_plan_limit(): the one limit check, taken under a lock on the
--   organization row so that two concurrent adds cannot both pass.
-- * public.usage_daily: per organization, per day, per metric counts.
-- * public.billing_events: Stripe webhook events already applied (idempotency).
-- * organizations: trial end, Stripe ids, past-due start and the time of the
--   last applied subscription event (out-of-order safety).

-- =============================================================================
-- Plans
-- =============================================================================

create table public.plans (
  plan public.org_plan primary key,
  display_name text not null,
  -- Order of upgrade: a higher rank is a bigger plan.
  rank integer not null unique,
  price_monthly_cents integer not null check (price_monthly_cents >= 0),
  max_instances integer check (max_instances >= 0),
  max_members integer check (max_members >= 1),
  max_analysis_runs_per_month integer check (max_analysis_runs_per_month >= 0),
  max_report_schedules integer check (max_report_schedules >= 0),
  max_widget_embeds integer check (max_widget_embeds >= 0),
  max_api_keys integer check (max_api_keys >= 0),
  retention_days integer not null check (retention_days >= 1),
  feature_evidence_packs boolean not null,
  feature_embeds boolean not null,
  feature_sso boolean not null,
  -- The Stripe price's lookup key; NULL for plans not sold through Checkout.
  stripe_lookup_key text unique
);
comment on table public.plans is
  'Plans: limits (NULL = unlimited) and features; read by every limit check';

insert into public.plans values
  ('trial', 'Trial', 0, 0, 1, 5, 100, 1, 0, 1, 30, false, false, false, null),
  ('basic', 'Basic', 1, 19900, 3, 15, 500, 5, 3, 5, 90, false, true, false, 'ciq_basic_monthly'),
  ('professional', 'Professional', 2, 79900, 10, 50, 5000, 50, 25, 25, 365, true, true, false,
   'ciq_professional_monthly'),
  ('enterprise', 'Enterprise', 3, 249900, 100, 1000, null, null, null, 100, 2555, true, true, false,
   'ciq_enterprise_monthly');

alter table public.plans enable row level security;
alter table public.plans force row level security;
revoke all on public.plans from anon, authenticated;
grant select on public.plans to authenticated;
create policy "Anyone signed in can read the plans"
  on public.plans for select to authenticated using (true);

-- =============================================================================
-- Organizations: trial and billing state
-- =============================================================================

alter table public.organizations
  add column trial_ends_at timestamptz,
  add column stripe_customer_id text unique,
  add column stripe_subscription_id text,
  add column past_due_since timestamptz,
  add column billing_event_at timestamptz;
-- Existing organizations get a fresh trial rather than being locked at once.
update public.organizations set trial_ends_at = now() + interval '14 days' where plan = 'trial';
alter table public.organizations alter column trial_ends_at set default now() + interval '14 days';

-- max_instances and max_users stay as copies of the plan's limits, now read from public.plans.
create or replace function private.apply_plan_limits() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  p public.plans;
begin
  if tg_op = 'INSERT' or new.plan is distinct from old.plan then
    select * into p from public.plans where plan = new.plan;
    new.max_instances := coalesce(p.max_instances, 1000000);
    new.max_users := coalesce(p.max_members, 1000000);
  end if;
  if new.slug is null or new.slug = '' then
    new.slug := private.unique_org_slug(new.name);
  end if;
  new.name := btrim(new.name);
  return new;
end
$$;
update public.organizations o set max_instances = coalesce(p.max_instances, 1000000),
  max_users = coalesce(p.max_members, 1000000)
from public.plans p where p.plan = o.plan;

-- =============================================================================
-- Read-only state: cancelled, suspended, trial over, or past due beyond grace
-- =============================================================================

-- Why an organization may only read (NULL: it may work). The grace period of a
-- past-due subscription is 7 days.
-- security definer: callers may not see the organization row's billing columns.
create function private.org_read_only_reason(p_org_id uuid) returns text
language sql stable security definer
set search_path = ''
as $$
  select case
    when o.subscription_status = 'cancelled' then 'subscription_cancelled'
    when o.subscription_status = 'suspended' then 'subscription_suspended'
    when o.plan = 'trial' and o.trial_ends_at is not null and o.trial_ends_at <= now()
      then 'trial_expired'
    when o.past_due_since is not null and o.past_due_since <= now() - interval '7 days'
      then 'payment_overdue'
  end
  from public.organizations o where o.id = p_org_id
$$;
grant execute on function private.org_read_only_reason(uuid) to authenticated, service_role;

-- Refuses new work (syncs, analysis runs) for a read-only organization.
create function private.refuse_when_read_only() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  reason text := private.org_read_only_reason(new.org_id);
begin
  if reason is not null then
    raise exception '%', case reason
      when 'trial_expired' then 'Your trial has ended: choose a plan to sync and analyse again'
      when 'payment_overdue' then 'Your payment is overdue: update the payment method to sync and analyse again'
      else 'Your subscription has ended: data stays visible, but new syncs and runs need an active plan'
    end
      using errcode = 'CQ402', hint = 'read_only',
        detail = json_build_object('reason', reason, 'upgrade_to',
          (select p.plan from public.plans p where p.rank = 1))::text;
  end if;
  return new;
end
$$;
create trigger sync_runs_refuse_read_only before insert on public.sync_runs
  for each row execute function private.refuse_when_read_only();
create trigger analysis_runs_refuse_read_only before insert on public.analysis_runs
  for each row execute function private.refuse_when_read_only();

-- =============================================================================
-- Limits
-- =============================================================================

-- The plan's value of one limit (NULL = unlimited).
create function private.plan_limit_value(p public.plans, p_limit text) returns integer
language sql immutable
set search_path = ''
as $$
  select case p_limit
    when 'instances' then p.max_instances
    when 'members' then p.max_members
    when 'analysis_runs_per_month' then p.max_analysis_runs_per_month
    when 'report_schedules' then p.max_report_schedules
    when 'widget_embeds' then p.max_widget_embeds
    when 'api_keys' then p.max_api_keys
  end
$$;

-- How much of a limit an organization uses now.
-- security definer: counts rows whatever the caller may see.
create function private.plan_limit_usage(p_org_id uuid, p_limit text) returns bigint
language plpgsql stable security definer
set search_path = ''
as $$
begin
  case p_limit
    when 'instances' then
      return (select count(*) from public.instances where org_id = p_org_id);
    when 'members' then
      return (select count(*) from public.memberships where org_id = p_org_id);
    when 'analysis_runs_per_month' then
      return (select count(*) from public.analysis_runs
              where org_id = p_org_id and created_at >= date_trunc('month', now()));
    when 'report_schedules' then
      return (select count(*) from public.report_definitions
              where org_id = p_org_id and schedule is not null);
    else
      -- Limits over tables other features own (API keys, embeds): the caller counts.
      return null;
  end case;
end
$$;
grant execute on function private.plan_limit_usage(uuid, text) to authenticated, service_role;

-- The one limit check. Locks the organization row first, so concurrent adds in
-- one organization queue here and each counts what the previous one added;
-- raises CQ402 / plan_limit_reached with {limit, allowed, used, plan,
-- upgrade_to} as JSON detail when one more would exceed the plan.
--
-- p_used: for limits over tables this migration does not know (api_keys,
-- widget_embeds), the caller passes the count — taken after calling
-- private.lock_org_for_limits(org) in the same transaction.
-- security definer: reads the plan and counts whatever the caller may see.
create function private.check_plan_limit(p_org_id uuid, p_limit text, p_used bigint default null)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  current_plan public.org_plan;
  p public.plans;
  allowed integer;
  used bigint;
  better public.org_plan;
begin
  if p_limit not in ('instances', 'members', 'analysis_runs_per_month', 'report_schedules',
                     'widget_embeds', 'api_keys') then
    raise exception 'Unknown plan limit %', p_limit using errcode = '22023';
  end if;
  select o.plan into current_plan from public.organizations o where o.id = p_org_id for update;
  if current_plan is null then return; end if;
  select * into p from public.plans where plan = current_plan;
  allowed := private.plan_limit_value(p, p_limit);
  if allowed is null then return; end if;
  used := coalesce(p_used, private.plan_limit_usage(p_org_id, p_limit), 0);
  if used < allowed then return; end if;
  select q.plan into better from public.plans q
  where q.rank > p.rank
    and coalesce(private.plan_limit_value(q, p_limit), 2147483647) > allowed
  order by q.rank limit 1;
  raise exception '%', format(
    'Your %s plan allows %s %s; you have %s. %s',
    p.display_name, allowed, replace(p_limit, '_', ' '), used,
    case when better is null then 'Remove one to add another.'
         else format('Upgrade to %s for more.', initcap(better::text)) end)
    using errcode = 'CQ402', hint = 'plan_limit_reached',
      detail = json_build_object('limit', p_limit, 'allowed', allowed, 'used', used,
        'plan', current_plan, 'upgrade_to', better)::text;
end
$$;
grant execute on function private.check_plan_limit(uuid, text, bigint) to authenticated, service_role;

-- Serializes limit checks of one organization (for callers that count themselves).
-- security definer: locks the row whatever the caller may update.
create function private.lock_org_for_limits(p_org_id uuid) returns void
language sql security definer
set search_path = ''
as $$
  select null from public.organizations where id = p_org_id for update
$$;
grant execute on function private.lock_org_for_limits(uuid) to authenticated, service_role;

-- Instances: the existing trigger now uses the plan table and answers 402.
create or replace function private.enforce_instance_limit() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.check_plan_limit(new.org_id, 'instances');
  return new;
end
$$;

-- Members: before memberships_guard (triggers fire by name), so the 402 with
-- its details answers rather than the guard's plain count check.
create function private.enforce_member_limit() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.check_plan_limit(new.org_id, 'members');
  return new;
end
$$;
create trigger memberships_0_plan_limit before insert on public.memberships
  for each row execute function private.enforce_member_limit();

-- Analysis runs per calendar month (UTC).
create function private.enforce_run_limit() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.check_plan_limit(new.org_id, 'analysis_runs_per_month');
  return new;
end
$$;
create trigger analysis_runs_plan_limit before insert on public.analysis_runs
  for each row execute function private.enforce_run_limit();

-- Report schedules: a saved report becoming scheduled counts.
create function private.enforce_schedule_limit() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.schedule is not null and (tg_op = 'INSERT' or old.schedule is null) then
    perform private.check_plan_limit(new.org_id, 'report_schedules');
  end if;
  return new;
end
$$;
create trigger report_definitions_plan_limit before insert or update on public.report_definitions
  for each row execute function private.enforce_schedule_limit();

-- =============================================================================
-- Usage
-- =============================================================================

create table public.usage_daily (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  metric text not null check (metric in (
    'instances', 'members', 'syncs', 'records_synced', 'analysis_runs', 'exports',
    'embed_views', 'api_calls')),
  value bigint not null default 0 check (value >= 0),
  updated_at timestamptz not null default now(),
  primary key (org_id, day, metric)
);
comment on table public.usage_daily is
  'Usage per organization, day (UTC) and metric; written by triggers and the meter flush';

alter table public.usage_daily enable row level security;
alter table public.usage_daily force row level security;
revoke all on public.usage_daily from anon, authenticated;
grant select on public.usage_daily to authenticated;
create policy "Members can read their organization's usage"
  on public.usage_daily for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));

-- Adds to today's count (p_mode 'add'), or raises it to at least p_value ('max',
-- for counters flushed from Redis, which hold the day's running total).
-- security definer: the only writer of usage_daily besides the service role.
create function private.record_usage(
  p_org_id uuid, p_metric text, p_value bigint, p_mode text default 'add',
  p_day date default (now() at time zone 'utc')::date
) returns void
language sql security definer
set search_path = ''
as $$
  insert into public.usage_daily (org_id, day, metric, value)
  values (p_org_id, p_day, p_metric, greatest(p_value, 0))
  on conflict (org_id, day, metric) do update set
    value = case when p_mode = 'max' then greatest(public.usage_daily.value, excluded.value)
                 else public.usage_daily.value + excluded.value end,
    updated_at = now()
$$;
revoke execute on function private.record_usage(uuid, text, bigint, text, date) from public;
grant execute on function private.record_usage(uuid, text, bigint, text, date) to service_role;

-- Syncs, records synced, analysis runs and exports are counted where they are
-- recorded: once per operation, never per request.
create function private.meter_work() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'sync_runs' then
    if tg_op = 'INSERT' then
      perform private.record_usage(new.org_id, 'syncs', 1);
    elsif new.status is distinct from old.status and new.status in ('succeeded', 'failed', 'partial')
      and coalesce(new.records_upserted, 0) > 0 then
      perform private.record_usage(new.org_id, 'records_synced', new.records_upserted);
    end if;
  elsif tg_table_name = 'analysis_runs' then
    perform private.record_usage(new.org_id, 'analysis_runs', 1);
  elsif tg_table_name = 'report_exports' then
    perform private.record_usage(new.org_id, 'exports', 1);
  end if;
  return new;
end
$$;
create trigger sync_runs_meter after insert or update of status on public.sync_runs
  for each row execute function private.meter_work();
create trigger analysis_runs_meter after insert on public.analysis_runs
  for each row execute function private.meter_work();
create trigger report_exports_meter after insert on public.report_exports
  for each row execute function private.meter_work();

-- =============================================================================
-- Stripe webhook events already applied
-- =============================================================================

create table public.billing_events (
  id text primary key,
  type text not null,
  org_id uuid references public.organizations (id) on delete set null,
  -- The event's own creation time (Stripe's `created`), for ordering.
  created_at timestamptz not null,
  received_at timestamptz not null default now(),
  outcome text not null default 'applied'
);
comment on table public.billing_events is
  'Stripe webhook events by event id: each is applied once; stale ones are recorded as skipped';
create index billing_events_org_idx on public.billing_events (org_id, created_at desc);

alter table public.billing_events enable row level security;
alter table public.billing_events force row level security;
revoke all on public.billing_events from anon, authenticated;

-- =============================================================================
-- The engine (ciq_engine) may write both for its own organization, like the
-- other tables people only read; people's sessions never write them.
-- =============================================================================

grant select, insert, update, delete on public.usage_daily, public.billing_events to ciq_engine;
create policy "The engine reads its billing events"
  on public.billing_events for select to ciq_engine
  using (org_id = (select private.engine_org_id()));
do $$
declare
  t text;
begin
  foreach t in array array['usage_daily', 'billing_events'] loop
    execute format(
      'create policy "The engine records %1$s" on public.%1$I for insert to ciq_engine
         with check (org_id = (select private.engine_org_id()))', t);
    execute format(
      'create policy "The engine updates %1$s" on public.%1$I for update to ciq_engine
         using (org_id = (select private.engine_org_id()))
         with check (org_id = (select private.engine_org_id()))', t);
    execute format(
      'create policy "The engine deletes %1$s" on public.%1$I for delete to ciq_engine
         using (org_id = (select private.engine_org_id()))', t);
  end loop;
end
$$;

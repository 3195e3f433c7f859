-- Dashboards built from widgets (docs/widgets.md, "Dashboards"): an ordered
-- layout of tiles {widget_id, x, y, w, h} on a 12-column grid.
--
-- owner_id null: an organization dashboard, seen by every member, changed by
-- admins. owner_id set: a personal dashboard, seen and changed by its owner
-- only (while a member). `is_default` marks the organization dashboard the
-- Dashboard page shows; there is at most one per organization.
--
-- The layout is jsonb, validated by the API (bounds, overlaps, widgets of the
-- same organization). A deleted widget's tile is filtered out when read.
-- `version` is the optimistic-concurrency token: a save names the version it
-- started from and is refused (409) when another save came first.

create table public.dashboards (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  owner_id uuid references auth.users (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  is_default boolean not null default false check (not is_default or owner_id is null),
  layout jsonb not null default '[]'
    check (jsonb_typeof(layout) = 'array' and jsonb_array_length(layout) <= 40),
  version int not null default 1 check (version >= 1),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.dashboards is
  'Organization (owner_id null) and personal dashboards: a layout of widget tiles';
create unique index dashboards_one_default_idx on public.dashboards (org_id) where is_default;
create index dashboards_org_id_idx on public.dashboards (org_id, owner_id, created_at);
create index dashboards_owner_id_idx on public.dashboards (owner_id);
create index dashboards_created_by_idx on public.dashboards (created_by);

alter table public.dashboards enable row level security;
alter table public.dashboards force row level security;

revoke all on public.dashboards from anon, authenticated;
grant select, delete on public.dashboards to authenticated;
grant insert (org_id, owner_id, name, layout, created_by) on public.dashboards to authenticated;
grant update (name, layout, version, updated_at) on public.dashboards to authenticated;

create policy "Members see organization dashboards and their own" on public.dashboards
  for select to authenticated using (
    org_id = any ((select private.member_org_ids())::uuid[])
    and (owner_id is null or owner_id = (select auth.uid()))
  );
create policy "Members add their own, admins the organization's dashboards" on public.dashboards
  for insert to authenticated with check (
    (owner_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]))
    or (owner_id is null and org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  );
create policy "Members change their own, admins the organization's dashboards"
  on public.dashboards for update to authenticated
  using (
    (owner_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]))
    or (owner_id is null and org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  )
  with check (
    (owner_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]))
    or (owner_id is null and org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  );
-- The Dashboard page's own dashboard is never deleted (the API says so first).
create policy "Members delete their own, admins the organization's dashboards"
  on public.dashboards for delete to authenticated using (
    not is_default and (
      (owner_id = (select auth.uid()) and org_id = any ((select private.member_org_ids())::uuid[]))
      or (owner_id is null and org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
    )
  );

-- The Dashboard page's organization dashboard, created on first use with a
-- widget for each section the page had before dashboards existed. Any member
-- may cause it (a viewer opening the page first), so it runs as the owner;
-- it checks membership itself and creates nothing when one exists.
create function private.ensure_default_dashboard(p_org uuid) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  found uuid;
  tiles jsonb := '[]';
  wid uuid;
  spec record;
begin
  if not (p_org = any (private.member_org_ids())) then
    raise exception 'Not a member of the organization' using errcode = 'insufficient_privilege';
  end if;
  select id into found from public.dashboards where org_id = p_org and is_default;
  if found is not null then return found; end if;
  -- Two first visits at once: the second waits here and then finds the first's.
  perform 1 from public.organizations where id = p_org for no key update;
  select id into found from public.dashboards where org_id = p_org and is_default;
  if found is not null then return found; end if;
  for spec in
    select * from (values
      (1, 'Posture score', 'score_gauge', '{"score":"overall"}'::jsonb, 0, 0, 4, 2),
      (2, 'Security Center', 'score_gauge', '{"score":"security_center"}', 4, 0, 4, 2),
      (3, 'Failing findings', 'findings_count', '{}', 8, 0, 4, 2),
      (4, 'Fix these first', 'top_failing_checks', '{"limit":10}', 0, 2, 12, 6),
      (5, 'Score trend', 'score_trend', '{"score":"overall","days":90}', 0, 8, 6, 6),
      (6, 'Failing findings by severity', 'severity_breakdown', '{}', 6, 8, 6, 6),
      (7, 'Framework readiness', 'framework_readiness', '{}', 0, 14, 12, 6),
      (8, 'Instances', 'instance_table', '{"sort":"score","limit":20}', 0, 20, 7, 4),
      (9, 'Sync health', 'sync_health', '{"only_failing":false}', 7, 20, 5, 4)
    ) as t (n, name, template, config, x, y, w, h) order by n
  loop
    insert into public.widgets (org_id, name, template)
    values (p_org, spec.name, spec.template) returning id into wid;
    insert into public.widget_versions (org_id, widget_id, version, config)
    values (p_org, wid, 1, spec.config);
    tiles := tiles || jsonb_build_array(jsonb_build_object(
      'widget_id', wid, 'x', spec.x, 'y', spec.y, 'w', spec.w, 'h', spec.h));
  end loop;
  insert into public.dashboards (org_id, name, is_default, layout)
  values (p_org, 'Dashboard', true, tiles) returning id into found;
  return found;
end
$$;
revoke all on function private.ensure_default_dashboard(uuid) from public;
grant execute on function private.ensure_default_dashboard(uuid) to authenticated, service_role;

select private.audit_table('public.dashboards', p_ignored_columns => '{updated_at}');

-- Widgets: a template plus a configuration, owned by an organization, with an
-- immutable version per save; embeds of one widget version for pages outside
-- the app; and the organization's allow-list of origins that may frame them.
--
-- Versions are append-only: authenticated callers may insert and read them,
-- never update or delete them, so a version an embed pins never changes.
--
-- An embed token is `ciq_embed_<id>_<secret>` (docs/widgets.md); only the
-- SHA-256 of the whole token is stored. The public endpoint resolves a token
-- with private.resolve_widget_embed (security definer, server login role only).

create table public.widgets (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  template text not null check (template ~ '^[a-z_]{1,40}$'),
  -- The version the widget shows now (the latest save or a rollback).
  current_version int not null default 1 check (current_version >= 1),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.widgets is 'Widgets: a template and its current configuration version';
create index widgets_org_id_idx on public.widgets (org_id, created_at desc);

create table public.widget_versions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  widget_id uuid not null references public.widgets (id) on delete cascade,
  version int not null check (version >= 1),
  config jsonb not null check (jsonb_typeof(config) = 'object'),
  -- Set on a rollback: the version this one copies.
  restored_from int,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (widget_id, version)
);
comment on table public.widget_versions is 'Immutable configuration versions of a widget (one per save)';
create index widget_versions_org_id_idx on public.widget_versions (org_id);

create table public.widget_embeds (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  widget_id uuid not null references public.widgets (id) on delete cascade,
  version_id uuid not null references public.widget_versions (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- The token's public part, `ciq_embed_<id>`.
  prefix text not null unique,
  secret_hash text not null check (secret_hash ~ '^[0-9a-f]{64}$'),
  -- Only these instances (null: every instance of the organization).
  instance_ids uuid[] check (instance_ids is null or cardinality(instance_ids) between 1 and 100),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  last_used_at timestamptz
);
comment on table public.widget_embeds is
  'Embeds of one widget version: expiry, revocation, last use; the token only as a SHA-256 hash';
create index widget_embeds_org_id_idx on public.widget_embeds (org_id, created_at desc);
create index widget_embeds_widget_id_idx on public.widget_embeds (widget_id);
create index widget_embeds_version_id_idx on public.widget_embeds (version_id);

create table public.widget_embed_origins (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- scheme://host[:port], no path (what frame-ancestors takes).
  origin text not null check (origin ~ '^https?://[a-z0-9.-]+(:[0-9]{1,5})?$'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (org_id, origin)
);
comment on table public.widget_embed_origins is 'Origins that may frame the organization''s embeds';

-- The foreign keys' columns.
create index widgets_created_by_idx on public.widgets (created_by);
create index widget_versions_widget_id_idx on public.widget_versions (widget_id);
create index widget_versions_created_by_idx on public.widget_versions (created_by);
create index widget_embeds_created_by_idx on public.widget_embeds (created_by);
create index widget_embeds_revoked_by_idx on public.widget_embeds (revoked_by);
create index widget_embed_origins_created_by_idx on public.widget_embed_origins (created_by);

alter table public.widgets enable row level security;
alter table public.widgets force row level security;
alter table public.widget_versions enable row level security;
alter table public.widget_versions force row level security;
alter table public.widget_embeds enable row level security;
alter table public.widget_embeds force row level security;
alter table public.widget_embed_origins enable row level security;
alter table public.widget_embed_origins force row level security;

revoke all on public.widgets, public.widget_versions, public.widget_embeds,
  public.widget_embed_origins from anon, authenticated;
grant select, insert on public.widgets to authenticated;
grant update (name, current_version, updated_at) on public.widgets to authenticated;
grant delete on public.widgets to authenticated;
grant select, insert on public.widget_versions to authenticated;
grant select (id, org_id, widget_id, version_id, name, prefix, instance_ids, created_by,
              created_at, expires_at, revoked_at, revoked_by, last_used_at)
  on public.widget_embeds to authenticated;
grant insert (id, org_id, widget_id, version_id, name, prefix, secret_hash, instance_ids,
              created_by, expires_at)
  on public.widget_embeds to authenticated;
grant update (revoked_at, revoked_by, version_id) on public.widget_embeds to authenticated;
grant select, insert, delete on public.widget_embed_origins to authenticated;

create policy "Members can view widgets" on public.widgets for select to authenticated
  using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can create widgets" on public.widgets for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can change widgets" on public.widgets for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));
create policy "Analysts can delete widgets" on public.widgets for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('analyst'))::uuid[]));

create policy "Members can view widget versions" on public.widget_versions for select
  to authenticated using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Analysts can add widget versions" on public.widget_versions for insert
  to authenticated with check (
    org_id = any ((select private.org_ids_with_role('analyst'))::uuid[])
    and exists (select 1 from public.widgets w where w.id = widget_id and w.org_id = org_id)
  );

create policy "Admins can view embeds" on public.widget_embeds for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can create embeds" on public.widget_embeds for insert to authenticated
  with check (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and created_by = (select auth.uid())
    and exists (select 1 from public.widget_versions v
                where v.id = version_id and v.widget_id = widget_embeds.widget_id
                  and v.org_id = widget_embeds.org_id)
  );
-- Admins revoke an embed or move it to another version of the same widget.
create policy "Admins can revoke or move embeds" on public.widget_embeds for update
  to authenticated
  using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    and exists (select 1 from public.widget_versions v
                where v.id = version_id and v.widget_id = widget_embeds.widget_id
                  and v.org_id = widget_embeds.org_id)
  );

-- A revoked embed stays revoked, and stays where it was.
create function private.widget_embeds_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.revoked_at is not null
     and (new.revoked_at is distinct from old.revoked_at or new.version_id <> old.version_id) then
    raise exception 'A revoked embed cannot change' using errcode = 'check_violation';
  end if;
  return new;
end
$$;
create trigger widget_embeds_guard before update on public.widget_embeds
  for each row execute function private.widget_embeds_guard();

create policy "Members can view embed origins" on public.widget_embed_origins for select
  to authenticated using (org_id = any ((select private.member_org_ids())::uuid[]));
create policy "Admins can add embed origins" on public.widget_embed_origins for insert
  to authenticated with check (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
create policy "Admins can remove embed origins" on public.widget_embed_origins for delete
  to authenticated using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

-- The embed with this id and hash, whatever its state (so the caller can say
-- revoked or expired), with what the public endpoint needs: the pinned
-- version's template and configuration and the organization's allowed origins.
-- Records the last use at most once a minute, so the hot path rarely writes.
create function private.resolve_widget_embed(p_embed_id uuid, p_secret_hash text)
returns table (
  org_id uuid, widget_id uuid, version_id uuid, widget_name text, template text, config jsonb,
  instance_ids uuid[], expires_at timestamptz, revoked_at timestamptz, origins text[]
)
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  return query
  select e.org_id, e.widget_id, e.version_id, w.name, w.template, v.config, e.instance_ids,
         e.expires_at, e.revoked_at,
         coalesce((select array_agg(o.origin order by o.origin)
                   from public.widget_embed_origins o where o.org_id = e.org_id), '{}')
  from public.widget_embeds e
  join public.widget_versions v on v.id = e.version_id and v.org_id = e.org_id
  join public.widgets w on w.id = e.widget_id and w.org_id = e.org_id
  where e.id = p_embed_id and e.secret_hash = p_secret_hash;
  update public.widget_embeds e set last_used_at = now()
  where e.id = p_embed_id and e.secret_hash = p_secret_hash and e.revoked_at is null
    and (e.last_used_at is null or e.last_used_at < now() - interval '1 minute');
end
$$;
revoke all on function private.resolve_widget_embed(uuid, text) from public;

select private.audit_table('public.widgets', p_ignored_columns => '{updated_at}');
select private.audit_table('public.widget_versions');
select private.audit_table('public.widget_embeds',
  p_secret_columns => '{secret_hash}', p_ignored_columns => '{last_used_at}',
  p_security_columns => '{*}');
select private.audit_table('public.widget_embed_origins', p_security_columns => '{*}');

-- The audit trail: one append-only, hash-chained entry per changed row of every
-- audited table, written by triggers in the same transaction as the change.
-- Who/where/why comes from two transaction-local settings the server sets next
-- to each other: `request.jwt.claims` (who, as RLS trusts it) and `ciq.audit`
-- (request id, address, user agent, route, the permission action; see
-- shared/db/request_context.ts). Design and guarantees: docs/audit.md.

-- =============================================================================
-- Tables
-- =============================================================================

-- No foreign key to organizations: the record outlives what it records.
create table public.audit_log (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  seq bigint not null check (seq >= 1),
  occurred_at timestamptz not null default now(),
  actor_kind text not null
    check (actor_kind in ('user', 'worker', 'api_key', 'billing_webhook', 'anonymous', 'service', 'system')),
  actor_id text,
  on_behalf_of uuid,
  action text not null check (char_length(action) between 1 and 200),
  category text not null check (category in ('change', 'security')),
  operation text not null check (operation in ('insert', 'update', 'delete', 'event', 'snapshot')),
  target_table text not null,
  target_id text,
  before jsonb,
  after jsonb,
  request_id text,
  ip text,
  user_agent text,
  route text,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  unique (org_id, seq)
);
comment on table public.audit_log is
  'Append-only, per-organization hash chain of every audited change and security event';
create index audit_log_org_time_idx on public.audit_log (org_id, occurred_at desc, seq desc);
create index audit_log_org_target_idx on public.audit_log (org_id, target_table, target_id, seq);
create index audit_log_org_actor_idx on public.audit_log (org_id, actor_id, seq);

-- The head of each organization's chain; locking its row serialises appends.
create table private.audit_heads (
  org_id uuid primary key,
  seq bigint not null default 0,
  hash text not null default repeat('0', 64),
  updated_at timestamptz not null default now()
);

-- Readable by the organization's auditors (the head is no secret); written only
-- by the appending function, as the owner.
alter table private.audit_heads enable row level security;
alter table private.audit_heads force row level security;
grant select on private.audit_heads to authenticated, service_role;
create policy "Auditors and above read their chain head" on private.audit_heads
  for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('auditor'))::uuid[]));
create policy "The owner keeps the heads" on private.audit_heads for all to current_user
  using (true) with check (true);

-- Daily anchors of each chain's head: a rewritten chain no longer matches them.
create table public.audit_anchors (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  seq bigint not null,
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  anchored_at timestamptz not null default now()
);
comment on table public.audit_anchors is 'Daily anchors of each organization''s audit chain head';
create index audit_anchors_org_idx on public.audit_anchors (org_id, anchored_at desc);

-- Which tables are audited and how: read by the classification test and docs.
create table private.audit_tables (
  table_name text primary key,
  org_column text not null,
  id_column text not null,
  secret_columns text[] not null,
  ignored_columns text[] not null,
  security_columns text[] not null
);

-- =============================================================================
-- Hashing and appending
-- =============================================================================

-- The canonical serialisation: a JSON array of the entry's fields in a fixed
-- order, in jsonb's deterministic text form; time as UTC with microseconds.
create function private.audit_entry_hash(e public.audit_log) returns text
language sql immutable
set search_path = ''
as $$
  select encode(sha256(convert_to(jsonb_build_array(
    e.org_id, e.seq,
    to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor_kind, e.actor_id, e.on_behalf_of, e.action, e.category, e.operation,
    e.target_table, e.target_id, e.before, e.after, e.request_id, e.ip, e.user_agent,
    e.route, e.prev_hash
  )::text, 'UTF8')), 'hex')
$$;

-- security definer: appends under the table owner; no application role may write the log.
create function private.audit_append(
  p_org_id uuid,
  p_category text,
  p_operation text,
  p_target_table text,
  p_target_id text,
  p_before jsonb,
  p_after jsonb,
  p_action text default null
) returns public.audit_log
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  ctx jsonb := coalesce(nullif(current_setting('ciq.audit', true), '')::jsonb, '{}');
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
  head record;
  e public.audit_log;
begin
  insert into private.audit_heads (org_id) values (p_org_id) on conflict do nothing;
  select h.seq, h.hash into head from private.audit_heads h where h.org_id = p_org_id for update;

  e.id := gen_random_uuid();
  e.org_id := p_org_id;
  e.seq := head.seq + 1;
  e.occurred_at := now();
  -- Worker claims are set only by server code, so they win over a request's context
  -- (a task run in-process inside a user's request is still the worker's).
  e.actor_kind := case
    when claims ->> 'ciq_actor' = 'worker' then 'worker'
    else coalesce(ctx ->> 'actor_kind', case
      when claims ->> 'sub' is not null then 'user'
      when claims ->> 'role' = 'service_role' then 'service'
      else 'system' end)
  end;
  e.actor_id := case
    when e.actor_kind = 'user' then coalesce(claims ->> 'sub', ctx ->> 'actor_id')
    when e.actor_kind = 'system' then coalesce(ctx ->> 'actor_id', session_user::text)
    else ctx ->> 'actor_id'
  end;
  e.on_behalf_of := nullif(claims ->> 'ciq_actor_user_id', '')::uuid;
  e.action := left(coalesce(p_action, ctx ->> 'action', p_target_table || '.' || p_operation), 200);
  e.category := p_category;
  e.operation := p_operation;
  e.target_table := p_target_table;
  e.target_id := p_target_id;
  e.before := p_before;
  e.after := p_after;
  e.request_id := left(ctx ->> 'request_id', 200);
  e.ip := left(ctx ->> 'ip', 100);
  e.user_agent := left(ctx ->> 'user_agent', 500);
  e.route := left(ctx ->> 'route', 300);
  e.prev_hash := head.hash;
  e.hash := private.audit_entry_hash(e);

  insert into public.audit_log values (e.*);
  update private.audit_heads set seq = e.seq, hash = e.hash, updated_at = now()
  where org_id = p_org_id;
  return e;
end
$$;

-- The row trigger. Arguments: org column, id column, secret columns, ignored
-- columns, security columns (comma-separated; `*` = every change is a security event).
create function private.audit_row_change() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  old_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  new_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  any_row jsonb := coalesce(new_row, old_row);
  v_secrets text[] := string_to_array(tg_argv[2], ',');
  v_ignored text[] := string_to_array(tg_argv[3], ',') || array['updated_at'];
  v_security text[] := string_to_array(tg_argv[4], ',');
  v_before jsonb := case when tg_op <> 'INSERT' then '{}'::jsonb end;
  v_after jsonb := case when tg_op <> 'DELETE' then '{}'::jsonb end;
  changed text[] := '{}';
  k text;
begin
  for k in select jsonb_object_keys(any_row) loop
    continue when k = any (v_ignored);
    if tg_op = 'UPDATE' then
      continue when (old_row -> k) is not distinct from (new_row -> k);
    else
      continue when jsonb_typeof(any_row -> k) = 'null';
    end if;
    changed := changed || k;
    -- Secrets: that they changed is recorded, never their value.
    if old_row is not null then
      v_before := v_before || jsonb_build_object(k,
        case when k = any (v_secrets) then to_jsonb('[redacted]'::text) else old_row -> k end);
    end if;
    if new_row is not null then
      v_after := v_after || jsonb_build_object(k,
        case when k = any (v_secrets) then to_jsonb('[redacted]'::text) else new_row -> k end);
    end if;
  end loop;
  if tg_op = 'UPDATE' and cardinality(changed) = 0 then
    return null;
  end if;
  perform private.audit_append(
    (any_row ->> tg_argv[0])::uuid,
    case when '*' = any (v_security) or changed && v_security then 'security' else 'change' end,
    lower(tg_op),
    tg_table_name,
    any_row ->> tg_argv[1],
    v_before,
    v_after
  );
  return null;
end
$$;

-- Audits a table: one line per table (see docs/audit.md).
create function private.audit_table(
  p_table regclass,
  p_secret_columns text[] default '{}',
  p_ignored_columns text[] default '{}',
  p_security_columns text[] default '{}',
  p_org_column text default 'org_id',
  p_id_column text default 'id'
) returns void
language plpgsql
set search_path = ''
as $$
declare
  name text := p_table::text;
  trigger_name text := replace(replace(name, 'public.', ''), '.', '_') || '_audit';
begin
  if not exists (select 1 from pg_attribute where attrelid = p_table and attname = p_org_column) then
    raise exception 'audit_table: % has no column %', name, p_org_column;
  end if;
  if not exists (select 1 from pg_attribute where attrelid = p_table and attname = p_id_column) then
    raise exception 'audit_table: % has no column %', name, p_id_column;
  end if;
  insert into private.audit_tables values (
    case when name like '%.%' then name else 'public.' || name end,
    p_org_column, p_id_column, p_secret_columns, p_ignored_columns, p_security_columns)
  on conflict (table_name) do update set
    org_column = excluded.org_column, id_column = excluded.id_column,
    secret_columns = excluded.secret_columns, ignored_columns = excluded.ignored_columns,
    security_columns = excluded.security_columns;
  execute format('drop trigger if exists %I on %s', trigger_name, p_table);
  execute format(
    'create trigger %I after insert or update or delete on %s for each row '
    'execute function private.audit_row_change(%L, %L, %L, %L, %L)',
    trigger_name, p_table, p_org_column, p_id_column,
    array_to_string(p_secret_columns, ','), array_to_string(p_ignored_columns, ','),
    array_to_string(p_security_columns, ','));
end
$$;

-- An event that is not a row change (a connection tested, a file downloaded, a
-- failed sign-in). security definer: callers may record events only for an
-- organization they act for.
create function private.audit_event(
  p_org_id uuid,
  p_action text,
  p_target_table text,
  p_target_id text,
  p_details jsonb default null,
  p_category text default 'security'
) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
begin
  -- No claims: a direct connection (migrations, scripts), trusted like the owner.
  if claims <> '{}' and coalesce(claims ->> 'role', '') <> 'service_role'
     and not (p_org_id = any (private.member_org_ids())) then
    raise exception 'not a member of this organization' using errcode = '42501';
  end if;
  return (private.audit_append(p_org_id, p_category, 'event', p_target_table, p_target_id,
    null, p_details, p_action)).id;
end
$$;
grant execute on function private.audit_event(uuid, text, text, text, jsonb, text)
  to authenticated, service_role;

-- =============================================================================
-- Append-only
-- =============================================================================

create function private.refuse_audit_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'The audit trail is append-only: % on % is refused', tg_op, tg_table_name
    using errcode = '42501';
end
$$;

create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.refuse_audit_change();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.refuse_audit_change();
create trigger audit_anchors_append_only before update or delete on public.audit_anchors
  for each row execute function private.refuse_audit_change();
create trigger audit_anchors_no_truncate before truncate on public.audit_anchors
  for each statement execute function private.refuse_audit_change();

revoke all on public.audit_log, public.audit_anchors from public, anon, authenticated, service_role, ciq_engine;
grant select on public.audit_log, public.audit_anchors to authenticated, service_role;

alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;
alter table public.audit_anchors enable row level security;
alter table public.audit_anchors force row level security;

create policy "Auditors and above read the audit trail" on public.audit_log
  for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('auditor'))::uuid[]));
create policy "The service reads the audit trail" on public.audit_log
  for select to service_role using (true);
-- The appending function runs as the table owner (security definer).
create policy "The owner appends" on public.audit_log for insert to current_user with check (true);
create policy "The owner reads" on public.audit_log for select to current_user using (true);

create policy "Auditors and above read the anchors" on public.audit_anchors
  for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('auditor'))::uuid[]));
create policy "The service reads the anchors" on public.audit_anchors
  for select to service_role using (true);
create policy "The owner anchors" on public.audit_anchors for insert to current_user with check (true);
create policy "The owner reads anchors" on public.audit_anchors for select to current_user using (true);

-- =============================================================================
-- Verification and anchoring
-- =============================================================================

-- Walks one organization's chain from the start and reports the first broken
-- link: a gap in the sequence (a deleted or reordered entry), a previous-hash
-- that does not match, an entry whose content no longer matches its hash (an
-- edit), a head or anchor that the chain no longer reaches.
create function private.audit_verify(p_org_id uuid)
returns table (
  ok boolean, entries bigint, head_seq bigint, head_hash text,
  broken_seq bigint, broken_id uuid, reason text
)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
  e public.audit_log;
  expected bigint := 1;
  prev text := repeat('0', 64);
  h_seq bigint;
  h_hash text;
  anchor record;
  found_hash text;
begin
  if claims <> '{}' and coalesce(claims ->> 'role', '') <> 'service_role'
     and not (p_org_id = any (private.org_ids_with_role('auditor'))) then
    raise exception 'auditor role needed' using errcode = '42501';
  end if;
  entries := 0;
  for e in select * from public.audit_log l where l.org_id = p_org_id order by l.seq loop
    entries := entries + 1;
    if e.seq <> expected then
      return query select false, entries, null::bigint, null::text, expected, e.id,
        format('entry %s is missing: the chain jumps from %s to %s (deleted or reordered)',
          expected, expected - 1, e.seq);
      return;
    end if;
    if e.prev_hash <> prev then
      return query select false, entries, null::bigint, null::text, e.seq, e.id,
        format('entry %s does not link to entry %s (reordered or replaced)', e.seq, e.seq - 1);
      return;
    end if;
    if private.audit_entry_hash(e) <> e.hash then
      return query select false, entries, null::bigint, null::text, e.seq, e.id,
        format('entry %s was changed after it was written (its content does not match its hash)', e.seq);
      return;
    end if;
    prev := e.hash;
    expected := expected + 1;
  end loop;
  select h.seq, h.hash into h_seq, h_hash from private.audit_heads h where h.org_id = p_org_id;
  if found and (h_seq <> expected - 1 or h_hash <> prev) then
    return query select false, entries, h_seq, h_hash, expected, null::uuid,
      format('the chain ends at entry %s but its head is entry %s (entries removed from the end)',
        expected - 1, h_seq);
    return;
  end if;
  for anchor in select a.seq, a.hash, a.anchored_at from public.audit_anchors a
    where a.org_id = p_org_id order by a.seq loop
    select l.hash into found_hash from public.audit_log l where l.org_id = p_org_id and l.seq = anchor.seq;
    if found_hash is distinct from anchor.hash then
      return query select false, entries, h_seq, h_hash, anchor.seq, null::uuid,
        format('entry %s does not match the anchor taken at %s (the chain was rewritten)',
          anchor.seq, to_char(anchor.anchored_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'));
      return;
    end if;
  end loop;
  return query select true, entries, expected - 1, prev, null::bigint, null::uuid, null::text;
end
$$;
grant execute on function private.audit_verify(uuid) to authenticated, service_role;

-- Anchors every chain head that moved since its last anchor; returns how many.
create function private.audit_anchor_heads() returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  n integer;
begin
  insert into public.audit_anchors (org_id, seq, hash)
  select h.org_id, h.seq, h.hash from private.audit_heads h
  where h.seq > 0 and not exists (
    select 1 from public.audit_anchors a where a.org_id = h.org_id and a.seq = h.seq);
  get diagnostics n = row_count;
  return n;
end
$$;
grant execute on function private.audit_anchor_heads() to service_role;

-- The head of one organization's chain and its latest anchor, for members
-- (evidence packs carry them, so a pack pins the audit trail as it stood).
create function private.audit_head(p_org_id uuid)
returns table (head_seq bigint, head_hash text, anchor_seq bigint, anchor_hash text, anchored_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
  select h.seq, h.hash, a.seq, a.hash, a.anchored_at
  from private.audit_heads h
  left join lateral (
    select x.seq, x.hash, x.anchored_at from public.audit_anchors x
    where x.org_id = h.org_id order by x.seq desc, x.id desc limit 1
  ) a on true
  where h.org_id = p_org_id
    and (coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', '')
           = 'service_role'
         or p_org_id = any (private.member_org_ids()))
$$;
grant execute on function private.audit_head(uuid) to authenticated, service_role;

-- Sign-in events (Supabase Auth's own log, auth.audit_log_entries) of the
-- organization's members and former members, newest first: sign-ins, failed
-- sign-ins, sign-outs, token refreshes and revocations. Not part of the chain:
-- Auth writes them, per user rather than per organization.
create function private.audit_sign_in_events(
  p_org_id uuid, p_from timestamptz, p_to timestamptz, p_limit integer
) returns table (at timestamptz, action text, user_id uuid, email text, ip text)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
begin
  if claims <> '{}' and coalesce(claims ->> 'role', '') <> 'service_role'
     and not (p_org_id = any (private.org_ids_with_role('auditor'))) then
    raise exception 'auditor role needed' using errcode = '42501';
  end if;
  return query
    with people as (
      select m.user_id::text as id from public.memberships m where m.org_id = p_org_id
      union
      select l.target_id from public.audit_log l
      where l.org_id = p_org_id and l.target_table = 'memberships' and l.target_id is not null
    )
    select e.created_at, e.payload ->> 'action', (e.payload ->> 'actor_id')::uuid,
           e.payload ->> 'actor_username', nullif(e.ip_address::text, '')
    from auth.audit_log_entries e
    where e.payload ->> 'actor_id' in (select id from people)
      and e.payload ->> 'action' in
        ('login', 'login_failed', 'logout', 'token_revoked', 'user_recovery_requested',
         'user_updated_password', 'user_modified')
      and e.created_at >= p_from and e.created_at < p_to
    order by e.created_at desc
    limit p_limit;
end
$$;
grant execute on function private.audit_sign_in_events(uuid, timestamptz, timestamptz, integer)
  to authenticated, service_role;

-- The latest anchor of one organization (for evidence packs and the Audit page).
create function private.audit_latest_anchor(p_org_id uuid)
returns table (seq bigint, hash text, anchored_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
  select a.seq, a.hash, a.anchored_at from public.audit_anchors a
  where a.org_id = p_org_id order by a.seq desc, a.id desc limit 1
$$;
grant execute on function private.audit_latest_anchor(uuid) to authenticated, service_role;

-- =============================================================================
-- The audited tables (one line each; new tables: docs/audit.md)
-- =============================================================================

select private.audit_table('public.organizations', p_security_columns => '{plan,subscription_status,settings,max_instances,max_users}', p_org_column => 'id');
select private.audit_table('public.memberships', p_security_columns => '{*}', p_id_column => 'user_id');
select private.audit_table('public.instances',
  p_secret_columns => '{credentials}',
  p_ignored_columns => '{status,build_tag,last_health_check_at,last_health,last_sync_at,last_sync_status}',
  p_security_columns => '{credentials,auth_type,url}');
select private.audit_table('public.jobs',
  p_ignored_columns => '{progress,progress_message,counters,cursor,result,attempts,segment,message_id,lease_token,lease_until,heartbeat_at,started_at,error,error_code,dedup_key}');
select private.audit_table('public.analysis_check_settings', p_security_columns => '{enabled}', p_id_column => 'check_id');
select private.audit_table('public.analysis_custom_checks');
select private.audit_table('public.analysis_finding_triage', p_id_column => 'finding_id');
select private.audit_table('public.analysis_finding_events');
select private.audit_table('public.analysis_suppressions', p_security_columns => '{*}');
select private.audit_table('public.report_definitions', p_security_columns => '{recipients,schedule}');
select private.audit_table('public.report_exports',
  p_ignored_columns => '{status,started_at,finished_at,byte_size,sha256,storage,storage_key,rows,error,filename,content_type,job_id}',
  p_security_columns => '{*}');
select private.audit_table('public.report_links',
  p_secret_columns => '{token_sha256}', p_ignored_columns => '{last_used_at,use_count}',
  p_security_columns => '{*}');
select private.audit_table('public.report_events', p_security_columns => '{*}');

-- The chain starts with the memberships as they are now, so an access review
-- covers people who joined before the audit trail existed.
do $$
declare
  m record;
begin
  for m in select * from public.memberships order by created_at, user_id loop
    perform private.audit_append(m.org_id, 'security', 'snapshot', 'memberships', m.user_id::text,
      null, jsonb_build_object('org_id', m.org_id, 'user_id', m.user_id, 'role', m.role,
        'created_at', m.created_at), 'audit.baseline');
  end loop;
end
$$;

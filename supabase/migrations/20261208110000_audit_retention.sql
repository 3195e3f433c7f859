-- Retention of the audit trail per plan (plans.retention_days): a daily purge
-- removes each organization's entries older than its plan keeps, and records
-- where the retained history starts so the chain stays verifiable from there.
-- The purge is the only way an entry leaves the log: the append-only trigger
-- lets a DELETE through only for entries below a recorded start. Design:
-- docs/audit.md ("Retention").

-- Where each organization's retained chain starts: the first kept entry's seq,
-- its prev_hash (the hash of the last purged entry) and its own hash. Append-only
-- like the anchors; the latest row (highest seq) is the verified starting point.
create table public.audit_chain_starts (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  seq bigint not null check (seq >= 2),
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  starts_at timestamptz not null,
  purged integer not null check (purged >= 1),
  retention_days integer not null,
  purged_at timestamptz not null default now(),
  unique (org_id, seq)
);
comment on table public.audit_chain_starts is
  'Where each organization''s audit chain starts after retention purges (one row per purge)';

create trigger audit_chain_starts_append_only before update or delete on public.audit_chain_starts
  for each row execute function private.refuse_audit_change();
create trigger audit_chain_starts_no_truncate before truncate on public.audit_chain_starts
  for each statement execute function private.refuse_audit_change();

revoke all on public.audit_chain_starts from public, anon, authenticated, service_role, ciq_engine;
grant select on public.audit_chain_starts to authenticated, service_role;
alter table public.audit_chain_starts enable row level security;
alter table public.audit_chain_starts force row level security;
create policy "Auditors and above read where their chain starts" on public.audit_chain_starts
  for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('auditor'))::uuid[]));
create policy "The service reads where chains start" on public.audit_chain_starts
  for select to service_role using (true);
create policy "The owner records starts" on public.audit_chain_starts
  for insert to current_user with check (true);
create policy "The owner reads starts" on public.audit_chain_starts
  for select to current_user using (true);
-- The purge deletes as the owner (security definer).
create policy "The owner purges" on public.audit_log for delete to current_user using (true);

-- The latest start of one organization's chain (null: the chain starts at entry 1).
create function private.audit_chain_start(p_org_id uuid)
returns table (seq bigint, prev_hash text, hash text, starts_at timestamptz, purged_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
  select s.seq, s.prev_hash, s.hash, s.starts_at, s.purged_at from public.audit_chain_starts s
  where s.org_id = p_org_id order by s.seq desc limit 1
$$;
grant execute on function private.audit_chain_start(uuid) to authenticated, service_role;

-- Append-only, except for entries below a recorded start: only the purge
-- records starts, so a deletion that is not a purge is still refused (and,
-- done by a superuser past the trigger, found by verification).
create or replace function private.refuse_audit_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and tg_table_name = 'audit_log' then
    if exists (select 1 from public.audit_chain_starts s
               where s.org_id = old.org_id and s.seq > old.seq) then
      return old;
    end if;
  end if;
  raise exception 'The audit trail is append-only: % on % is refused', tg_op, tg_table_name
    using errcode = '42501';
end
$$;

-- Purges one organization's entries older than its plan's retention as of
-- p_as_of (the service passes now(); tests pass a later time). The newest
-- entry is always kept. Records the new start first, then deletes below it.
-- Returns how many entries went and the new start (null when nothing expired).
create function private.audit_purge(p_org_id uuid, p_as_of timestamptz default now())
returns table (purged integer, start_seq bigint)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  days integer;
  head record;
  first_kept public.audit_log;
  oldest bigint;
  n integer;
begin
  select p.retention_days into days
  from public.organizations o join public.plans p on p.plan = o.plan where o.id = p_org_id;
  if days is null then
    -- A deleted organization: its record is kept (docs/audit.md).
    return query select 0, null::bigint;
    return;
  end if;
  select h.seq into head from private.audit_heads h where h.org_id = p_org_id for update;
  if not found then
    return query select 0, null::bigint;
    return;
  end if;
  select min(l.seq) into oldest from public.audit_log l where l.org_id = p_org_id;
  select * into first_kept from public.audit_log l
  where l.org_id = p_org_id and (l.occurred_at >= p_as_of - make_interval(days => days)
                                 or l.seq = head.seq)
  order by l.seq limit 1;
  if first_kept.seq is null or oldest is null or first_kept.seq <= oldest then
    return query select 0, null::bigint;
    return;
  end if;
  insert into public.audit_chain_starts
    (org_id, seq, prev_hash, hash, starts_at, purged, retention_days)
  values (p_org_id, first_kept.seq, first_kept.prev_hash, first_kept.hash, first_kept.occurred_at,
          first_kept.seq - oldest, days);
  delete from public.audit_log l where l.org_id = p_org_id and l.seq < first_kept.seq;
  get diagnostics n = row_count;
  return query select n, first_kept.seq;
end
$$;
revoke all on function private.audit_purge(uuid, timestamptz) from public;
grant execute on function private.audit_purge(uuid, timestamptz) to service_role;

-- Organizations with entries older than their plan keeps (the purge's work list).
create function private.audit_purge_due(p_as_of timestamptz default now())
returns table (org_id uuid)
language sql stable security definer
set search_path = ''
as $$
  select o.id from public.organizations o join public.plans p on p.plan = o.plan
  where exists (
    select 1 from public.audit_log l
    where l.org_id = o.id and l.occurred_at < p_as_of - make_interval(days => p.retention_days))
  order by o.id
$$;
revoke all on function private.audit_purge_due(timestamptz) from public;
grant execute on function private.audit_purge_due(timestamptz) to service_role;

-- Verification walks from the recorded start (entry 1 without one): the first
-- retained entry must be the recorded one, then every link as before. Anchors
-- below the start name purged entries and are not checked.
drop function private.audit_verify(uuid);
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
  start record;
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
  select s.seq, s.prev_hash, s.hash into start from public.audit_chain_starts s
  where s.org_id = p_org_id order by s.seq desc limit 1;
  if found then
    expected := start.seq;
    prev := start.prev_hash;
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
    if start.seq is not null and e.seq = start.seq and e.hash <> start.hash then
      return query select false, entries, null::bigint, null::text, e.seq, e.id,
        format('entry %s is not the entry the retention purge kept as the start', e.seq);
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
    where a.org_id = p_org_id and a.seq >= coalesce(start.seq, 1) order by a.seq loop
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

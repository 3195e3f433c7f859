-- The members list in one statement. A tenant transaction costs four statements
-- (begin, claims and role, the query, commit) on a connection reserved for the
-- request; this function sets the caller's claims and role itself, so the read
-- is a single statement that the pool pipelines with other requests' queries.
-- RLS applies as for any tenant read: the query runs as `authenticated` with the
-- caller's claims. Both settings are local: outside a transaction they end with
-- the statement; inside one the function puts back what it found (a failure
-- aborts the transaction, whose rollback restores them).
--
-- Only the server's own connection role may call it: it trusts `p_claims`, which
-- the server takes from a verified JWT, as asTenant does.
create function private.members_page(
  p_claims text,
  p_org_id uuid,
  p_after_email text,
  p_after_user_id uuid,
  p_limit integer
)
returns table (
  user_id uuid,
  email text,
  display_name text,
  role public.org_role,
  joined_at text
)
language plpgsql volatile
set search_path = ''
as $$
declare
  prior_role text := current_setting('role');
  prior_claims text := coalesce(current_setting('request.jwt.claims', true), '');
begin
  perform set_config('request.jwt.claims', p_claims, true), set_config('role', 'authenticated', true);
  -- return query runs the query now; the rows are returned when the function ends.
  return query
    -- joined_at as JSON would write it (ISO 8601 in UTC, milliseconds): the API
    -- sends it on as text instead of turning it into a Date and back.
    select m.user_id, p.email, p.display_name, m.role,
      to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    from public.memberships m
    join public.profiles p on p.id = m.user_id
    where m.org_id = p_org_id
      and (p_after_email is null or (lower(p.email), m.user_id) > (p_after_email, p_after_user_id))
    order by lower(p.email), m.user_id
    limit p_limit;
  perform set_config('role', prior_role, true), set_config('request.jwt.claims', prior_claims, true);
end
$$;
comment on function private.members_page(text, uuid, text, uuid, integer) is
  'A page of an organization''s members ordered by email, read under RLS as the caller whose claims are given (server use only)';
revoke all on function private.members_page(text, uuid, text, uuid, integer) from public, anon, authenticated, service_role;

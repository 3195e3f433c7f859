-- Helpers of the analysis engine's generated SQL (custom checks compiled from
-- encoded queries, shared/analysis/custom).

-- ServiceNow date-time text ('YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS', UTC) to a
-- timestamp, with the overflow arithmetic of JavaScript's Date.UTC (month 13 is
-- January of the next year, day 0 the last day of the previous month), and NULL
-- for anything else: a malformed value in synced data never aborts a check.
-- No `set search_path`, so the planner can inline it (see
-- 20261121200005_make_sn_helpers_inlinable.sql); it uses only built-ins.
create function private.analysis_glide_ts(value text) returns timestamp
language sql immutable parallel safe
as $$
  select case
    when value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}:[0-9]{2})?$'
      and substr(value, 1, 4)::int >= 1
    then make_timestamp(substr(value, 1, 4)::int, 1, 1, 0, 0, 0)
      + make_interval(
          months => substr(value, 6, 2)::int - 1,
          days => substr(value, 9, 2)::int - 1,
          hours => coalesce(nullif(substr(value, 12, 2), '')::int, 0),
          mins => coalesce(nullif(substr(value, 15, 2), '')::int, 0),
          secs => coalesce(nullif(substr(value, 18, 2), '')::double precision, 0)
        )
  end
$$;
comment on function private.analysis_glide_ts(text) is
  'ServiceNow date-time text to timestamp (UTC wall time) with Date.UTC overflow; NULL when malformed';
grant execute on function private.analysis_glide_ts(text) to authenticated, service_role;

-- The deterministic id of a finding: MD5 of "org|instance|check|resource key",
-- shaped as a name-based (version 3) UUID so every UUID parser accepts it. The
-- same failing resource is the same finding in every run.
create function private.analysis_finding_id(
  p_org_id uuid, p_instance_id uuid, p_check_id text, p_resource_key text
) returns uuid
language sql immutable parallel safe
as $$
  select overlay(overlay(
      md5(p_org_id::text || '|' || p_instance_id::text || '|' || p_check_id || '|' || p_resource_key)
      placing '3' from 13 for 1)
    placing substr('89ab', (get_byte(decode(
      md5(p_org_id::text || '|' || p_instance_id::text || '|' || p_check_id || '|' || p_resource_key),
      'hex'), 8) & 3) + 1, 1) from 17 for 1)::uuid
$$;
comment on function private.analysis_finding_id(uuid, uuid, text, text) is
  'Deterministic finding id: MD5 of org|instance|check|resource key as a version-3-shaped UUID';
grant execute on function private.analysis_finding_id(uuid, uuid, text, text) to authenticated, service_role;

-- sn_datetime raised "date/time field value out of range" on a value shaped like
-- a datetime but impossible (2026-02-30, 2026-13-01, 0000-01-01): one bad record
-- failed the whole statement reading it (a typed view, an evaluator). It now
-- returns NULL for those, like for any other malformed value, and stays
-- inlinable (immutable built-ins only, no SET clause).

create or replace function public.sn_datetime(value text) returns timestamptz
language sql immutable parallel safe
as $$
  select case
    when value ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$'
      then case
        when substr(value, 1, 4)::int >= 1
          and substr(value, 9, 2)::int <= extract(day from (
            make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, 1)
              + interval '1 month' - interval '1 day'))
        then make_timestamp(
          substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int,
          coalesce(nullif(substr(value, 12, 2), '')::int, 0),
          coalesce(nullif(substr(value, 15, 2), '')::int, 0),
          coalesce(nullif(substr(value, 18, 2), '')::double precision, 0)
        ) at time zone 'UTC'
      end
  end
$$;
comment on function public.sn_datetime(text) is
  'ServiceNow glide_date_time/glide_date string (UTC) to timestamptz; NULL when empty, malformed or impossible';

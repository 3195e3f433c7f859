-- What /metrics reports about the task queue: jobs not finished by status and
-- the age of the oldest one still waiting. Read at every scrape, so it walks a
-- partial index of unfinished jobs, never the whole history.
create index jobs_unfinished_idx on public.jobs (status, created_at)
  where status in ('queued', 'running');

create function public.task_queue_reading()
returns table (queued bigint, running bigint, oldest_queued_seconds double precision)
language sql
stable
set search_path = ''
as $$
  select
    count(*) filter (where j.status = 'queued'),
    count(*) filter (where j.status = 'running'),
    coalesce(extract(epoch from now() - min(j.created_at) filter (where j.status = 'queued')), 0)::float8
  from public.jobs j
  where j.status in ('queued', 'running');
$$;
comment on function public.task_queue_reading() is
  'Unfinished jobs by status and the oldest queued job''s age, for the metrics endpoint';
revoke all on function public.task_queue_reading() from public;
grant execute on function public.task_queue_reading() to service_role;

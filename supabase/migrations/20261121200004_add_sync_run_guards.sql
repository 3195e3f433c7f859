-- One sync at a time per instance: a second "sync now" while one is queued or
-- running is refused by the database, whichever path it comes from. A run whose
-- job ended without finishing it (retries exhausted, cancelled) is closed by the
-- next start, which looks at the job's status.

create unique index sync_runs_one_active_idx on public.sync_runs (instance_id)
  where status in ('queued', 'running');

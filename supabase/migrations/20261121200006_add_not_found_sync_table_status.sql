-- A table the checks read may not exist on an instance (a plugin that is not
-- installed). The sync reports it as `not_found`, apart from `not_readable`
-- (the integration user is denied) and `failed` (an error while reading it).

alter table public.sync_table_results drop constraint sync_table_results_status_check;
alter table public.sync_table_results add constraint sync_table_results_status_check
  check (status in ('pending', 'running', 'succeeded', 'not_readable', 'not_found', 'failed'));

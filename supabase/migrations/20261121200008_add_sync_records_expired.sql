-- Records dropped from the copy because they fell out of their table's window
-- (audit and log tables keep only their last N days, servicenow.md §6) are part
-- of what a sync did: the history shows them per run and per table, next to
-- fetched, written and deleted.
alter table public.sync_runs add column records_expired bigint not null default 0;
alter table public.sync_table_results add column records_expired bigint not null default 0;

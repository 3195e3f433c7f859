-- A widget with a live embed (not revoked, not expired) cannot be deleted: the
-- embed is an admin's promise to a page outside the app, and an analyst may
-- delete widgets. An admin revokes the embeds first; revoked and expired ones
-- go with the widget (their tokens then answer 404). A trigger, so every path
-- is covered, whoever asks. Deleting the organization cascades regardless.
create function private.widgets_refuse_embedded_delete() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  live int;
begin
  -- Nested: a cascade from the organization being deleted takes everything.
  if pg_trigger_depth() > 1 then
    return old;
  end if;
  select count(*) into live from public.widget_embeds e
  where e.widget_id = old.id and e.revoked_at is null
    and (e.expires_at is null or e.expires_at > now());
  if live > 0 then
    raise exception '%', format(
        'This widget has %s live embed%s. Revoke %s first, then delete the widget.',
        live, case when live = 1 then '' else 's' end,
        case when live = 1 then 'it' else 'them' end)
      using errcode = 'CQ409', hint = 'widget_embedded',
        detail = json_build_object('live_embeds', live)::text;
  end if;
  return old;
end
$$;
revoke all on function private.widgets_refuse_embedded_delete() from public;

create trigger widgets_refuse_embedded_delete before delete on public.widgets
  for each row execute function private.widgets_refuse_embedded_delete();

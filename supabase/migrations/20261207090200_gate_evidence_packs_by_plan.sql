-- Plan features are enforced where the action happens: an evidence pack (the
-- signed audit archive) is generated only on plans that include it. A trigger,
-- so every path that queues an export (the API, a schedule) is covered.
create function private.require_plan_feature(p_org_id uuid, p_feature text)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  p public.plans;
  included boolean;
  better public.org_plan;
begin
  select pl.* into p from public.organizations o join public.plans pl on pl.plan = o.plan
  where o.id = p_org_id;
  if p.plan is null then return; end if;
  included := case p_feature
    when 'evidence_packs' then p.feature_evidence_packs
    when 'embeds' then p.feature_embeds
    when 'sso' then p.feature_sso
  end;
  if included is null then
    raise exception 'Unknown plan feature %', p_feature using errcode = '22023';
  end if;
  if included then return; end if;
  select q.plan into better from public.plans q
  where q.rank > p.rank
    and case p_feature
          when 'evidence_packs' then q.feature_evidence_packs
          when 'embeds' then q.feature_embeds
          else q.feature_sso end
  order by q.rank limit 1;
  raise exception '%', format('Your %s plan does not include %s. %s', p.display_name,
      replace(p_feature, '_', ' '),
      case when better is null then '' else format('Upgrade to %s to use them.', initcap(better::text)) end)
    using errcode = 'CQ402', hint = 'feature_not_in_plan',
      detail = json_build_object('feature', p_feature, 'plan', p.plan, 'upgrade_to', better)::text;
end
$$;
revoke all on function private.require_plan_feature(uuid, text) from public;
grant execute on function private.require_plan_feature(uuid, text) to authenticated, service_role, ciq_engine;

create function private.gate_evidence_pack() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.format = 'pack' then
    perform private.require_plan_feature(new.org_id, 'evidence_packs');
  end if;
  return new;
end
$$;
create trigger report_exports_gate_evidence_pack before insert on public.report_exports
  for each row execute function private.gate_evidence_pack();

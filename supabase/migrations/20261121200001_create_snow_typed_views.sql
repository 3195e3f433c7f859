-- Typed views over snow_records for the tables the built-in checks read.
--
-- One view per ServiceNow table, named snow_<table>, exposing each field the
-- sync requests (shared/servicenow/sync/tables.ts) with ServiceNow's string
-- encodings cast: booleans with sn_bool, integers with sn_int, date-times and
-- dates (UTC) with sn_datetime. References are sys_id strings. Field names are
-- ServiceNow's own, so "user" and "group" must be quoted in SQL.
--
-- security_invoker: the caller's RLS on snow_records applies through the view.

create view public.snow_sys_user with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'user_name' as user_name,
  r.data ->> 'first_name' as first_name,
  r.data ->> 'last_name' as last_name,
  r.data ->> 'name' as name,
  r.data ->> 'email' as email,
  public.sn_bool(r.data ->> 'active') as active,
  public.sn_bool(r.data ->> 'locked_out') as locked_out,
  public.sn_int(r.data ->> 'failed_attempts') as failed_attempts,
  public.sn_datetime(r.data ->> 'last_login') as last_login,
  public.sn_datetime(r.data ->> 'last_login_time') as last_login_time,
  public.sn_bool(r.data ->> 'password_needs_reset') as password_needs_reset,
  public.sn_bool(r.data ->> 'web_service_access_only') as web_service_access_only,
  public.sn_bool(r.data ->> 'internal_integration_user') as internal_integration_user,
  public.sn_bool(r.data ->> 'enable_multifactor_authn') as enable_multifactor_authn,
  r.data ->> 'source' as source,
  r.data ->> 'sso_source' as sso_source,
  r.data ->> 'manager' as manager,
  r.data ->> 'department' as department,
  r.data ->> 'company' as company,
  r.data ->> 'employee_number' as employee_number,
  r.data ->> 'title' as title,
  public.sn_bool(r.data ->> 'vip') as vip,
  r.data ->> 'roles' as roles,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_user';
comment on view public.snow_sys_user is 'Synced ServiceNow sys_user records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_user_role with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'description' as description,
  public.sn_bool(r.data ->> 'elevated_privilege') as elevated_privilege,
  r.data ->> 'assignable_by' as assignable_by,
  public.sn_bool(r.data ->> 'can_delegate') as can_delegate,
  public.sn_bool(r.data ->> 'grantable') as grantable,
  public.sn_bool(r.data ->> 'scoped_admin') as scoped_admin,
  r.data ->> 'includes_roles' as includes_roles,
  r.data ->> 'suffix' as suffix,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_user_role';
comment on view public.snow_sys_user_role is 'Synced ServiceNow sys_user_role records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_user_role_contains with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'role' as role,
  r.data ->> 'contains' as contains,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_user_role_contains';
comment on view public.snow_sys_user_role_contains is 'Synced ServiceNow sys_user_role_contains records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_user_has_role with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'user' as "user",
  r.data ->> 'role' as role,
  public.sn_bool(r.data ->> 'inherited') as inherited,
  r.data ->> 'granted_by' as granted_by,
  r.data ->> 'included_in_role' as included_in_role,
  public.sn_int(r.data ->> 'inh_count') as inh_count,
  r.data ->> 'state' as state,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_user_has_role';
comment on view public.snow_sys_user_has_role is 'Synced ServiceNow sys_user_has_role records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_user_group with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  public.sn_bool(r.data ->> 'active') as active,
  r.data ->> 'manager' as manager,
  r.data ->> 'parent' as parent,
  r.data ->> 'type' as type,
  r.data ->> 'roles' as roles,
  r.data ->> 'email' as email,
  r.data ->> 'description' as description,
  r.data ->> 'source' as source,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_user_group';
comment on view public.snow_sys_user_group is 'Synced ServiceNow sys_user_group records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_user_grmember with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'user' as "user",
  r.data ->> 'group' as "group",
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_user_grmember';
comment on view public.snow_sys_user_grmember is 'Synced ServiceNow sys_user_grmember records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_group_has_role with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'group' as "group",
  r.data ->> 'role' as role,
  public.sn_bool(r.data ->> 'inherits') as inherits,
  r.data ->> 'granted_by' as granted_by,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_group_has_role';
comment on view public.snow_sys_group_has_role is 'Synced ServiceNow sys_group_has_role records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_security_acl with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'type' as type,
  r.data ->> 'operation' as operation,
  r.data ->> 'decision_type' as decision_type,
  public.sn_bool(r.data ->> 'active') as active,
  public.sn_bool(r.data ->> 'admin_overrides') as admin_overrides,
  public.sn_bool(r.data ->> 'advanced') as advanced,
  r.data ->> 'script' as script,
  r.data ->> 'condition' as condition,
  r.data ->> 'description' as description,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_security_acl';
comment on view public.snow_sys_security_acl is 'Synced ServiceNow sys_security_acl records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_security_acl_role with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'sys_security_acl' as sys_security_acl,
  r.data ->> 'sys_user_role' as sys_user_role,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_security_acl_role';
comment on view public.snow_sys_security_acl_role is 'Synced ServiceNow sys_security_acl_role records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_properties with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'value' as value,
  r.data ->> 'type' as type,
  r.data ->> 'description' as description,
  public.sn_bool(r.data ->> 'is_private') as is_private,
  r.data ->> 'read_roles' as read_roles,
  r.data ->> 'write_roles' as write_roles,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_properties';
comment on view public.snow_sys_properties is 'Synced ServiceNow sys_properties records with typed columns (RLS of snow_records applies)';

create view public.snow_v_plugin with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'id' as id,
  r.data ->> 'name' as name,
  r.data ->> 'active' as active,
  r.data ->> 'version' as version,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'v_plugin';
comment on view public.snow_v_plugin is 'Synced ServiceNow v_plugin records with typed columns (RLS of snow_records applies)';

create view public.snow_change_request with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'number' as number,
  r.data ->> 'short_description' as short_description,
  r.data ->> 'type' as type,
  public.sn_int(r.data ->> 'state') as state,
  r.data ->> 'approval' as approval,
  public.sn_bool(r.data ->> 'active') as active,
  r.data ->> 'requested_by' as requested_by,
  r.data ->> 'opened_by' as opened_by,
  public.sn_datetime(r.data ->> 'opened_at') as opened_at,
  r.data ->> 'assigned_to' as assigned_to,
  r.data ->> 'assignment_group' as assignment_group,
  public.sn_datetime(r.data ->> 'start_date') as start_date,
  public.sn_datetime(r.data ->> 'end_date') as end_date,
  public.sn_datetime(r.data ->> 'work_start') as work_start,
  public.sn_datetime(r.data ->> 'work_end') as work_end,
  public.sn_datetime(r.data ->> 'closed_at') as closed_at,
  r.data ->> 'close_code' as close_code,
  r.data ->> 'close_notes' as close_notes,
  r.data ->> 'implementation_plan' as implementation_plan,
  r.data ->> 'backout_plan' as backout_plan,
  r.data ->> 'test_plan' as test_plan,
  public.sn_int(r.data ->> 'risk') as risk,
  public.sn_int(r.data ->> 'impact') as impact,
  public.sn_int(r.data ->> 'priority') as priority,
  public.sn_bool(r.data ->> 'cab_required') as cab_required,
  public.sn_datetime(r.data ->> 'cab_date_time') as cab_date_time,
  public.sn_bool(r.data ->> 'unauthorized') as unauthorized,
  public.sn_bool(r.data ->> 'outside_maintenance_schedule') as outside_maintenance_schedule,
  public.sn_bool(r.data ->> 'production_system') as production_system,
  r.data ->> 'chg_model' as chg_model,
  r.data ->> 'std_change_producer_version' as std_change_producer_version,
  r.data ->> 'conflict_status' as conflict_status,
  public.sn_int(r.data ->> 'review_status') as review_status,
  r.data ->> 'review_comments' as review_comments,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'change_request';
comment on view public.snow_change_request is 'Synced ServiceNow change_request records with typed columns (RLS of snow_records applies)';

create view public.snow_change_task with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'number' as number,
  r.data ->> 'change_request' as change_request,
  public.sn_int(r.data ->> 'state') as state,
  r.data ->> 'assigned_to' as assigned_to,
  r.data ->> 'assignment_group' as assignment_group,
  public.sn_datetime(r.data ->> 'work_start') as work_start,
  public.sn_datetime(r.data ->> 'work_end') as work_end,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'change_task';
comment on view public.snow_change_task is 'Synced ServiceNow change_task records with typed columns (RLS of snow_records applies)';

create view public.snow_sysapproval_approver with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'approver' as approver,
  r.data ->> 'state' as state,
  r.data ->> 'sysapproval' as sysapproval,
  r.data ->> 'document_id' as document_id,
  r.data ->> 'source_table' as source_table,
  r.data ->> 'group' as "group",
  public.sn_datetime(r.data ->> 'due_date') as due_date,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sysapproval_approver';
comment on view public.snow_sysapproval_approver is 'Synced ServiceNow sysapproval_approver records with typed columns (RLS of snow_records applies)';

create view public.snow_incident with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'number' as number,
  r.data ->> 'short_description' as short_description,
  public.sn_int(r.data ->> 'state') as state,
  public.sn_bool(r.data ->> 'active') as active,
  public.sn_int(r.data ->> 'priority') as priority,
  public.sn_int(r.data ->> 'impact') as impact,
  public.sn_int(r.data ->> 'urgency') as urgency,
  public.sn_int(r.data ->> 'severity') as severity,
  r.data ->> 'caller_id' as caller_id,
  r.data ->> 'opened_by' as opened_by,
  public.sn_datetime(r.data ->> 'opened_at') as opened_at,
  r.data ->> 'assigned_to' as assigned_to,
  r.data ->> 'assignment_group' as assignment_group,
  public.sn_datetime(r.data ->> 'resolved_at') as resolved_at,
  r.data ->> 'resolved_by' as resolved_by,
  public.sn_datetime(r.data ->> 'closed_at') as closed_at,
  r.data ->> 'close_code' as close_code,
  public.sn_int(r.data ->> 'reopen_count') as reopen_count,
  r.data ->> 'problem_id' as problem_id,
  r.data ->> 'rfc' as rfc,
  r.data ->> 'caused_by' as caused_by,
  public.sn_bool(r.data ->> 'made_sla') as made_sla,
  r.data ->> 'category' as category,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'incident';
comment on view public.snow_incident is 'Synced ServiceNow incident records with typed columns (RLS of snow_records applies)';

create view public.snow_task_sla with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'task' as task,
  r.data ->> 'sla' as sla,
  r.data ->> 'stage' as stage,
  public.sn_bool(r.data ->> 'has_breached') as has_breached,
  public.sn_bool(r.data ->> 'active') as active,
  public.sn_datetime(r.data ->> 'start_time') as start_time,
  public.sn_datetime(r.data ->> 'end_time') as end_time,
  public.sn_datetime(r.data ->> 'planned_end_time') as planned_end_time,
  r.data ->> 'percentage' as percentage,
  r.data ->> 'business_percentage' as business_percentage,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'task_sla';
comment on view public.snow_task_sla is 'Synced ServiceNow task_sla records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_audit with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'tablename' as tablename,
  r.data ->> 'fieldname' as fieldname,
  r.data ->> 'documentkey' as documentkey,
  r.data ->> 'oldvalue' as oldvalue,
  r.data ->> 'newvalue' as newvalue,
  r.data ->> 'user' as "user",
  r.data ->> 'reason' as reason,
  public.sn_int(r.data ->> 'record_checkpoint') as record_checkpoint,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_audit';
comment on view public.snow_sys_audit is 'Synced ServiceNow sys_audit records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_update_set with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'description' as description,
  r.data ->> 'state' as state,
  r.data ->> 'application' as application,
  public.sn_datetime(r.data ->> 'release_date') as release_date,
  r.data ->> 'installed_from' as installed_from,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_update_set';
comment on view public.snow_sys_update_set is 'Synced ServiceNow sys_update_set records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_ws_operation with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'web_service_definition' as web_service_definition,
  r.data ->> 'http_method' as http_method,
  r.data ->> 'relative_path' as relative_path,
  public.sn_bool(r.data ->> 'active') as active,
  public.sn_bool(r.data ->> 'requires_authentication') as requires_authentication,
  public.sn_bool(r.data ->> 'requires_acl_authorization') as requires_acl_authorization,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_ws_operation';
comment on view public.snow_sys_ws_operation is 'Synced ServiceNow sys_ws_operation records with typed columns (RLS of snow_records applies)';

create view public.snow_oauth_entity with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'client_id' as client_id,
  public.sn_bool(r.data ->> 'active') as active,
  r.data ->> 'type' as type,
  public.sn_int(r.data ->> 'access_token_lifespan') as access_token_lifespan,
  public.sn_int(r.data ->> 'refresh_token_lifespan') as refresh_token_lifespan,
  r.data ->> 'default_grant_type' as default_grant_type,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'oauth_entity';
comment on view public.snow_oauth_entity is 'Synced ServiceNow oauth_entity records with typed columns (RLS of snow_records applies)';

create view public.snow_sys_certificate with (security_invoker = true) as
select
  r.org_id,
  r.instance_id,
  r.sys_id,
  r.data ->> 'name' as name,
  r.data ->> 'type' as type,
  public.sn_datetime(r.data ->> 'expires') as expires,
  public.sn_bool(r.data ->> 'active') as active,
  public.sn_datetime(r.data ->> 'sys_created_on') as sys_created_on,
  r.data ->> 'sys_created_by' as sys_created_by,
  r.sys_updated_on,
  r.data ->> 'sys_updated_by' as sys_updated_by,
  r.synced_at
from public.snow_records r
where r.table_name = 'sys_certificate';
comment on view public.snow_sys_certificate is 'Synced ServiceNow sys_certificate records with typed columns (RLS of snow_records applies)';

revoke all on public.snow_sys_user,
  public.snow_sys_user_role,
  public.snow_sys_user_role_contains,
  public.snow_sys_user_has_role,
  public.snow_sys_user_group,
  public.snow_sys_user_grmember,
  public.snow_sys_group_has_role,
  public.snow_sys_security_acl,
  public.snow_sys_security_acl_role,
  public.snow_sys_properties,
  public.snow_v_plugin,
  public.snow_change_request,
  public.snow_change_task,
  public.snow_sysapproval_approver,
  public.snow_incident,
  public.snow_task_sla,
  public.snow_sys_audit,
  public.snow_sys_update_set,
  public.snow_sys_ws_operation,
  public.snow_oauth_entity,
  public.snow_sys_certificate
  from anon;
grant select on public.snow_sys_user,
  public.snow_sys_user_role,
  public.snow_sys_user_role_contains,
  public.snow_sys_user_has_role,
  public.snow_sys_user_group,
  public.snow_sys_user_grmember,
  public.snow_sys_group_has_role,
  public.snow_sys_security_acl,
  public.snow_sys_security_acl_role,
  public.snow_sys_properties,
  public.snow_v_plugin,
  public.snow_change_request,
  public.snow_change_task,
  public.snow_sysapproval_approver,
  public.snow_incident,
  public.snow_task_sla,
  public.snow_sys_audit,
  public.snow_sys_update_set,
  public.snow_sys_ws_operation,
  public.snow_oauth_entity,
  public.snow_sys_certificate
  to authenticated, service_role;

/**
 * SQL fragments the behavioural evaluators share. They are constants built from
 * table and field names in this catalog, never from runtime values: every value
 * reaches Postgres as `$1` (instance id), `$2` (parameters) or `$3` (time).
 *
 * @module
 */

/** The evaluation time, truncated to whole seconds like ServiceNow datetimes. */
export const NOW = "date_trunc('second', $3::timestamptz)";

/** `n` days before {@link NOW}; exact seconds, so daylight saving never shifts it. */
export function daysBefore(days: string): string {
  return `(${NOW} - make_interval(secs => (${days}) * 86400))`;
}

/** `n` days after {@link NOW}. */
export function daysAfter(days: string): string {
  return `(${NOW} + make_interval(secs => (${days}) * 86400))`;
}

/** An integer parameter. */
export function intParam(name: string): string {
  return `(($2::jsonb ->> '${name}')::numeric)`;
}

/** A text parameter. */
export function textParam(name: string): string {
  return `($2::jsonb ->> '${name}')`;
}

/** The items of a string-list parameter, as a subquery. */
export function listParam(name: string): string {
  return `(select jsonb_array_elements_text($2::jsonb -> '${name}'))`;
}

/** The records of one table of the instance, as a subquery with `sys_id` and `data`. */
export function records(table: string): string {
  return `(select r.sys_id, r.data from public.snow_records r
    where r.instance_id = $1::uuid and r.table_name = '${table}')`;
}

/**
 * A field as text; NULL when the record does not carry the field (absent is not
 * empty: `f(…) = ''` and `f(…) <> ''` are both not true for a missing key, so a
 * missing field never makes a record fail).
 */
export function f(alias: string, field: string): string {
  return `(${alias}.data ->> '${field}')`;
}

/** The record carries the field (any value, "" included): absent is not empty. */
export function hasField(alias: string, field: string): string {
  return `(${alias}.data ? '${field}')`;
}

/** A boolean field is "true" (any case). */
export function isTrue(alias: string, field: string): string {
  return `public.sn_bool(${alias}.data ->> '${field}') is true`;
}

/** A boolean field is "false" (exactly; empty is neither). */
export function isFalse(alias: string, field: string): string {
  return `public.sn_bool(${alias}.data ->> '${field}') is false`;
}

/**
 * A text field is present and empty after trimming whitespace (a missing key is
 * not blank): no character that is not whitespace. The match stops at the first
 * such character, where trimming would rewrite the whole value.
 */
export function isBlank(alias: string, field: string): string {
  return `coalesce(${alias}.data ->> '${field}' !~ '[^[:space:]]', false)`;
}

/**
 * A name as ServiceNow compares names: trimmed and lower-cased (user names,
 * choice values and page names come back in whatever case they were typed).
 */
export function lowerName(expr: string): string {
  return `lower(btrim(${expr}))`;
}

/**
 * A public page name, normalised: `/Login.do`, `login.do ` and `login` are the
 * same page (lower case, no leading slash, no `.do` suffix).
 */
export function pageName(expr: string): string {
  return `regexp_replace(lower(btrim(${expr})), '^/+|\\.do$', '', 'g')`;
}

/** A text field truncated for evidence. */
export function snippet(alias: string, field: string, length = 200): string {
  return `left(${alias}.data ->> '${field}', ${length})`;
}

/**
 * `held(user_id, role_name)`: the roles each existing user holds through an
 * active `sys_user_has_role` grant of an existing, named role (direct or inherited).
 *
 * Pass `roles` (an SQL list such as `listParam("roles")`) whenever the check only
 * looks at some roles: the roles are found first, then only their assignments
 * (through the `role_ref` index) instead of every assignment of the instance
 * (840k assignments: tens of milliseconds against 1–3 s). The lookup is
 * `= any (array(…))` on a plain column: under row-level security a `->>` key is
 * never an index condition, and the engine plans without nested loops. `users`
 * restricts the users (a condition on alias `u`); without `roles`, the users are
 * then found first and only their assignments read (`user_ref`).
 */
export function heldRoles(filter: { roles?: string; users?: string } = {}): string {
  if (filter.users && !filter.roles) return heldRolesOfUsers(filter.users);
  const users = filter.users ? `\n      and ${filter.users}` : "";
  if (!filter.roles) {
    return `held as (
  select distinct h.data ->> 'user' as user_id, ro.role_name
  from (${NAMED_ROLES}) ro
  join public.snow_records h
    on h.instance_id = $1::uuid and h.table_name = 'sys_user_has_role' and h.data ->> 'role' = ro.sys_id
  join public.snow_records u
    on u.instance_id = $1::uuid and u.table_name = 'sys_user' and u.sys_id = h.data ->> 'user'
  where h.data ->> 'state' = 'active'
)`;
  }
  return `held_role as materialized (
  ${NAMED_ROLES}
    and r.data ->> 'name' in ${filter.roles}
),
held_grant as materialized (
  select h.data ->> 'user' as user_id, ro.role_name
  from public.snow_records h
  join held_role ro on ro.sys_id = h.data ->> 'role'
  where h.instance_id = $1::uuid and h.table_name = 'sys_user_has_role'
    and h.role_ref = any (array(select sys_id from held_role))
    and h.data ->> 'state' = 'active'
),
held as (
  select distinct g.user_id, g.role_name
  from held_grant g
  join public.snow_records u
    on u.instance_id = $1::uuid and u.table_name = 'sys_user' and u.sys_id = g.user_id${users}
)`;
}

/** The existing roles with a name, as `sys_id`, `role_name` (alias `r`). */
export const NAMED_ROLES =
  `select r.sys_id, r.data ->> 'name' as role_name from public.snow_records r
  where r.instance_id = $1::uuid and r.table_name = 'sys_user_role'
    and coalesce(r.data ->> 'name', '') <> ''`;

/** {@link heldRoles} for a few users: the users first, then their assignments (`user_ref`). */
function heldRolesOfUsers(users: string): string {
  return `held_user as materialized (
  select u.sys_id from public.snow_records u
  where u.instance_id = $1::uuid and u.table_name = 'sys_user' and ${users}
),
held as (
  select distinct h.data ->> 'user' as user_id, ro.role_name
  from public.snow_records h
  join (${NAMED_ROLES}) ro on ro.sys_id = h.data ->> 'role'
  where h.instance_id = $1::uuid and h.table_name = 'sys_user_has_role'
    and h.user_ref = any (array(select sys_id from held_user))
    and h.data ->> 'state' = 'active'
)`;
}

/** Fields {@link heldRoles} reads. */
export const HELD_ROLES_TABLES = {
  sys_user_has_role: ["user", "role", "state"],
  sys_user_role: ["name"],
} as const;

/** `acl_roles(acl_id, role_names text[])`: the role names each ACL requires ('' for unknown roles). */
export const ACL_ROLES = `acl_roles as (
  select ar.data ->> 'sys_security_acl' as acl_id,
         array_agg(coalesce(ro.data ->> 'name', '') order by coalesce(ro.data ->> 'name', '')) as role_names
  from public.snow_records ar
  left join public.snow_records ro
    on ro.instance_id = ar.instance_id and ro.table_name = 'sys_user_role' and ro.sys_id = ar.data ->> 'sys_user_role'
  where ar.instance_id = $1::uuid and ar.table_name = 'sys_security_acl_role'
  group by ar.data ->> 'sys_security_acl'
)`;

/** Fields {@link ACL_ROLES} reads. */
export const ACL_ROLES_TABLES = {
  sys_security_acl_role: ["sys_security_acl", "sys_user_role"],
  sys_user_role: ["name"],
} as const;

/**
 * An ACL (alias `a`, joined to `acl_roles` as `ar`) is empty: no real role,
 * condition or script. A role link that does not say its ACL (field absent on
 * that record) could belong to any ACL, so then no ACL is called role-less.
 */
export const ACL_IS_EMPTY = `(
  (ar.role_names is null or ar.role_names <@ array['public'])
  and ${isBlank("a", "condition")} and ${isBlank("a", "script")}
  and not exists (select 1 from public.snow_records x
    where x.instance_id = $1::uuid and x.table_name = 'sys_security_acl_role'
      and not (x.data ? 'sys_security_acl'))
)`;

/**
 * The record's field satisfies `condition`, or the record does not carry the
 * field (absent is not empty: a record that might match is counted as matching
 * wherever matching is what keeps other records from failing).
 */
export function unlessAbsent(alias: string, field: string, condition: string): string {
  return `(not ${hasField(alias, field)} or ${condition})`;
}

/** The property record with this name (first by sys_id), as a subquery with `sys_id`, `value`. */
export function propertyRecord(name: string): string {
  return `(select p.sys_id, coalesce(p.data ->> 'value', '') as value from public.snow_records p
    where p.instance_id = $1::uuid and p.table_name = 'sys_properties' and p.data ->> 'name' = '${name}'
    order by p.sys_id limit 1)`;
}

/** The trimmed, non-empty entries of a comma list. */
export function commaList(expr: string): string {
  const t = "regexp_replace(e, '^[[:space:]]+|[[:space:]]+$', '', 'g')";
  return `(select ${t} from unnest(string_to_array(${expr}, ',')) as e where ${t} <> '')`;
}

/**
 * Fields that mark service and integration accounts: no interactive login
 * (`web_service_access_only`) or flagged as an integration (`internal_integration_user`).
 */
export const SERVICE_ACCOUNT_FIELDS = ["web_service_access_only", "internal_integration_user"];

/** The user (alias) is a service or integration account. */
export function isServiceAccount(alias: string): string {
  return `(${isTrue(alias, "web_service_access_only")} or ${
    isTrue(alias, "internal_integration_user")
  })`;
}

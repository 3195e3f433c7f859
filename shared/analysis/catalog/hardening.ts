/**
 * Hardening settings (docs/servicenow/hardening.md, data in hardening_settings.json):
 * the pure TypeScript reference of the compliance rule, the Security Center score,
 * and the one set-based SQL statement that judges every setting at once.
 *
 * Effective value of a property item: the sys_properties record's `value` when the
 * record exists, else the documented fallback, else the documented default (the
 * platform default applies: "default used"). A property absent from the instance
 * whose default is unknown decides nothing: the setting is NOT_EVALUATED
 * ("property not set and platform default unknown") unless another item fails.
 * A setting complies when every one of its items does.
 *
 * @module
 */

import { z } from "zod";
import data from "./hardening_settings.json" with { type: "json" };
import type { HardeningItem, HardeningRule, HardeningSetting } from "./types.ts";

const ruleSchema: z.ZodType<HardeningRule> = z.discriminatedUnion("op", [
  z.object({ op: z.literal("eq"), value: z.string() }),
  z.object({ op: z.literal("one_of"), values: z.array(z.string()).min(1) }),
  z.object({ op: z.literal("max"), value: z.number() }),
  z.object({ op: z.literal("min"), value: z.number() }),
  z.object({ op: z.literal("range"), min: z.number(), max: z.number() }),
  z.object({ op: z.literal("blank") }),
  z.object({ op: z.literal("not_blank") }),
  z.object({ op: z.literal("contains_all"), values: z.array(z.string()).min(1) }),
  z.object({ op: z.literal("subset_of"), values: z.array(z.string()).min(1) }),
  z.object({ op: z.literal("excludes_all"), values: z.array(z.string()).min(1) }),
]);

const itemSchema: z.ZodType<HardeningItem> = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("property"),
    name: z.string().min(1),
    rule: ruleSchema,
    default: z.string().nullable(),
    fallback: z.string().nullable(),
  }),
  z.object({ kind: z.literal("property_pattern"), like: z.string().min(1), rule: ruleSchema }),
  z.object({ kind: z.literal("plugin"), id: z.string().min(1) }),
  z.object({
    kind: z.literal("script_action"),
    anyOf: z.array(z.string().regex(/^[0-9a-f]{32}$/)).min(1),
  }),
  z.object({
    kind: z.literal("record"),
    table: z.string().regex(/^[a-z0-9_]+$/),
    sysId: z.string().regex(/^[0-9a-f]{32}$/),
    expect: z.enum(["active", "absent_or_inactive"]),
  }),
  z.object({
    kind: z.literal("record_count"),
    table: z.string().regex(/^[a-z0-9_]+$/),
    activeOnly: z.boolean(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  }),
  z.object({ kind: z.literal("manual"), reason: z.string().min(1) }),
]);

const settingSchema: z.ZodType<HardeningSetting> = z.object({
  checkId: z.string().regex(/^hardening_[a-z0-9_]+$/),
  key: z.string().min(1),
  source: z.enum(["security_center", "curated", "legacy"]),
  plugin: z.object({
    ids: z.array(z.string().min(1)).min(1),
    name: z.string().min(1),
    confirmed: z.boolean(),
    basis: z.string().min(1),
  }).optional(),
  row: z.number().int().nullable(),
  title: z.string().min(1),
  category: z.string().min(1),
  risk: z.number().min(0).max(10).nullable(),
  riskEstimate: z.number().min(0).max(10).optional(),
  recommended: z.string(),
  docStatus: z.string().optional(),
  note: z.string().optional(),
  riskText: z.string().optional(),
  scan: z.string().optional(),
  items: z.array(itemSchema).min(1),
});

/** A setting Security Center's list (docs/servicenow/hardening.md#legacy) has the catalog leaves out, and why. */
export interface SkippedHardeningSetting {
  readonly row: number;
  readonly configuration: string;
  readonly reason: string;
  /** The values the documentation gave while Security Center listed it. */
  readonly title?: string;
  readonly category?: string;
  readonly risk?: number | null;
  readonly recommended?: string;
  /** Base-system value; null when the property record does not exist. */
  readonly default?: string | null;
  /** Value the platform uses when the record is absent; null when none is documented. */
  readonly fallback?: string | null;
}

const parsed = z.object({
  source: z.string(),
  skipped: z.array(z.object({
    row: z.number(),
    configuration: z.string(),
    reason: z.string(),
    title: z.string().optional(),
    category: z.string().optional(),
    risk: z.number().nullable().optional(),
    recommended: z.string().optional(),
    default: z.string().nullable().optional(),
    fallback: z.string().nullable().optional(),
  })),
  settings: z.array(settingSchema),
}).parse(data);

/** Every hardening setting of the catalog, in Security Center's list order (docs/servicenow/hardening.md; curated extras last). */
export const HARDENING_SETTINGS: readonly HardeningSetting[] = parsed.settings;

/** Settings left out because the docs mark them removed from Security Center (docs/servicenow/hardening.md#legacy). */
export const SKIPPED_HARDENING_SETTINGS: readonly SkippedHardeningSetting[] = parsed.skipped;

/** The 14 Security Center categories (docs/servicenow/hardening.md#model). */
export const HARDENING_CATEGORIES = [
  "Access control",
  "API and web service",
  "Architecture, design, and threat modeling",
  "Authentication",
  "Business Logic",
  "Communications",
  "Configuration",
  "Data protection",
  "Error handling and logging",
  "File and resources",
  "Malicious code",
  "Session management",
  "Stored cryptography",
  "Validation, sanitization, and encoding",
] as const;

// ---------------------------------------------------------------------------
// Reference implementation (TypeScript). The SQL below implements the same rule;
// hardening_test.ts checks that both agree on generated values.
// ---------------------------------------------------------------------------

const NUMERIC = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** Trims whitespace the way the SQL does (`[[:space:]]` at both ends). */
function trimValue(value: string): string {
  return value.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, "");
}

function listOf(value: string): string[] {
  return value.split(",").map(trimValue).filter((x) => x !== "");
}

/**
 * The value in force for a property item.
 *
 * @param item the property item
 * @param recordValue the sys_properties `value`, or undefined when no record exists
 * @returns the record value, else the fallback, else the default, else null (unknown)
 */
export function effectivePropertyValue(
  item: Extract<HardeningItem, { kind: "property" }>,
  recordValue: string | undefined,
): string | null {
  if (recordValue !== undefined) return recordValue;
  return item.fallback ?? item.default;
}

/**
 * Whether an effective value satisfies a rule. An unknown (null) value never does;
 * numeric rules need a numeric value.
 *
 * @param rule the rule
 * @param effective the effective value, or null when unknown
 * @returns compliance
 * @example
 * ```ts
 * satisfiesRule({ op: "max", value: 60 }, "30"); // true
 * satisfiesRule({ op: "eq", value: "true" }, null); // false
 * ```
 */
export function satisfiesRule(rule: HardeningRule, effective: string | null): boolean {
  if (effective === null) return false;
  const v = trimValue(effective);
  switch (rule.op) {
    case "eq":
      return v === rule.value;
    case "one_of":
      return rule.values.includes(v);
    case "max":
      return NUMERIC.test(v) && Number(v) <= rule.value;
    case "min":
      return NUMERIC.test(v) && Number(v) >= rule.value;
    case "range":
      return NUMERIC.test(v) && Number(v) >= rule.min && Number(v) <= rule.max;
    case "blank":
      return v === "";
    case "not_blank":
      return v !== "";
    case "contains_all": {
      const have = new Set(listOf(effective));
      return rule.values.every((x) => have.has(x));
    }
    case "subset_of":
      return listOf(effective).every((x) => rule.values.includes(x));
    case "excludes_all":
      return rule.values.every((x) => !effective.includes(x));
  }
}

/** The synced data a hardening setting is judged on (the TypeScript reference's input). */
export interface HardeningSnapshot {
  /** Tables readable at the last sync. */
  readonly readableTables: ReadonlySet<string>;
  /** sys_properties records: name → { sysId, value }. */
  readonly properties: ReadonlyMap<string, { readonly sysId: string; readonly value: string }>;
  /** v_plugin rows: id → { sysId, active }. */
  readonly plugins: ReadonlyMap<string, { readonly sysId: string; readonly active: string }>;
  /** Other records by table, then sys_id: their `active` field ("true"/"false"/""). */
  readonly records: ReadonlyMap<string, ReadonlyMap<string, { readonly active: string }>>;
}

/** The verdict on one item of a setting. */
export interface HardeningItemVerdict {
  readonly kind: HardeningItem["kind"];
  /** Property name, plugin id, table or pattern. */
  readonly name: string;
  readonly table: string | null;
  /** Whether the table holding it was readable; unreadable items decide nothing. */
  readonly readable: boolean;
  readonly present: boolean;
  readonly sysId: string | null;
  readonly value: string | null;
  readonly effective: string | null;
  readonly compliant: boolean;
}

/** The verdict on a setting: PASS, FAIL, or null when it cannot be decided. */
export interface HardeningVerdict {
  readonly status: "PASS" | "FAIL" | null;
  readonly items: readonly HardeningItemVerdict[];
  /** The verdict rests on a platform default (a property record absent from the instance). */
  readonly defaultUsed: boolean;
  /** Why no verdict, when a property is absent and its platform default unknown. */
  readonly reason: string | null;
}

/** The table an item is read from, or null for manual items. */
export function itemTable(item: HardeningItem): string | null {
  switch (item.kind) {
    case "property":
    case "property_pattern":
      return "sys_properties";
    case "plugin":
      return "v_plugin";
    case "script_action":
      return "sysevent_script_action";
    case "record":
    case "record_count":
      return item.table;
    case "manual":
      return null;
  }
}

/** The name an item is shown under. */
export function itemName(item: HardeningItem): string {
  switch (item.kind) {
    case "property":
      return item.name;
    case "property_pattern":
      return item.like;
    case "plugin":
      return item.id;
    case "script_action":
      return item.anyOf.join(",");
    case "record":
      return `${item.table}:${item.sysId}`;
    case "record_count":
      return item.table;
    case "manual":
      return "manual review";
  }
}

function judgeItem(item: HardeningItem, snapshot: HardeningSnapshot): HardeningItemVerdict {
  const table = itemTable(item);
  const readable = table !== null && snapshot.readableTables.has(table);
  const base = { kind: item.kind, name: itemName(item), table, readable };
  const records = (t: string) => snapshot.records.get(t) ?? new Map<string, { active: string }>();
  switch (item.kind) {
    case "property": {
      const record = snapshot.properties.get(item.name);
      const effective = effectivePropertyValue(item, record?.value);
      return {
        ...base,
        present: record !== undefined,
        sysId: record?.sysId ?? null,
        value: record?.value ?? null,
        effective,
        compliant: satisfiesRule(item.rule, effective),
      };
    }
    case "property_pattern": {
      const matcher = likeToRegExp(item.like);
      const bad = [...snapshot.properties].filter(([name, r]) =>
        matcher.test(name) && !satisfiesRule(item.rule, r.value)
      )
        .map(([name]) => name).sort();
      return {
        ...base,
        present: bad.length > 0,
        sysId: null,
        value: null,
        effective: bad.join(",") || null,
        compliant: bad.length === 0,
      };
    }
    case "plugin": {
      const plugin = snapshot.plugins.get(item.id);
      const effective = plugin?.active ?? "inactive";
      return {
        ...base,
        present: plugin !== undefined,
        sysId: plugin?.sysId ?? null,
        value: plugin?.active ?? null,
        effective,
        compliant: effective === "active",
      };
    }
    case "script_action": {
      const t = records("sysevent_script_action");
      const active = item.anyOf.filter((id) => isTrue(t.get(id)?.active)).sort();
      return {
        ...base,
        present: active.length > 0,
        sysId: active[0] ?? null,
        value: active.join(",") || null,
        effective: active.join(",") || null,
        compliant: active.length > 0,
      };
    }
    case "record": {
      const r = records(item.table).get(item.sysId);
      const isActive = isTrue(r?.active);
      return {
        ...base,
        present: r !== undefined,
        sysId: r ? item.sysId : null,
        value: r?.active ?? null,
        effective: r?.active ?? null,
        compliant: item.expect === "active" ? isActive : !isActive,
      };
    }
    case "record_count": {
      const rows = [...records(item.table).values()].filter((r) =>
        !item.activeOnly || isTrue(r.active)
      );
      const n = rows.length;
      return {
        ...base,
        present: n > 0,
        sysId: null,
        value: String(n),
        effective: String(n),
        compliant: (item.min === undefined || n >= item.min) &&
          (item.max === undefined || n <= item.max),
      };
    }
    case "manual":
      return {
        ...base,
        present: false,
        sysId: null,
        value: null,
        effective: null,
        compliant: false,
      };
  }
}

/** `public.sn_bool(v) is true`: "true" in any letter case. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === "true";
}

function likeToRegExp(like: string): RegExp {
  const escaped = like.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replaceAll("%", ".*").replaceAll(
    "_",
    ".",
  );
  return new RegExp(`^${escaped}$`, "s");
}

/**
 * Judges one setting on a snapshot (the TypeScript reference of the SQL).
 * FAIL when a readable item with a known value is non-compliant; PASS when every
 * item is readable, known and compliant; null (not evaluated) otherwise.
 *
 * @param setting the setting
 * @param snapshot the synced data
 * @returns the verdict
 */
export function evaluateHardeningSetting(
  setting: HardeningSetting,
  snapshot: HardeningSnapshot,
): HardeningVerdict {
  const items = setting.items.map((item) => judgeItem(item, snapshot));
  const known = (i: HardeningItemVerdict) => i.kind !== "property" || i.effective !== null;
  const defaulted = (i: HardeningItemVerdict) =>
    i.kind === "property" && !i.present && i.effective !== null;
  const status = items.some((i) => i.readable && known(i) && !i.compliant)
    ? "FAIL"
    : items.every((i) => i.readable && known(i) && i.compliant)
    ? "PASS"
    : null;
  const defaultUsed = status === "FAIL"
    ? items.some((i) => i.readable && defaulted(i) && !i.compliant)
    : status === "PASS"
    ? items.some((i) => i.readable && defaulted(i))
    : false;
  const unknown = items.filter((i) => i.readable && !known(i)).map((i) => i.name);
  const reason = status === null && unknown.length > 0
    ? `property not set and platform default unknown: ${unknown.join(", ")}`
    : null;
  return { status, items, defaultUsed, reason };
}

/** One judged setting as the score needs it. */
export interface ScoredSetting {
  /** Security Center risk; null counts as 0. */
  readonly risk: number | null;
  readonly compliant: boolean;
}

/** The hardening compliance score and its parts. */
export interface SecurityCenterScore {
  /** 0–100, or null when no setting carries risk. */
  readonly score: number | null;
  /** Σ risk of compliant settings. */
  readonly compliantRisk: number;
  /** Σ risk of all judged settings. */
  readonly totalRisk: number;
  readonly compliant: number;
  readonly total: number;
}

/**
 * The Security Center hardening compliance score (docs/servicenow/hardening.md#score):
 * Σ risk of compliant settings ÷ Σ risk of all settings × 100, rounded up to a
 * whole number. Risks are summed in exact tenths, so a score is never pushed up by
 * floating-point noise.
 *
 * @param settings the judged settings (leave out those not evaluated)
 * @returns the score; null when the settings carry no risk at all
 * @example
 * ```ts
 * securityCenterScore([{ risk: 25.4, compliant: true }, { risk: 9.5, compliant: false }]).score; // 73
 * ```
 */
export function securityCenterScore(settings: readonly ScoredSetting[]): SecurityCenterScore {
  let compliantTenths = 0;
  let totalTenths = 0;
  let compliant = 0;
  for (const s of settings) {
    const tenths = Math.round((s.risk ?? 0) * 10);
    totalTenths += tenths;
    if (s.compliant) {
      compliantTenths += tenths;
      compliant++;
    }
  }
  return {
    score: totalTenths === 0 ? null : Math.ceil((compliantTenths * 100) / totalTenths),
    compliantRisk: compliantTenths / 10,
    totalRisk: totalTenths / 10,
    compliant,
    total: settings.length,
  };
}

// ---------------------------------------------------------------------------
// SQL: one statement for every setting. $1 instance id, $2 {"settings": [...]}
// (see hardeningParameters), $3 evaluation time (unused; kept for the contract).
// ---------------------------------------------------------------------------

/** The rule test on a text column `v` against a jsonb rule `r` (both named by the caller). */
function ruleSql(v: string, r: string): string {
  const t = `regexp_replace(${v}, '^[[:space:]]+|[[:space:]]+$', '', 'g')`;
  const num = `${t} ~ '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$'`;
  const list = `(select regexp_replace(e, '^[[:space:]]+|[[:space:]]+$', '', 'g') as e
                   from unnest(string_to_array(${v}, ',')) as e)`;
  return `coalesce(case when ${v} is null then false else case ${r} ->> 'op'
    when 'eq' then ${t} = ${r} ->> 'value'
    when 'one_of' then ${t} in (select jsonb_array_elements_text(${r} -> 'values'))
    when 'max' then case when ${num} then ${t}::numeric <= (${r} ->> 'value')::numeric else false end
    when 'min' then case when ${num} then ${t}::numeric >= (${r} ->> 'value')::numeric else false end
    when 'range' then case when ${num}
      then ${t}::numeric between (${r} ->> 'min')::numeric and (${r} ->> 'max')::numeric else false end
    when 'blank' then ${t} = ''
    when 'not_blank' then ${t} <> ''
    when 'contains_all' then not exists (
      select 1 from jsonb_array_elements_text(${r} -> 'values') as w(x)
      where w.x not in (select l.e from ${list} as l))
    when 'subset_of' then not exists (
      select 1 from ${list} as l
      where l.e <> '' and l.e not in (select jsonb_array_elements_text(${r} -> 'values')))
    when 'excludes_all' then not exists (
      select 1 from jsonb_array_elements_text(${r} -> 'values') as w(x) where strpos(${v}, w.x) > 0)
    else false end end, false)`;
}

/**
 * The one statement that judges every hardening setting passed in `$2`
 * (`{"settings": [{checkId, key, items}]}`, see {@link hardeningParameters}).
 * It reads `public.instance_tables` to know which tables were readable and
 * returns one row per setting: `check_id`, `resource_key` (the setting's key),
 * `table_name`, `sys_id`, `status` (PASS, FAIL, or NOT_EVALUATED when it cannot
 * be decided), `evidence` (`{items: [...], default_used, reason}`).
 */
export const HARDENING_EVALUATOR_SQL: string = `
with _args as (select $1::uuid as instance_id, $2::jsonb as parameters, $3::timestamptz as evaluated_at),
settings as (
  select s.value as setting, s.ord
  from jsonb_array_elements($2::jsonb -> 'settings') with ordinality as s(value, ord)
),
-- tbl and wanted_id are plain columns so that the record lookups below are index
-- conditions: under row-level security a key computed with ->> (not leakproof)
-- cannot be, and every lookup would read the whole instance.
items as (
  select st.setting ->> 'checkId' as check_id, st.setting ->> 'key' as resource_key, st.ord,
         i.ord as item_ord, i.value as item, i.value ->> 'kind' as kind,
         i.value ->> 'table' as tbl, i.value ->> 'sysId' as wanted_id
  from settings st
  cross join lateral jsonb_array_elements(st.setting -> 'items') with ordinality as i(value, ord)
),
readable_tables as (
  select t.table_name from public.instance_tables t where t.instance_id = $1::uuid and t.readable
),
properties as (
  select distinct on (r.data ->> 'name') r.data ->> 'name' as name, r.sys_id, r.data ->> 'value' as value
  from public.snow_records r
  where r.instance_id = $1::uuid and r.table_name = 'sys_properties'
  order by r.data ->> 'name', r.sys_id
),
plugins as (
  select distinct on (r.data ->> 'id') r.data ->> 'id' as id, r.sys_id, r.data ->> 'active' as active
  from public.snow_records r
  where r.instance_id = $1::uuid and r.table_name = 'v_plugin'
  order by r.data ->> 'id', r.sys_id desc
),
judged as (
  -- property: record value, else fallback, else default
  select it.check_id, it.resource_key, it.ord, it.item_ord, it.kind,
         it.item ->> 'name' as name, 'sys_properties' as tbl, p.sys_id,
         p.value, coalesce(p.value, it.item ->> 'fallback', it.item ->> 'default') as effective,
         ${
  ruleSql("coalesce(p.value, it.item ->> 'fallback', it.item ->> 'default')", "(it.item -> 'rule')")
} as compliant
  from items it left join properties p on p.name = it.item ->> 'name'
  where it.kind = 'property'
  union all
  -- property_pattern: every matching record satisfies the rule
  select it.check_id, it.resource_key, it.ord, it.item_ord, it.kind,
         it.item ->> 'like', 'sys_properties', null, null, bad.names, bad.names is null
  from items it
  cross join lateral (
    select string_agg(p.name, ',' order by p.name) as names
    from properties p
    where p.name like it.item ->> 'like' and not ${ruleSql("p.value", "(it.item -> 'rule')")}
  ) as bad
  where it.kind = 'property_pattern'
  union all
  -- plugin: a v_plugin row with active = 'active'
  select it.check_id, it.resource_key, it.ord, it.item_ord, it.kind,
         it.item ->> 'id', 'v_plugin', pl.sys_id, pl.active, coalesce(pl.active, 'inactive'),
         coalesce(pl.active, 'inactive') = 'active'
  from items it left join plugins pl on pl.id = it.item ->> 'id'
  where it.kind = 'plugin'
  union all
  -- script_action: at least one of the listed records is active
  select it.check_id, it.resource_key, it.ord, it.item_ord, it.kind,
         sa.ids_listed, 'sysevent_script_action', sa.first_active, sa.active_ids, sa.active_ids,
         sa.active_ids is not null
  from items it
  cross join lateral (
    select (select string_agg(x, ',') from jsonb_array_elements_text(it.item -> 'anyOf') as x) as ids_listed,
           string_agg(r.sys_id, ',' order by r.sys_id) as active_ids,
           min(r.sys_id) as first_active
    from public.snow_records r
    where r.instance_id = $1::uuid and r.table_name = 'sysevent_script_action'
      and r.sys_id in (select jsonb_array_elements_text(it.item -> 'anyOf'))
      and public.sn_bool(r.data ->> 'active') is true
  ) as sa
  where it.kind = 'script_action'
  union all
  -- record: one record is active, or absent or inactive
  select it.check_id, it.resource_key, it.ord, it.item_ord, it.kind,
         (it.item ->> 'table') || ':' || (it.item ->> 'sysId'), it.item ->> 'table', r.sys_id,
         r.data ->> 'active', r.data ->> 'active',
         case it.item ->> 'expect'
           when 'active' then public.sn_bool(r.data ->> 'active') is true
           else public.sn_bool(r.data ->> 'active') is not true end
  from items it
  left join lateral (
    select r.sys_id, r.data from public.snow_records r
    where r.instance_id = $1::uuid and r.table_name = it.tbl and r.sys_id = it.wanted_id
    limit 1 -- the primary key: one row at most; the limit keeps the lookup a lookup
  ) as r on true
  where it.kind = 'record'
  union all
  -- record_count: number of (active) records within bounds
  select it.check_id, it.resource_key, it.ord, it.item_ord, it.kind,
         it.item ->> 'table', it.item ->> 'table', null, c.n::text, c.n::text,
         (it.item ->> 'min' is null or c.n >= (it.item ->> 'min')::bigint)
           and (it.item ->> 'max' is null or c.n <= (it.item ->> 'max')::bigint)
  from items it
  cross join lateral (
    select count(*) as n from public.snow_records r
    where r.instance_id = $1::uuid and r.table_name = it.tbl
      and (not (it.item ->> 'activeOnly')::boolean or public.sn_bool(r.data ->> 'active') is true)
  ) as c
  where it.kind = 'record_count'
),
verdicts as (
  -- known: a property item absent from the instance with no documented default
  -- or fallback has no value in force that we know of, and decides nothing.
  select j.*, (j.tbl in (select table_name from readable_tables)) as readable,
         (j.kind <> 'property' or j.effective is not null) as known,
         (j.kind = 'property' and j.sys_id is null and j.effective is not null) as defaulted
  from judged j
),
decided as (
  select v.check_id, v.resource_key, v.ord,
         (array_agg(v.tbl order by v.item_ord))[1] as table_name,
         (array_agg(v.sys_id order by v.item_ord))[1] as sys_id,
         case when bool_or(v.readable and v.known and not v.compliant) then 'FAIL'
              when bool_and(v.readable and v.known and v.compliant) then 'PASS'
              else 'NOT_EVALUATED' end as status,
         bool_or(v.readable and v.defaulted and not v.compliant) as default_failed,
         bool_or(v.readable and v.defaulted) as default_any,
         string_agg(v.name, ', ' order by v.item_ord) filter (where v.readable and not v.known) as unknown,
         jsonb_agg(jsonb_build_object(
           'kind', v.kind, 'name', v.name, 'table', v.tbl, 'readable', v.readable,
           'present', v.sys_id is not null or (v.kind in ('record_count', 'property_pattern') and v.value is not null),
           'value', left(v.value, 200), 'effective', left(v.effective, 200), 'compliant', v.compliant,
           'default_used', v.defaulted
         ) order by v.item_ord) as items
  from verdicts v
  group by v.check_id, v.resource_key, v.ord
)
select d.check_id, d.resource_key, d.table_name, d.sys_id, d.status,
       jsonb_build_object('items', d.items,
         'default_used', case d.status when 'FAIL' then d.default_failed
                                       when 'PASS' then d.default_any else false end,
         'reason', case when d.status = 'NOT_EVALUATED' and d.unknown is not null
           then 'property not set and platform default unknown: ' || d.unknown end) as evidence
from decided d
order by d.ord
`;

/**
 * The `$2` of {@link HARDENING_EVALUATOR_SQL} for a list of settings.
 *
 * @param settings the settings to judge
 * @returns the jsonb parameter
 */
export function hardeningParameters(settings: readonly HardeningSetting[]): {
  settings: { checkId: string; key: string; items: readonly HardeningItem[] }[];
} {
  return {
    settings: settings.filter((s) => s.items.every((i) => i.kind !== "manual")).map((s) => ({
      checkId: s.checkId,
      key: s.key,
      items: s.items,
    })),
  };
}

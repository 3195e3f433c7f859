import type { Sql } from "../../shared/db/mod.ts";

/** A column of a table, as the catalog describes it. */
interface ColumnInfo {
  name: string;
  type: string;
  typtype: string;
  enum_first: string | null;
  is_array: boolean;
  required: boolean;
  fk_table: string | null;
  fk_column: string | null;
}

/** Column values of a sample row; `any` because they go straight into postgres.js. */
// deno-lint-ignore no-explicit-any
export type SampleRow = Record<string, any>;

/** Values to use for some columns of some tables, keyed by "schema.table". */
export type ColumnOverrides = Record<string, Record<string, unknown>>;

/** What {@linkcode insertSampleRow} needs to know about the tenant. */
export interface SampleTenant {
  orgId: string;
  userId: string;
}

/**
 * Inserts a plausible row into `table` for `tenant`, filling every required
 * column from its type and creating the rows its foreign keys point at (for the
 * same tenant). Used by the generic tenant-isolation test, so a new tenant table
 * is covered without writing a fixture; `overrides` handles check constraints.
 *
 * @param sql a connection that can write anything (the login role)
 * @param table qualified name, e.g. "public.memberships"
 * @param tenant the organization and a user of it
 * @param overrides column values per table
 * @returns the inserted row's ctid-independent identity: its primary key values
 */
export async function insertSampleRow(
  sql: Sql,
  table: string,
  tenant: SampleTenant,
  overrides: ColumnOverrides = {},
  depth = 0,
): Promise<SampleRow> {
  if (depth > 5) {
    throw new Error(`Cannot build a sample row for ${table}: foreign keys nest too deep`);
  }
  const values = await sampleValues(sql, table, tenant, overrides, depth);
  const columns = Object.keys(values);
  const [row] = await sql`
    insert into ${sql(table)} ${sql(values, columns)}
    returning *`;
  return row as SampleRow;
}

/**
 * Values for a row of `table` for `tenant` without inserting it.
 *
 * @param sql a connection that can write anything (to create referenced rows)
 * @param table qualified name
 * @param tenant the organization and a user of it
 * @param overrides column values per table
 */
export async function sampleValues(
  sql: Sql,
  table: string,
  tenant: SampleTenant,
  overrides: ColumnOverrides = {},
  depth = 0,
): Promise<SampleRow> {
  const [schema, name] = table.split(".") as [string, string];
  const columns = await sql<ColumnInfo[]>`
    select a.attname as name,
           format_type(a.atttypid, a.atttypmod) as type,
           coalesce(et.typtype, t.typtype) as typtype,
           (select e.enumlabel from pg_enum e where e.enumtypid = coalesce(et.oid, t.oid)
             order by e.enumsortorder limit 1) as enum_first,
           t.typcategory = 'A' as is_array,
           a.attnotnull and not a.atthasdef and a.attidentity = '' and a.attgenerated = '' as required,
           (select fn.nspname || '.' || fc.relname from pg_constraint k
              join pg_class fc on fc.oid = k.confrelid join pg_namespace fn on fn.oid = fc.relnamespace
             where k.conrelid = c.oid and k.contype = 'f' and array_length(k.conkey, 1) = 1
               and k.conkey[1] = a.attnum limit 1) as fk_table,
           (select fa.attname from pg_constraint k
              join pg_attribute fa on fa.attrelid = k.confrelid and fa.attnum = k.confkey[1]
             where k.conrelid = c.oid and k.contype = 'f' and array_length(k.conkey, 1) = 1
               and k.conkey[1] = a.attnum limit 1) as fk_column
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
    where n.nspname = ${schema} and c.relname = ${name} and a.attnum > 0 and not a.attisdropped
    order by a.attnum`;
  if (columns.length === 0) throw new Error(`Cannot build a sample row: no table ${table}`);
  const wanted = overrides[table] ?? {};
  const values: SampleRow = {};
  for (const column of columns) {
    if (column.name in wanted) {
      values[column.name] = wanted[column.name];
    } else if (column.name === "org_id") {
      values.org_id = tenant.orgId;
    } else if (column.fk_table === "public.organizations") {
      values[column.name] = tenant.orgId;
    } else if (column.fk_table === "auth.users" && column.required) {
      // A fresh user, so (org, user) keys never collide with existing rows.
      const id = crypto.randomUUID();
      await sql`insert into auth.users (id, aud, role, email, created_at, updated_at)
                values (${id}, 'authenticated', 'authenticated', ${`sample-${id}@example.test`}, now(), now())`;
      values[column.name] = id;
    } else if (column.fk_table && column.required) {
      const parent = await insertSampleRow(sql, column.fk_table, tenant, overrides, depth + 1);
      values[column.name] = parent[column.fk_column!];
    } else if (column.required) {
      values[column.name] = sampleScalar(column);
    }
  }
  return values;
}

function sampleScalar(column: ColumnInfo): unknown {
  if (column.is_array) return [];
  if (column.typtype === "e") return column.enum_first;
  const type = column.type.replace(/\(.*\)/, "");
  if (type === "uuid") return crypto.randomUUID();
  if (["integer", "bigint", "smallint", "numeric", "real", "double precision"].includes(type)) {
    return 1;
  }
  if (type === "boolean") return false;
  if (type === "jsonb" || type === "json") return {};
  if (type.startsWith("timestamp") || type === "date") return new Date();
  if (type === "inet") return "127.0.0.1";
  if (type === "bytea") return new Uint8Array([0]);
  return `sample-${crypto.randomUUID().slice(0, 8)}`;
}

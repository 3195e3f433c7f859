/**
 * What custom checks know about ServiceNow tables: field types (how values
 * compare), reference targets (how dot-walks join) and display fields (what
 * LIKE on a reference matches). The data is the data model of docs/servicenow/tables.md
 * (dictionary.json); fields it does not list compare as text.
 *
 * @module
 */

import type { FieldType } from "../../servicenow/query/mod.ts";
import data from "./dictionary.json" with { type: "json" };

/** One known field. */
export interface FieldInfo {
  readonly type: FieldType;
  /** Target table of a reference field. */
  readonly reference?: string;
}

const CODES: Readonly<Record<string, FieldType>> = {
  s: "string",
  b: "boolean",
  i: "integer",
  f: "decimal",
  dt: "datetime",
  d: "date",
  dur: "duration",
  l: "list",
  r: "reference",
};

interface TableInfo {
  readonly display: string;
  readonly fields: ReadonlyMap<string, FieldInfo>;
}

const TABLES: ReadonlyMap<string, TableInfo> = new Map(
  Object.entries(data.tables as Record<string, { display: string; fields: Record<string, string> }>)
    .map(([name, t]) => [name, {
      display: t.display,
      fields: new Map(
        Object.entries(t.fields).map(([field, code]) => {
          const [kind, reference] = code.split(":");
          const type = CODES[kind!] ?? "string";
          return [field, reference ? { type, reference } : { type }];
        }),
      ),
    }]),
);

/** Tables whose records extend `task` (a reference to `task` points into one of them). */
export const TASK_TABLES: readonly string[] = data.taskTables;

/**
 * Whether the dictionary describes a table.
 *
 * @param table a table name
 * @returns true for tables of the data model (and the virtual `task`)
 */
export function isKnownTable(table: string): boolean {
  return TABLES.has(table);
}

/**
 * A field of a table.
 *
 * @param table the table
 * @param field the field name
 * @returns its type and reference target, or undefined when the dictionary does not list it
 */
export function fieldInfo(table: string, field: string): FieldInfo | undefined {
  if (field === "sys_id") return { type: "string" };
  return TABLES.get(table)?.fields.get(field);
}

/**
 * The field whose value stands for a record of `table` (e.g. `name`, `number`).
 *
 * @param table the table
 * @returns the display field, or undefined for unknown tables
 */
export function displayField(table: string): string | undefined {
  return TABLES.get(table)?.display;
}

/**
 * The fields the dictionary lists for a table, sorted.
 *
 * @param table the table
 * @returns field names with their types (empty for unknown tables)
 */
export function tableFields(
  table: string,
): { name: string; type: FieldType; reference?: string }[] {
  const info = TABLES.get(table);
  if (!info) return [];
  return [...info.fields].map(([name, f]) => ({ name, ...f })).sort((a, b) =>
    a.name.localeCompare(b.name)
  );
}

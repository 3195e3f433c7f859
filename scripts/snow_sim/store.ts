/**
 * In-memory record store of one simulated instance. Rows are string arrays in schema
 * column order (compact at 10^6 rows), kept sorted by sys_id so keyset paging
 * (`sys_id>X^ORDERBYsys_id`) is a binary search. Every value is a string; empty is `""`.
 *
 * @module
 */

import { type FieldAccessor, formatGlideDateTime } from "../../shared/servicenow/query/mod.ts";
import {
  fieldTypeOf,
  schemaOf,
  SCHEMAS,
  type TableSchema,
  TASK_SCHEMA,
  TASK_TABLES,
} from "./schema.ts";

/** One record: values in schema column order. */
export type Row = string[];

/** A change recorded by the store (for advance reports). */
export interface ChangeLog {
  inserted: Map<string, string[]>;
  updated: Map<string, string[]>;
  deleted: Map<string, string[]>;
}

/** Rows of one table, sorted by sys_id, plus a sys_id index. */
export class TableStore {
  readonly schema: TableSchema;
  readonly index: ReadonlyMap<string, number>;
  readonly byId = new Map<string, Row>();
  #sorted: Row[] = [];
  #dirty = false;
  /** Bumped on every change; used to invalidate cached query results. */
  version = 0;

  /** @param schema the table's schema */
  constructor(schema: TableSchema) {
    this.schema = schema;
    this.index = new Map(schema.columns.map((c, i) => [c.name, i]));
  }

  /** Rows sorted by sys_id. */
  get rows(): readonly Row[] {
    if (this.#dirty) {
      this.#sorted = [...this.byId.values()].sort((
        a,
        b,
      ) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
      this.#dirty = false;
    }
    return this.#sorted;
  }

  /** Number of rows. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Column position.
   *
   * @param column column name
   * @returns its index
   * @throws when the column does not exist (a programming error in the generator)
   */
  col(column: string): number {
    const i = this.index.get(column);
    if (i === undefined) {
      throw new Error(`Cannot find column "${column}" in table "${this.schema.name}"`);
    }
    return i;
  }

  /**
   * Reads a value.
   *
   * @param row the row
   * @param column column name
   * @returns the string value
   */
  get(row: Row, column: string): string {
    return row[this.col(column)] ?? "";
  }

  /**
   * Inserts a row built from named values; unspecified columns are `""`.
   *
   * @param values column → value; must include sys_id
   * @returns the row
   */
  insert(values: Record<string, string>): Row {
    const row: Row = new Array(this.schema.columns.length).fill("");
    for (const [k, v] of Object.entries(values)) row[this.col(k)] = v;
    const id = row[0]!;
    if (!/^[0-9a-f]{32}$/.test(id) && !/^[a-z0-9_.]+$/.test(id)) {
      throw new Error(`Cannot insert into "${this.schema.name}": invalid sys_id "${id}"`);
    }
    if (this.byId.has(id)) {
      throw new Error(`Cannot insert into "${this.schema.name}": duplicate sys_id ${id}`);
    }
    this.byId.set(id, row);
    this.#dirty = true;
    this.version++;
    return row;
  }

  /**
   * Sets values in place (no system-field bookkeeping; see {@link Dataset.update}).
   *
   * @param row the row
   * @param values column → value
   */
  set(row: Row, values: Record<string, string>): void {
    for (const [k, v] of Object.entries(values)) row[this.col(k)] = v;
    this.version++;
  }

  /** An independent copy of the rows (same schema). */
  copy(): TableStore {
    const out = new TableStore(this.schema);
    for (const [id, row] of this.byId) out.byId.set(id, [...row]);
    out.#dirty = true;
    return out;
  }

  /**
   * Removes a row.
   *
   * @param sysId the row's sys_id
   * @returns whether it existed
   */
  delete(sysId: string): boolean {
    const had = this.byId.delete(sysId);
    if (had) {
      this.#dirty = true;
      this.version++;
    }
    return had;
  }

  /**
   * First position in {@link rows} whose sys_id is greater than (or equal to) `id`.
   *
   * @param id the bound
   * @param inclusive include an equal sys_id
   * @returns the position
   */
  lowerBound(id: string, inclusive: boolean): number {
    const rows = this.rows;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = rows[mid]![0]!;
      if (v < id || (!inclusive && v === id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The data of one instance: tables, simulated "now", and change tracking. */
export class Dataset {
  readonly tables = new Map<string, TableStore>();
  /** Simulated current time. */
  now: Date;
  #log: ChangeLog | null = null;
  #taskCache: { key: string; rows: Row[] } | null = null;

  /** @param now the simulated time at which the data was generated */
  constructor(now: Date) {
    this.now = now;
    for (const schema of SCHEMAS.values()) this.tables.set(schema.name, new TableStore(schema));
  }

  /**
   * A table's store.
   *
   * @param name table name
   * @returns the store
   * @throws for an unknown table (a programming error)
   */
  table(name: string): TableStore {
    const t = this.tables.get(name);
    if (!t) throw new Error(`Cannot find table "${name}"`);
    return t;
  }

  /** An independent copy of every table at the same simulated time (no change log). */
  clone(): Dataset {
    const out = new Dataset(this.now);
    for (const [name, table] of this.tables) out.tables.set(name, table.copy());
    return out;
  }

  /** Whether a table can be queried (including the virtual `task`). */
  hasTable(name: string): boolean {
    return name === "task" || this.tables.has(name);
  }

  /** Starts recording inserts/updates/deletes. */
  beginLog(): void {
    this.#log = { inserted: new Map(), updated: new Map(), deleted: new Map() };
  }

  /** Stops recording and returns what changed. */
  endLog(): ChangeLog {
    const log = this.#log ?? { inserted: new Map(), updated: new Map(), deleted: new Map() };
    this.#log = null;
    return log;
  }

  #record(kind: keyof ChangeLog, table: string, id: string): void {
    if (!this.#log) return;
    const m = this.#log[kind];
    const list = m.get(table) ?? [];
    list.push(id);
    m.set(table, list);
  }

  /** Current simulated time as `YYYY-MM-DD HH:MM:SS`. */
  nowText(): string {
    return formatGlideDateTime(this.now);
  }

  /**
   * Inserts a record, filling the system fields from the simulated clock.
   *
   * @param table table name
   * @param values column → value (sys_id required)
   * @param by user_name recorded in sys_created_by/sys_updated_by
   * @returns the row
   */
  insert(table: string, values: Record<string, string>, by = "system"): Row {
    const t = this.table(table);
    const now = this.nowText();
    const base: Record<string, string> = {
      sys_created_on: now,
      sys_updated_on: now,
      sys_created_by: by,
      sys_updated_by: by,
      sys_mod_count: "0",
    };
    if (t.index.has("sys_class_name")) base.sys_class_name = table;
    if (t.index.has("sys_domain")) {
      base.sys_domain = "global";
      base.sys_domain_path = "/";
    }
    if (t.index.has("sys_scope")) base.sys_scope = "global";
    const row = t.insert({ ...base, ...values });
    this.#record("inserted", table, row[0]!);
    this.#taskCache = null;
    return row;
  }

  /**
   * Updates a record, bumping sys_updated_on (to the simulated now), sys_updated_by and sys_mod_count.
   *
   * @param table table name
   * @param row the row
   * @param values column → value
   * @param by user_name of the updater
   */
  update(table: string, row: Row, values: Record<string, string>, by = "system"): void {
    const t = this.table(table);
    const count = Number(t.get(row, "sys_mod_count") || "0") + 1;
    t.set(row, {
      ...values,
      sys_updated_on: this.nowText(),
      sys_updated_by: by,
      sys_mod_count: String(count),
    });
    this.#record("updated", table, row[0]!);
    this.#taskCache = null;
  }

  /**
   * Deletes a record.
   *
   * @param table table name
   * @param sysId sys_id
   */
  delete(table: string, sysId: string): void {
    if (this.table(table).delete(sysId)) this.#record("deleted", table, sysId);
    this.#taskCache = null;
  }

  /** Sum of table versions, for cache keys. */
  versionOf(table: string): string {
    if (table !== "task") return String(this.table(table).version);
    return TASK_TABLES.map((n) => this.table(n).version).join(".");
  }

  /**
   * Sorted rows of a table; for `task`, the union of all task subtables (their task
   * columns share positions).
   *
   * @param table table name
   * @returns rows sorted by sys_id
   */
  rowsOf(table: string): readonly Row[] {
    if (table !== "task") return this.table(table).rows;
    const key = this.versionOf("task");
    if (this.#taskCache?.key === key) return this.#taskCache.rows;
    const rows = TASK_TABLES.flatMap((n) => this.table(n).rows as Row[]);
    rows.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
    this.#taskCache = { key, rows };
    return rows;
  }

  /**
   * Finds a record by sys_id in a table (for `task`: in any task subtable).
   *
   * @param table table name
   * @param sysId sys_id
   * @returns the row or undefined
   */
  find(table: string, sysId: string): Row | undefined {
    if (sysId === "") return undefined;
    if (table === "task") {
      for (const n of TASK_TABLES) {
        const r = this.table(n).byId.get(sysId);
        if (r) return r;
      }
      return undefined;
    }
    return this.tables.get(table)?.byId.get(sysId);
  }

  /**
   * The display value of a record (its schema's display column).
   *
   * @param table table name
   * @param sysId sys_id
   * @returns display text, or `""` when the record is missing
   */
  displayOf(table: string, sysId: string): string {
    const row = this.find(table, sysId);
    if (!row) return "";
    const schema = table === "task" ? TASK_SCHEMA : this.table(table).schema;
    const i = schema.columns.findIndex((c) => c.name === schema.display);
    const v = i >= 0 ? row[i]! : row[0]!;
    const col = schema.columns[i];
    if (col?.type === "reference" && col.reference) return this.displayOf(col.reference, v);
    return v;
  }

  /**
   * Compiles a (dot-walked) field path into an accessor for the query evaluator.
   *
   * @param table starting table
   * @param path field path
   * @returns the accessor, or null when any segment is unknown
   */
  accessor(table: string, path: readonly string[]): FieldAccessor<Row> | null {
    let schema = schemaOf(table);
    if (!schema) return null;
    const hops: { table: string; index: number }[] = [];
    for (let i = 0; i < path.length; i++) {
      const idx = schema.columns.findIndex((c) => c.name === path[i]);
      if (idx < 0) return null;
      const col = schema.columns[idx]!;
      if (i === path.length - 1) {
        const steps = hops;
        const walk = (row: Row): Row | undefined => {
          let cur: Row | undefined = row;
          for (const h of steps) {
            if (!cur) return undefined;
            cur = this.find(h.table, cur[h.index]!);
          }
          return cur;
        };
        const type = fieldTypeOf(col);
        const ref = col.reference;
        if (steps.length === 0) {
          return {
            type,
            get: (row) => row[idx] ?? "",
            display: ref ? (row) => this.displayOf(ref, row[idx] ?? "") : (row) => row[idx] ?? "",
          };
        }
        return {
          type,
          get: (row) => walk(row)?.[idx] ?? "",
          display: (row) => {
            const v = walk(row)?.[idx] ?? "";
            return ref ? this.displayOf(ref, v) : v;
          },
        };
      }
      if (col.type !== "reference" || !col.reference) return null;
      hops.push({ table: col.reference, index: idx });
      schema = schemaOf(col.reference);
      if (!schema) return null;
    }
    return null;
  }
}

/**
 * Compiles a custom check — a ServiceNow encoded query over one synced table —
 * into an evaluator statement with the catalog's contract (`$1` instance id,
 * `$2` parameters as jsonb, `$3` evaluation time; rows `resource_key`,
 * `table_name`, `sys_id`, `status`, `evidence`): every record that matches is a
 * FAIL.
 *
 * The SQL text is built only from the AST's structure; every table name, field
 * name and value reaches Postgres inside `$2` (`{"t": tables, "f": fields,
 * "v": values}`), never in the text. Semantics follow the platform (and
 * `shared/servicenow/query`'s in-memory evaluator): an empty value satisfies no
 * positive operator and every negation; integers and decimals compare
 * numerically, other values by code point; relative dates (`javascript:gs.*`,
 * RELATIVE*) are resolved against the evaluation time.
 *
 * Dot-walks (`user.active`) join the referenced table's synced records on
 * `sys_id` when the reference's target table is known; a dot-walk through an
 * unknown reference is refused. Related-list queries (`RLQUERY…ENDRLQUERY`)
 * count related records. Keyword search, DYNAMIC and IN_HIERARCHY are refused:
 * they depend on the session running the query.
 *
 * @module
 */

import {
  type ConditionTerm,
  type DatePartComparator,
  datePartTarget,
  type EncodedQuery,
  type FieldType,
  parseEncodedQuery,
  type QueryOperator,
  QueryParseError,
  type QueryTerm,
  resolveQueryDates,
  resolveScalar,
  type ScalarValue,
  type TermValue,
} from "../../servicenow/query/mod.ts";
import { displayField, fieldInfo, isKnownTable, TASK_TABLES } from "./dictionary.ts";

/** Limits on what a custom check may contain. */
export const CUSTOM_QUERY_LIMITS = {
  /** Characters of the encoded query. */
  queryLength: 4000,
  /** Condition terms, related-list terms included. */
  terms: 50,
  /** References followed by one dot-walk (`a.b.c.d` is three). */
  dotWalkHops: 3,
  /** Values of one IN / NOT IN list. */
  listValues: 500,
  /** The count of an RLQUERY term. */
  relatedCount: 1_000_000_000,
  /** The amount of a relative-date term (`field@unit@before@amount`). */
  dateAmount: 100_000,
  /** Nested related-list queries. */
  relatedDepth: 2,
  /** Evidence fields. */
  evidenceFields: 20,
} as const;

/** Thrown when a custom check's query cannot become a check. */
export class CustomQueryError extends Error {
  /** 0-based offset in the query, when the problem is a parse error. */
  readonly position: number | null;
  /** The field path the problem is about, when there is one. */
  readonly field: string | null;

  /**
   * @param reason what is wrong (sentence case, no trailing period)
   * @param options position in the query and field path
   */
  constructor(reason: string, options: { position?: number; field?: string } = {}) {
    super(`Cannot compile the custom check: ${reason}`);
    this.name = "CustomQueryError";
    this.position = options.position ?? null;
    this.field = options.field ?? null;
  }
}

/** Options of {@link compileCustomQuery}. */
export interface CompileCustomOptions {
  /** The table whose records are judged. */
  readonly table: string;
  /** Fields (dot-walks allowed) copied into each finding's evidence. */
  readonly evidenceFields?: readonly string[];
  /** Evaluation time: relative dates resolve against it. */
  readonly now: Date;
  /**
   * The fields the sync fetches per table; a condition on a field it does not
   * fetch gets a warning (the value is always empty).
   */
  readonly syncedFields?: Readonly<Record<string, readonly string[]>>;
}

/** A compiled custom check. */
export interface CompiledCustomQuery {
  /** The evaluator statement (positional parameters `$1`, `$2`, `$3`). */
  readonly sql: string;
  /** The `$2` value. */
  readonly parameters: { t: string[]; f: string[]; v: unknown[] };
  /** Every table the statement reads (the root first); each must be synced and readable. */
  readonly tables: readonly string[];
  /** Fields read per table. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** Things the author should know (unknown or unsynced fields). */
  readonly warnings: readonly string[];
  /** Evidence fields, in order (the root table's display field when none were given). */
  readonly evidenceFields: readonly string[];
}

const P = "$2::jsonb";
const NUMERIC_TYPES: ReadonlySet<FieldType> = new Set(["integer", "decimal"]);
const DATE_TYPES: ReadonlySet<FieldType> = new Set(["datetime", "date"]);
// Numbers compare numerically only within what Postgres' numeric holds (at most
// 100 digits on either side of the point, a three-digit exponent): `1e999999`
// in a query is refused, and in synced data it compares as text, never aborting a check.
const NUMBER_TEXT = /^\s*[+-]?(\d{1,100}\.?\d{0,100}|\.\d{1,100})([eE][+-]?\d{1,3})?\s*$/;
const NUMBER_LIKE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const NUMBER_SQL =
  "'^\\s*[+-]?([0-9]{1,100}\\.?[0-9]{0,100}|\\.[0-9]{1,100})([eE][+-]?[0-9]{1,3})?\\s*$'";
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2})?$/;
const TABLE_NAME = /^[a-z0-9_]{1,80}$/;

/** Operators allowed per field type. */
const OPERATORS_BY_TYPE: Readonly<Record<FieldType, ReadonlySet<QueryOperator>>> = (() => {
  const base: QueryOperator[] = ["=", "!=", "ISEMPTY", "ISNOTEMPTY", "ANYTHING", "IN", "NOT IN"];
  const text: QueryOperator[] = [
    "LIKE",
    "NOT LIKE",
    "STARTSWITH",
    "ENDSWITH",
    "EMPTYSTRING",
  ];
  const order: QueryOperator[] = ["<", "<=", ">", ">=", "BETWEEN"];
  const fieldCompare: QueryOperator[] = [
    "SAMEAS",
    "NSAMEAS",
    "GT_FIELD",
    "LT_FIELD",
    "GT_OR_EQUALS_FIELD",
    "LT_OR_EQUALS_FIELD",
  ];
  const dates: QueryOperator[] = [
    "ON",
    "NOTON",
    "RELATIVEGT",
    "RELATIVELT",
    "RELATIVEGE",
    "RELATIVELE",
    "RELATIVEEE",
    "MORETHAN",
    "LESSTHAN",
    "DATEPART",
  ];
  return {
    string: new Set([...base, ...text, "<", "<=", ">", ">=", ...fieldCompare]),
    list: new Set([...base, ...text]),
    reference: new Set([...base, ...text, "SAMEAS", "NSAMEAS"]),
    boolean: new Set(base),
    integer: new Set([...base, ...order, ...fieldCompare]),
    decimal: new Set([...base, ...order, ...fieldCompare]),
    duration: new Set([...base, ...order, ...fieldCompare]),
    datetime: new Set([...base, ...order, ...fieldCompare, ...dates]),
    date: new Set([...base, ...order, ...fieldCompare, ...dates]),
  };
})();

const REFUSED: Partial<Record<QueryOperator, string>> = {
  DYNAMIC: "DYNAMIC filters depend on the user running the query",
  IN_HIERARCHY: "IN_HIERARCHY is not supported in custom checks",
  IN_HIERARCHY_DYNAMIC: "IN_HIERARCHY_DYNAMIC depends on the user running the query",
};

/** A resolved field: how to read its text and how it compares. */
interface FieldRef {
  readonly type: FieldType;
  /** SQL text expression; `''` when the field or the record is missing. */
  readonly expr: string;
  /** SQL text of the display value (references with a known target only). */
  readonly display: (() => string) | null;
  readonly path: string;
}

/** Where conditions are evaluated: the root table or a related list. */
interface Scope {
  readonly alias: string;
  readonly table: string;
  readonly joins: string[];
  readonly joined: Map<string, { alias: string; table: string }>;
  readonly depth: number;
}

class Compiler {
  readonly tables: string[] = [];
  readonly fieldNames: string[] = [];
  readonly values: unknown[] = [];
  readonly warnings = new Set<string>();
  readonly tablesRead = new Set<string>();
  readonly fieldsRead = new Map<string, Set<string>>();
  terms = 0;
  aliases = 0;

  constructor(readonly options: CompileCustomOptions) {}

  table(name: string): string {
    let i = this.tables.indexOf(name);
    if (i < 0) i = this.tables.push(name) - 1;
    return `(${P} -> 't' ->> ${i})`;
  }

  field(name: string): string {
    let i = this.fieldNames.indexOf(name);
    if (i < 0) i = this.fieldNames.push(name) - 1;
    return `(${P} -> 'f' ->> ${i})`;
  }

  value(v: string): string {
    const i = this.values.push(v) - 1;
    return `(${P} -> 'v' ->> ${i})`;
  }

  list(values: readonly string[]): string {
    const i = this.values.push(values) - 1;
    return `(select jsonb_array_elements_text(${P} -> 'v' -> ${i}))`;
  }

  note(table: string, field: string): void {
    this.tablesRead.add(table);
    const set = this.fieldsRead.get(table) ?? new Set<string>();
    set.add(field);
    this.fieldsRead.set(table, set);
    const synced = this.options.syncedFields?.[table];
    if (synced && field !== "sys_id" && !synced.includes(field)) {
      this.warnings.add(
        `${table}.${field} is not synced, so it is always empty on synced records`,
      );
    }
  }

  raw(alias: string, field: string): string {
    return field === "sys_id"
      ? `${alias}.sys_id`
      : `coalesce(${alias}.data ->> ${this.field(field)}, '')`;
  }

  /** Joins (once per scope and path) the record a reference points to. */
  join(scope: Scope, key: string, fromExpr: string, target: string): string {
    const existing = scope.joined.get(key);
    if (existing) return existing.alias;
    const alias = `${scope.alias}_j${++this.aliases}`;
    if (target === "task") {
      const tables = `(select jsonb_array_elements_text(${P} -> 'v' -> ${
        this.values.push([...TASK_TABLES]) - 1
      }))`;
      scope.joins.push(
        `left join lateral (select x.sys_id, x.data from public.snow_records x
          where x.instance_id = $1::uuid and x.table_name in ${tables} and x.sys_id = ${fromExpr}
          limit 1) ${alias} on true`,
      );
      this.warnings.add("a dot-walk through a task reference reads every synced task table");
    } else {
      this.tablesRead.add(target);
      scope.joins.push(
        `left join public.snow_records ${alias} on ${alias}.instance_id = $1::uuid
          and ${alias}.table_name = ${this.table(target)} and ${alias}.sys_id = ${fromExpr}`,
      );
    }
    scope.joined.set(key, { alias, table: target });
    return alias;
  }

  /** Resolves a (dot-walked) field path in a scope. */
  resolve(scope: Scope, path: readonly string[]): FieldRef {
    const name = path.join(".");
    if (path.length - 1 > CUSTOM_QUERY_LIMITS.dotWalkHops) {
      throw new CustomQueryError(
        `"${name}" follows more than ${CUSTOM_QUERY_LIMITS.dotWalkHops} references`,
        { field: name },
      );
    }
    let alias = scope.alias;
    let table = scope.table;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i]!;
      const info = fieldInfo(table, segment);
      if (!info || info.type !== "reference" || !info.reference) {
        throw new CustomQueryError(
          `cannot dot-walk through "${
            path.slice(0, i + 1).join(".")
          }": it is not a reference field with a known target table on ${table}`,
          { field: name },
        );
      }
      this.note(table, segment);
      alias = this.join(
        scope,
        path.slice(0, i + 1).join("."),
        `(${alias}.data ->> ${this.field(segment)})`,
        info.reference,
      );
      table = info.reference;
    }
    const last = path[path.length - 1]!;
    const info = fieldInfo(table, last);
    if (!info) {
      this.warnings.add(
        isKnownTable(table)
          ? `${last} is not a known field of ${table}; it is compared as text`
          : `${table} is not a known table; ${last} is compared as text`,
      );
    }
    if (table !== "task") this.note(table, last);
    const type = info?.type ?? "string";
    const expr = this.raw(alias, last);
    const target = info?.reference;
    const display = target && displayField(target)
      ? () => this.displayOf(scope, path.join("."), alias, last, target)
      : null;
    return { type, expr, display, path: name };
  }

  /**
   * The display value of a reference: the referenced record's display field,
   * followed further when that field is itself a reference (as the platform does).
   */
  displayOf(scope: Scope, key: string, alias: string, field: string, target: string): string {
    let fromAlias = alias;
    let fromField = field;
    let table = target;
    for (let hop = 0; hop < 3; hop++) {
      const show = displayField(table)!;
      const a = this.join(
        scope,
        `${key}#display${hop}`,
        `(${fromAlias}.data ->> ${this.field(fromField)})`,
        table,
      );
      if (table !== "task") this.note(table, show);
      const next = fieldInfo(table, show);
      if (next?.type !== "reference" || !next.reference || !displayField(next.reference)) {
        return this.raw(a, show);
      }
      fromAlias = a;
      fromField = show;
      table = next.reference;
    }
    return "''";
  }

  /** `a OP b` for two texts of a field type (numbers numerically, the rest by code point). */
  compare(type: FieldType, a: string, op: string, b: string, bIsNumber: boolean | null): string {
    if (type === "boolean") {
      return `(${normBool(a)} collate "C" ${op} ${normBool(b)} collate "C")`;
    }
    const lexical = `(${a} collate "C" ${op} ${b} collate "C")`;
    if (!NUMERIC_TYPES.has(type)) return lexical;
    const numeric = `(${a}::numeric ${op} ${b}::numeric)`;
    if (bIsNumber === false) return lexical;
    const bNumeric = bIsNumber === true ? "true" : `${b} ~ ${NUMBER_SQL}`;
    return `(case when ${a} ~ ${NUMBER_SQL} and ${bNumeric} then ${numeric} else ${lexical} end)`;
  }

  /** Equality as the platform sees it for a field type. */
  equals(type: FieldType, a: string, b: string, bIsNumber: boolean | null): string {
    if (type === "list") {
      return `(${a} = ${b} or (${a} <> '' and ${b} = any (string_to_array(${a}, ','))))`;
    }
    if (NUMERIC_TYPES.has(type) || type === "boolean") {
      return this.compare(type, a, "=", b, bIsNumber);
    }
    return `(${a} = ${b})`;
  }

  compileQuery(scope: Scope, original: EncodedQuery, resolved: EncodedQuery): string {
    if (original.groups.length === 0) return "true";
    const groups = original.groups.map((group, g) => {
      const clusters = group.clusters.map((cluster, c) => {
        const terms = cluster.terms.map((term, t) =>
          this.compileTerm(scope, term, resolved.groups[g]!.clusters[c]!.terms[t]!)
        );
        return terms.length === 1 ? terms[0]! : `(${terms.join(" or ")})`;
      });
      return clusters.length === 1 ? clusters[0]! : `(${clusters.join(" and ")})`;
    });
    return groups.length === 1 ? groups[0]! : `(${groups.join(" or ")})`;
  }

  compileTerm(scope: Scope, original: QueryTerm, resolved: QueryTerm): string {
    if (++this.terms > CUSTOM_QUERY_LIMITS.terms) {
      throw new CustomQueryError(`the query has more than ${CUSTOM_QUERY_LIMITS.terms} conditions`);
    }
    if (original.kind === "text") {
      throw new CustomQueryError(
        "keyword search (123TEXTQUERY321) is not supported in custom checks; name the fields to match",
      );
    }
    if (original.kind === "related") {
      if (resolved.kind !== "related") throw new Error("Cannot compile: AST mismatch");
      return this.compileRelated(scope, original, resolved);
    }
    if (resolved.kind !== "condition") throw new Error("Cannot compile: AST mismatch");
    return this.compileCondition(scope, original, resolved);
  }

  compileRelated(
    scope: Scope,
    original: Extract<QueryTerm, { kind: "related" }>,
    resolved: Extract<QueryTerm, { kind: "related" }>,
  ): string {
    if (scope.depth >= CUSTOM_QUERY_LIMITS.relatedDepth) {
      throw new CustomQueryError(
        `related-list queries nest more than ${CUSTOM_QUERY_LIMITS.relatedDepth} levels`,
      );
    }
    if (!TABLE_NAME.test(original.table)) {
      throw new CustomQueryError(`"${original.table}" is not a table name`);
    }
    const inner: Scope = {
      alias: `rl${++this.aliases}`,
      table: original.table,
      joins: [],
      joined: new Map(),
      depth: scope.depth + 1,
    };
    this.tablesRead.add(original.table);
    this.note(original.table, original.field);
    const predicate = this.compileQuery(inner, original.query, resolved.query);
    const count = `(select count(*) from public.snow_records ${inner.alias}
      ${inner.joins.join("\n      ")}
      where ${inner.alias}.instance_id = $1::uuid and ${inner.alias}.table_name = ${
      this.table(original.table)
    }
        and (${inner.alias}.data ->> ${this.field(original.field)}) = ${scope.alias}.sys_id
        and ${predicate})`;
    if (original.count > CUSTOM_QUERY_LIMITS.relatedCount) {
      throw new CustomQueryError(
        `RLQUERY count ${original.count} is too large (at most ${CUSTOM_QUERY_LIMITS.relatedCount})`,
      );
    }
    const n = this.value(String(original.count));
    return `(${count} ${original.comparator === "!=" ? "<>" : original.comparator} ${n}::bigint)`;
  }

  compileCondition(scope: Scope, original: ConditionTerm, term: ConditionTerm): string {
    const name = original.field.join(".");
    const refusal = REFUSED[original.operator];
    if (refusal) throw new CustomQueryError(`${name}: ${refusal}`, { field: name });
    const field = this.resolve(scope, original.field);
    const type = field.type;
    if (!OPERATORS_BY_TYPE[type].has(original.operator)) {
      throw new CustomQueryError(
        `${name} is a ${type} field: operator ${original.operator} does not apply to it`,
        { field: name },
      );
    }
    const v = field.expr;
    const op = term.operator;
    const value = term.value;
    const scalar = (s: ScalarValue): string => resolveScalar(s, { now: this.options.now });
    const literal = (s: ScalarValue): string =>
      this.checkLiteral(name, type, original.operator, normLiteral(type, scalar(s)));
    const isNum = (s: string) => NUMBER_TEXT.test(s) && s.trim() !== "";

    switch (op) {
      case "ANYTHING":
        return "true";
      case "ISEMPTY":
      case "EMPTYSTRING":
        return `(${v} = '')`;
      case "ISNOTEMPTY":
        return `(${v} <> '')`;
      case "=":
      case "!=": {
        const target = literal(expectScalar(name, op, value));
        const eq = this.equals(type, v, this.value(target), isNum(target));
        return op === "=" ? eq : `(not ${eq})`;
      }
      case "IN":
      case "NOT IN": {
        let values: string[];
        if (value.kind === "list") {
          values = value.values.map((x) => this.checkLiteral(name, type, op, normLiteral(type, x)));
        } else values = [literal(expectScalar(name, op, value))];
        if (values.length > CUSTOM_QUERY_LIMITS.listValues) {
          throw new CustomQueryError(
            `${name}: an IN list may hold at most ${CUSTOM_QUERY_LIMITS.listValues} values`,
            { field: name },
          );
        }
        let has: string;
        if (type === "list") {
          has = `(${v} <> '' and exists (select 1 from unnest(string_to_array(${v}, ',')) as item(x)
            where item.x in ${this.list(values)}))`;
        } else if (NUMERIC_TYPES.has(type) || type === "boolean") {
          const each = values.map((x) => this.compare(type, v, "=", this.value(x), isNum(x)));
          has = `(${v} <> '' and ${each.length === 0 ? "false" : `(${each.join(" or ")})`})`;
        } else {
          has = `(${v} <> '' and ${v} in ${this.list(values)})`;
        }
        return op === "IN" ? has : `(not ${has})`;
      }
      case "LIKE":
      case "NOT LIKE":
      case "STARTSWITH":
      case "ENDSWITH": {
        const needle = this.value(scalar(expectScalar(name, op, value)));
        let text = v;
        if (type === "reference") {
          if (!field.display) {
            throw new CustomQueryError(
              `${name}: ${original.operator} on a reference matches its display value, and the display field of its target table is unknown`,
              { field: name },
            );
          }
          text = field.display();
        }
        const match = op === "STARTSWITH"
          ? `(${text} <> '' and left(${text}, length(${needle})) = ${needle})`
          : op === "ENDSWITH"
          ? `(${text} <> '' and right(${text}, length(${needle})) = ${needle})`
          : `(${text} <> '' and strpos(${text}, ${needle}) > 0)`;
        return op === "NOT LIKE" ? `(not ${match})` : match;
      }
      case "<":
      case "<=":
      case ">":
      case ">=": {
        const target = literal(expectScalar(name, op, value));
        return `(${v} <> '' and ${this.compare(type, v, op, this.value(target), isNum(target))})`;
      }
      case "BETWEEN": {
        if (value.kind !== "range") throw new CustomQueryError(`${name}: BETWEEN needs low@high`);
        const low = literal(value.low);
        const high = literal(value.high);
        return `(${v} <> '' and ${this.compare(type, v, ">=", this.value(low), isNum(low))} and ${
          this.compare(type, v, "<=", this.value(high), isNum(high))
        })`;
      }
      case "ON":
      case "NOTON": {
        if (value.kind !== "date_span") {
          throw new CustomQueryError(`${name}: ${op} needs a date span`);
        }
        const start = literal(value.start);
        const end = literal(value.end);
        const inside = `(${v} <> '' and ${
          this.compare(type, v, ">=", this.value(start), isNum(start))
        } and ${this.compare(type, v, "<=", this.value(end), isNum(end))})`;
        return op === "ON" ? inside : `(not ${inside})`;
      }
      case "SAMEAS":
      case "NSAMEAS":
      case "GT_FIELD":
      case "LT_FIELD":
      case "GT_OR_EQUALS_FIELD":
      case "LT_OR_EQUALS_FIELD": {
        if (value.kind !== "field") throw new CustomQueryError(`${name}: ${op} needs a field`);
        const other = this.resolve(scope, value.field);
        if (DATE_TYPES.has(type) !== DATE_TYPES.has(other.type)) {
          throw new CustomQueryError(
            `${name} (${type}) cannot be compared with ${other.path} (${other.type})`,
            { field: name },
          );
        }
        const g = value.granularity;
        const a = g && g !== "second" ? truncateSql(v, g) : v;
        const b = g && g !== "second" ? truncateSql(other.expr, g) : other.expr;
        const both = `${v} <> '' and ${other.expr} <> ''`;
        if (op === "SAMEAS" || op === "NSAMEAS") {
          const same = `(${both} and ${this.equals(type, a, b, null)})`;
          return op === "SAMEAS" ? same : `(not ${same})`;
        }
        const sqlOp = op === "GT_FIELD"
          ? ">"
          : op === "LT_FIELD"
          ? "<"
          : op === "GT_OR_EQUALS_FIELD"
          ? ">="
          : "<=";
        return `(${both} and ${this.compare(type, v, sqlOp, other.expr, null)})`;
      }
      case "MORETHAN":
      case "LESSTHAN": {
        if (value.kind !== "field_offset") {
          throw new CustomQueryError(`${name}: ${op} needs field@unit@direction@amount`);
        }
        const other = this.resolve(scope, value.field);
        if (!DATE_TYPES.has(other.type)) {
          throw new CustomQueryError(`${name}: ${other.path} is not a date field`, { field: name });
        }
        const at = glideTs(v);
        const base = glideTs(other.expr);
        if (value.amount > CUSTOM_QUERY_LIMITS.dateAmount) {
          throw new CustomQueryError(
            `${name}: ${op} amount ${value.amount} is too large (at most ${CUSTOM_QUERY_LIMITS.dateAmount})`,
            { field: name },
          );
        }
        const amount = Number(this.values.push(value.amount) - 1);
        const n = `((${P} -> 'v' ->> ${amount})::int * ${value.direction === "before" ? -1 : 1})`;
        const edge = `(${base} + ${intervalSql(value.unit, n)})`;
        const before = value.direction === "before";
        const cond = op === "MORETHAN"
          ? (before ? `${at} < ${edge}` : `${at} > ${edge}`)
          : (before
            ? `${at} > ${edge} and ${at} <= ${base}`
            : `${at} >= ${base} and ${at} < ${edge}`);
        return `(coalesce(${at} is not null and ${base} is not null and ${cond}, false))`;
      }
      case "DATEPART": {
        if (value.kind !== "date_part") {
          throw new CustomQueryError(`${name}: DATEPART needs gs.datePart()`);
        }
        const target = datePartTarget(value.part, value.partValue);
        const ts = glideTs(v);
        const part = datePartSql(ts, value.part);
        if (Number.isNaN(target)) {
          return value.comparator === "NE" ? `(${ts} is not null)` : "false";
        }
        const t = this.value(String(target));
        return `(coalesce(${part} ${comparatorSql(value.comparator)} ${t}::numeric, false))`;
      }
      default:
        throw new CustomQueryError(`${name}: operator ${op} is not supported in custom checks`, {
          field: name,
        });
    }
  }

  checkLiteral(field: string, type: FieldType, op: QueryOperator, value: string): string {
    if (NUMERIC_TYPES.has(type) && NUMBER_LIKE.test(value) && !NUMBER_TEXT.test(value)) {
      throw new CustomQueryError(`${field}: the number "${value}" is out of range`, { field });
    }
    if (NUMERIC_TYPES.has(type) && value !== "" && !NUMBER_TEXT.test(value)) {
      throw new CustomQueryError(`${field} is a number: "${value}" is not one`, { field });
    }
    if (DATE_TYPES.has(type) && value !== "" && !DATE_TEXT.test(value)) {
      throw new CustomQueryError(
        `${field} is a date: "${value}" is not a date like 2024-01-31 or 2024-01-31 12:00:00`,
        { field },
      );
    }
    if (
      type === "boolean" && (op === "=" || op === "!=") && !["true", "false", ""].includes(value)
    ) {
      throw new CustomQueryError(`${field} is true or false: "${value}" is neither`, { field });
    }
    return value;
  }
}

function expectScalar(field: string, op: QueryOperator, value: TermValue): ScalarValue {
  if (value.kind === "literal" || value.kind === "script") return value;
  throw new CustomQueryError(`${field}: operator ${op} needs a single value`, { field });
}

function normBool(expr: string): string {
  return `(case ${expr} when '1' then 'true' when '0' then 'false' else ${expr} end)`;
}

function normLiteral(type: FieldType, v: string): string {
  if (type === "boolean") return v === "1" ? "true" : v === "0" ? "false" : v;
  if (type === "date" && /^\d{4}-\d{2}-\d{2} /.test(v)) return v.slice(0, 10);
  if (type === "datetime" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v} 00:00:00`;
  return v;
}

/** `YYYY-MM-DD[ HH:MM:SS]` text to a UTC timestamp; NULL when it is not one (never an error). */
function glideTs(expr: string): string {
  return `private.analysis_glide_ts(${expr})`;
}

function truncateSql(expr: string, unit: string): string {
  return `coalesce(to_char(date_trunc('${unit}', ${
    glideTs(expr)
  }), 'YYYY-MM-DD HH24:MI:SS'), ${expr})`;
}

function intervalSql(unit: string, n: string): string {
  switch (unit) {
    case "minute":
      return `make_interval(mins => ${n})`;
    case "hour":
      return `make_interval(hours => ${n})`;
    case "day":
    case "dayofweek":
      return `make_interval(days => ${n})`;
    case "week":
      return `make_interval(days => 7 * ${n})`;
    case "month":
      return `make_interval(months => ${n})`;
    case "quarter":
      return `make_interval(months => 3 * ${n})`;
    default:
      return `make_interval(months => 12 * ${n})`;
  }
}

function datePartSql(ts: string, part: string): string {
  switch (part) {
    case "dayofweek":
      return `extract(isodow from ${ts})::int`;
    case "dayofmonth":
      return `extract(day from ${ts})::int`;
    case "week":
      return `extract(week from ${ts})::int`;
    case "month":
      return `extract(month from ${ts})::int`;
    case "quarter":
      return `extract(quarter from ${ts})::int`;
    case "year":
      return `extract(year from ${ts})::int`;
    default:
      return `extract(hour from ${ts})::int`;
  }
}

function comparatorSql(c: DatePartComparator): string {
  return { EQ: "=", NE: "<>", GT: ">", GE: ">=", LT: "<", LE: "<=" }[c];
}

/**
 * Compiles a custom check's encoded query to an evaluator statement.
 *
 * @param query the encoded query, e.g. `active=true^last_login_time<javascript:gs.daysAgoStart(90)`
 * @param options the table, evidence fields, evaluation time and the synced fields
 * @returns the statement, its `$2`, the tables it reads and warnings
 * @throws {CustomQueryError} when the query is too long, does not parse, or uses
 *   an operator, field or dot-walk a check cannot evaluate faithfully
 * @example
 * ```ts
 * const c = compileCustomQuery("active=true^roles=admin", { table: "sys_user", now: new Date() });
 * await tx.unsafe(c.sql, [instanceId, c.parameters, now]);
 * ```
 */
export function compileCustomQuery(
  query: string,
  options: CompileCustomOptions,
): CompiledCustomQuery {
  if (!TABLE_NAME.test(options.table)) {
    throw new CustomQueryError(`"${options.table}" is not a table name`);
  }
  if (query.length > CUSTOM_QUERY_LIMITS.queryLength) {
    throw new CustomQueryError(
      `the query is longer than ${CUSTOM_QUERY_LIMITS.queryLength} characters`,
    );
  }
  let parsed: EncodedQuery;
  try {
    parsed = parseEncodedQuery(query);
  } catch (error) {
    if (error instanceof QueryParseError) {
      throw new CustomQueryError(`${error.reason} (at character ${error.position + 1})`, {
        position: error.position,
      });
    }
    throw error;
  }
  if (parsed.groups.length === 0) {
    throw new CustomQueryError("the query has no condition, so every record would fail");
  }
  const resolved = resolveQueryDates(parsed, { now: options.now });
  const compiler = new Compiler(options);
  const root: Scope = { alias: "r", table: options.table, joins: [], joined: new Map(), depth: 0 };
  const rootTable = compiler.table(options.table);
  compiler.tablesRead.add(options.table);
  const predicate = compiler.compileQuery(root, parsed, resolved);

  const requested = options.evidenceFields ?? [];
  if (requested.length > CUSTOM_QUERY_LIMITS.evidenceFields) {
    throw new CustomQueryError(
      `a check may copy at most ${CUSTOM_QUERY_LIMITS.evidenceFields} evidence fields`,
    );
  }
  const display = displayField(options.table);
  const evidenceFields = requested.length > 0
    ? [...new Set(requested)]
    : display && display !== "sys_id"
    ? [display]
    : [];
  const evidence = evidenceFields.map((path) => {
    const segments = path.split(".");
    if (!segments.every((s) => /^[a-z0-9_]+$/.test(s))) {
      throw new CustomQueryError(`evidence field "${path}" is not a field name`, { field: path });
    }
    const ref = compiler.resolve(root, segments);
    const key = compiler.value(path);
    return `${key}, left(${ref.expr}, 500)`;
  });
  const evidenceSql = evidence.length === 0
    ? "'{}'::jsonb"
    : `jsonb_build_object(${evidence.join(", ")})`;

  const sql =
    `with _args as (select $1::uuid as instance_id, $2::jsonb as parameters, $3::timestamptz as evaluated_at)
select r.sys_id as resource_key, r.table_name, r.sys_id, 'FAIL'::text as status,
       ${evidenceSql} as evidence
from public.snow_records r
${root.joins.join("\n")}
where r.instance_id = $1::uuid and r.table_name = ${rootTable}
  and ${predicate}
order by r.sys_id`;
  const tables = [options.table, ...[...compiler.tablesRead].filter((t) => t !== options.table)];
  return {
    sql,
    parameters: { t: compiler.tables, f: compiler.fieldNames, v: compiler.values },
    tables,
    fields: Object.fromEntries(
      [...compiler.fieldsRead].map(([t, set]) => [t, [...set].sort()]),
    ),
    warnings: [...compiler.warnings].sort(),
    evidenceFields,
  };
}

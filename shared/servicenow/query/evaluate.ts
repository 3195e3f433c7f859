/**
 * In-memory evaluation of an encoded-query AST against records, with the platform's
 * semantics (docs/servicenow/api.md#query-parameters and #encoded-queries):
 *
 * - Terms on unknown fields are silently dropped (an OR-cluster left empty is dropped,
 *   and an AND-group left empty matches everything), unless
 *   `invalidQueryReturnsNoRows` is set, in which case nothing matches.
 * - Empty values (`""`) never satisfy `=` (unless the target is `""` too), IN, LIKE, STARTSWITH, ENDSWITH, comparisons,
 *   BETWEEN, ON, SAMEAS or the field-comparison operators; the negations (`!=`,
 *   NOT IN, NOT LIKE, NSAMEAS, NOTON) do match empty values (the platform adds
 *   `OR field IS NULL` to negations).
 * - Integers and decimals compare numerically, everything else lexically (datetimes
 *   are `YYYY-MM-DD HH:MM:SS` UTC, so lexical order is time order).
 * - LIKE/STARTSWITH/ENDSWITH on a reference match its display value.
 * - Values are case-sensitive unless `caseInsensitive` is set.
 *
 * The record representation is abstract: a {@link QueryResolver} turns field paths
 * (including dot-walks) into accessors.
 *
 * @module
 */

import type {
  DateGranularity,
  EncodedQuery,
  QueryOperator,
  QueryTerm,
  RelativeUnit,
  ScalarValue,
  TermValue,
} from "./ast.ts";
import {
  DYNAMIC_ME,
  formatGlideDateTime,
  parseGlideDateTime,
  resolveQueryDates,
  resolveScalar,
  shiftDate,
  unitBounds,
} from "./dates.ts";

/** How a field's string value is compared. */
export type FieldType =
  | "string"
  | "integer"
  | "decimal"
  | "boolean"
  | "datetime"
  | "date"
  | "duration"
  | "reference"
  /** Comma-separated list (glide_list, sys_user.roles): `=`/IN match any item, LIKE the whole text. */
  | "list";

/** Reads one (possibly dot-walked) field from a record. */
export interface FieldAccessor<R> {
  /** Comparison type of the final field. */
  readonly type: FieldType;
  /** The raw value as the Table API would send it (`""` when empty). */
  get(row: R): string;
  /** The display value (for references: the referenced record's display field). */
  display?(row: R): string;
}

/** Resolves field paths and the optional special terms for one table. */
export interface QueryResolver<R> {
  /** An accessor for the path, or `null` when the field does not exist. */
  field(path: readonly string[]): FieldAccessor<R> | null;
  /** A predicate for `123TEXTQUERY321=` keyword search. */
  text?(value: string): (row: R) => boolean;
  /** Count of related records (`RLQUERY`), or `null` when the table/field is unknown. */
  related?(table: string, field: string, query: EncodedQuery): ((row: R) => number) | null;
}

/** Options for {@link compileQuery}. */
export interface CompileQueryOptions {
  /** "now" for relative dates. */
  now: Date;
  /** The caller's sys_id for `gs.getUserID()` and the "Me" dynamic filter. */
  userId?: string;
  /** Models `glide.invalid_query.returns_no_rows=true`: an invalid term makes the query match nothing. */
  invalidQueryReturnsNoRows?: boolean;
  /** Compare string values case-insensitively. */
  caseInsensitive?: boolean;
}

/** A compiled query. */
export interface CompiledQuery<R> {
  /** Whether a record matches the conditions. */
  test(row: R): boolean;
  /** Comparator for the ORDERBY terms on known fields, or `null` when there are none. */
  readonly compare: ((a: R, b: R) => number) | null;
  /** Dot-joined paths of fields that do not exist (their terms were ignored). */
  readonly ignoredFields: readonly string[];
}

type Pred<R> = (row: R) => boolean;

const NUMERIC: ReadonlySet<FieldType> = new Set(["integer", "decimal"]);

function normBool(v: string): string {
  if (v === "1" || v === "true") return "true";
  if (v === "0" || v === "false") return "false";
  return v;
}

/**
 * Compares two non-empty values of a field type.
 *
 * @param type the field type
 * @param a left value
 * @param b right value
 * @returns negative, zero or positive
 */
export function compareFieldValues(type: FieldType, a: string, b: string): number {
  if (NUMERIC.has(type)) {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y) && a.trim() !== "" && b.trim() !== "") return x - y;
  }
  if (type === "boolean") {
    a = normBool(a);
    b = normBool(b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function normLiteral(type: FieldType, v: string): string {
  if (type === "boolean") return normBool(v);
  if (type === "date" && /^\d{4}-\d{2}-\d{2} /.test(v)) return v.slice(0, 10);
  if (type === "datetime" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v} 00:00:00`;
  return v;
}

function truncate(v: string, g: DateGranularity | null): string {
  if (!g || g === "second") return v;
  const d = parseGlideDateTime(v);
  if (!d) return v;
  return formatGlideDateTime(unitBounds(d, g).start);
}

function datePartOf(d: Date, part: string): number {
  switch (part) {
    case "dayofweek":
      return ((d.getUTCDay() + 6) % 7) + 1; // Monday = 1 … Sunday = 7
    case "dayofmonth":
      return d.getUTCDate();
    case "week": {
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = (t.getUTCDay() + 6) % 7;
      t.setUTCDate(t.getUTCDate() - day + 3);
      const firstThursday = new Date(Date.UTC(t.getUTCFullYear(), 0, 4));
      return 1 + Math.round(
        ((t.getTime() - firstThursday.getTime()) / 86_400_000 - 3 +
          ((firstThursday.getUTCDay() + 6) % 7)) / 7,
      );
    }
    case "month":
      return d.getUTCMonth() + 1;
    case "quarter":
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case "year":
      return d.getUTCFullYear();
    default:
      return d.getUTCHours();
  }
}

const DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/**
 * The number a `DATEPART` comparison compares with: day and month names
 * (`monday` = 1, `january` = 1) or a number as written.
 *
 * @param part the date part, e.g. `dayofweek`, `month`, `hour`
 * @param value the value the query names
 * @returns the numeric target
 */
export function datePartTarget(part: string, value: string): number {
  const v = value.toLowerCase();
  if (part === "dayofweek" && DAY_NAMES.includes(v)) return DAY_NAMES.indexOf(v) + 1;
  if (part === "month" && MONTH_NAMES.includes(v)) return MONTH_NAMES.indexOf(v) + 1;
  return Number(v);
}

/**
 * Compiles a query for repeated evaluation. Relative dates are resolved once against
 * `options.now`.
 *
 * @param query the parsed query
 * @param resolver field access for the record type
 * @param options now, user id and strictness
 * @returns the compiled predicate and comparator
 */
export function compileQuery<R>(
  query: EncodedQuery,
  resolver: QueryResolver<R>,
  options: CompileQueryOptions,
): CompiledQuery<R> {
  const resolved = resolveQueryDates(query, { now: options.now, userId: options.userId });
  const ignored = new Set<string>();
  const ci = options.caseInsensitive === true;
  const fold = ci ? (s: string) => s.toLowerCase() : (s: string) => s;

  const lookup = (path: readonly string[]): FieldAccessor<R> | null => {
    const acc = resolver.field(path);
    if (!acc) ignored.add(path.join("."));
    return acc;
  };

  const compileTerm = (t: QueryTerm): Pred<R> | null => {
    if (t.kind === "text") {
      return resolver.text ? resolver.text(t.value) : null;
    }
    if (t.kind === "related") {
      const count = resolver.related?.(t.table, t.field, t.query) ?? null;
      if (!count) {
        ignored.add(`${t.table}.${t.field}`);
        return null;
      }
      const n = t.count;
      switch (t.comparator) {
        case ">=":
          return (r) => count(r) >= n;
        case "<=":
          return (r) => count(r) <= n;
        case ">":
          return (r) => count(r) > n;
        case "<":
          return (r) => count(r) < n;
        case "=":
          return (r) => count(r) === n;
        case "!=":
          return (r) => count(r) !== n;
      }
    }
    const acc = lookup(t.field);
    if (!acc) return null;
    return compileCondition(t.field, acc, t.operator, t.value);
  };

  const compileCondition = (
    path: readonly string[],
    acc: FieldAccessor<R>,
    op: QueryOperator,
    value: TermValue,
  ): Pred<R> | null => {
    const type = acc.type;
    const get = acc.get.bind(acc);
    const textOf = type === "reference" && acc.display ? acc.display.bind(acc) : get;
    const lit = (v: ScalarValue) => normLiteral(type, resolveScalar(v, options));
    const cmp = (a: string, b: string) => compareFieldValues(type, a, b);
    const eq = type === "list"
      ? (a: string, b: string) =>
        a === b || (a !== "" && a.split(",").some((item) => fold(item) === fold(b)))
      : (a: string, b: string) =>
        NUMERIC.has(type) || type === "boolean" ? cmp(a, b) === 0 : fold(a) === fold(b);

    switch (op) {
      case "ANYTHING":
        return () => true;
      case "ISEMPTY":
      case "EMPTYSTRING":
        return (r) => get(r) === "";
      case "ISNOTEMPTY":
        return (r) => get(r) !== "";
      case "=":
      case "!=": {
        if (value.kind !== "literal" && value.kind !== "script") return null;
        const target = lit(value);
        if (op === "=") return (r) => eq(get(r), target);
        return (r) => !eq(get(r), target);
      }
      case "IN":
      case "NOT IN": {
        let values: string[];
        if (value.kind === "list") values = value.values.map((v) => normLiteral(type, v));
        else if (value.kind === "literal" || value.kind === "script") values = [lit(value)];
        else return null;
        const set = new Set(values.map(fold));
        const has = type === "list"
          ? (v: string) => v !== "" && v.split(",").some((item) => set.has(fold(item)))
          : NUMERIC.has(type) || type === "boolean"
          ? (v: string) => v !== "" && values.some((x) => cmp(v, x) === 0)
          : (v: string) => v !== "" && set.has(fold(v));
        if (op === "IN") return (r) => has(get(r));
        return (r) => !has(get(r));
      }
      case "LIKE":
      case "NOT LIKE":
      case "STARTSWITH":
      case "ENDSWITH": {
        if (value.kind !== "literal" && value.kind !== "script") return null;
        const needle = fold(resolveScalar(value, options));
        const match = op === "STARTSWITH"
          ? (v: string) => v !== "" && fold(v).startsWith(needle)
          : op === "ENDSWITH"
          ? (v: string) => v !== "" && fold(v).endsWith(needle)
          : (v: string) => v !== "" && fold(v).includes(needle);
        if (op === "NOT LIKE") return (r) => !match(textOf(r));
        return (r) => match(textOf(r));
      }
      case "<":
      case "<=":
      case ">":
      case ">=": {
        if (value.kind !== "literal" && value.kind !== "script") return null;
        const target = lit(value);
        const ok = op === "<"
          ? (c: number) => c < 0
          : op === "<="
          ? (c: number) => c <= 0
          : op === ">"
          ? (c: number) => c > 0
          : (c: number) => c >= 0;
        return (r) => {
          const v = get(r);
          return v !== "" && ok(cmp(v, target));
        };
      }
      case "BETWEEN": {
        if (value.kind !== "range") return null;
        const low = lit(value.low);
        const high = lit(value.high);
        return (r) => {
          const v = get(r);
          return v !== "" && cmp(v, low) >= 0 && cmp(v, high) <= 0;
        };
      }
      case "ON":
      case "NOTON": {
        if (value.kind !== "date_span") return null;
        const start = lit(value.start);
        const end = lit(value.end);
        const inside = (v: string) => v !== "" && cmp(v, start) >= 0 && cmp(v, end) <= 0;
        if (op === "ON") return (r) => inside(get(r));
        return (r) => !inside(get(r));
      }
      case "SAMEAS":
      case "NSAMEAS":
      case "GT_FIELD":
      case "LT_FIELD":
      case "GT_OR_EQUALS_FIELD":
      case "LT_OR_EQUALS_FIELD": {
        if (value.kind !== "field") return null;
        const other = lookup(value.field);
        if (!other) return null;
        const g = value.granularity;
        const same = (r: R) => {
          const a = get(r);
          const b = other.get(r);
          return a !== "" && b !== "" && eq(truncate(a, g), truncate(b, g));
        };
        if (op === "SAMEAS") return same;
        if (op === "NSAMEAS") return (r) => !same(r);
        const ok = op === "GT_FIELD"
          ? (c: number) => c > 0
          : op === "LT_FIELD"
          ? (c: number) => c < 0
          : op === "GT_OR_EQUALS_FIELD"
          ? (c: number) => c >= 0
          : (c: number) => c <= 0;
        return (r) => {
          const a = get(r);
          const b = other.get(r);
          return a !== "" && b !== "" && ok(cmp(a, b));
        };
      }
      case "MORETHAN":
      case "LESSTHAN": {
        if (value.kind !== "field_offset") return null;
        const other = lookup(value.field);
        if (!other) return null;
        const unit: RelativeUnit = value.unit;
        const amount = value.amount;
        const before = value.direction === "before";
        return (r) => {
          const a = parseGlideDateTime(get(r));
          const b = parseGlideDateTime(other.get(r));
          if (!a || !b) return false;
          const edge = shiftDate(b, unit, before ? -amount : amount).getTime();
          const at = a.getTime();
          const base = b.getTime();
          if (op === "MORETHAN") return before ? at < edge : at > edge;
          return before ? at > edge && at <= base : at >= base && at < edge;
        };
      }
      case "DATEPART": {
        if (value.kind !== "date_part") return null;
        const target = datePartTarget(value.part, value.partValue);
        const part = value.part;
        const c = value.comparator;
        return (r) => {
          const d = parseGlideDateTime(get(r));
          if (!d) return false;
          const p = datePartOf(d, part);
          switch (c) {
            case "EQ":
              return p === target;
            case "NE":
              return p !== target;
            case "GT":
              return p > target;
            case "GE":
              return p >= target;
            case "LT":
              return p < target;
            case "LE":
              return p <= target;
          }
        };
      }
      case "DYNAMIC":
      case "IN_HIERARCHY_DYNAMIC":
      case "IN_HIERARCHY": {
        if (value.kind !== "literal" && value.kind !== "script") return null;
        let target = resolveScalar(value, options);
        if (op !== "IN_HIERARCHY") {
          if (target !== DYNAMIC_ME || !options.userId) return () => false;
          target = options.userId;
        }
        if (op === "DYNAMIC") return (r) => get(r) === target;
        return hierarchy(path, acc, target);
      }
      default:
        // RELATIVE* were rewritten by resolveQueryDates.
        return null;
    }
  };

  /** IN_HIERARCHY: the reference or any ancestor through `parent` (up to 10 levels) is the target. */
  const hierarchy = (path: readonly string[], acc: FieldAccessor<R>, target: string): Pred<R> => {
    const chain: FieldAccessor<R>[] = [acc];
    let p = [...path];
    for (let i = 0; i < 10; i++) {
      p = [...p, "parent"];
      const a = resolver.field(p);
      if (!a) break;
      chain.push(a);
    }
    return (r) => chain.some((a) => a.get(r) === target);
  };

  const groups: Pred<R>[] = [];
  let anyGroup = false;
  for (const g of resolved.groups) {
    anyGroup = true;
    const clusterPreds: Pred<R>[] = [];
    for (const c of g.clusters) {
      const preds = c.terms.map(compileTerm).filter((p): p is Pred<R> => p !== null);
      if (preds.length === 0) continue;
      clusterPreds.push(preds.length === 1 ? preds[0]! : (r) => preds.some((p) => p(r)));
    }
    groups.push(
      clusterPreds.length === 0
        ? () => true
        : clusterPreds.length === 1
        ? clusterPreds[0]!
        : (r) => clusterPreds.every((p) => p(r)),
    );
  }

  const orderAccessors: { acc: FieldAccessor<R>; dir: number }[] = [];
  for (const o of resolved.orderBy) {
    const acc = resolver.field(o.field);
    if (acc) orderAccessors.push({ acc, dir: o.direction === "desc" ? -1 : 1 });
    else ignored.add(o.field.join("."));
  }

  let test: Pred<R>;
  if (options.invalidQueryReturnsNoRows && ignored.size > 0) test = () => false;
  else if (!anyGroup) test = () => true;
  else if (groups.length === 1) test = groups[0]!;
  else test = (r) => groups.some((p) => p(r));

  const compare = orderAccessors.length === 0 ? null : (a: R, b: R) => {
    for (const { acc, dir } of orderAccessors) {
      const x = acc.get(a);
      const y = acc.get(b);
      if (x === y) continue;
      if (x === "") return -dir;
      if (y === "") return dir;
      const c = compareFieldValues(acc.type, x, y);
      if (c !== 0) return c * dir;
    }
    return 0;
  };

  return { test, compare, ignoredFields: [...ignored] };
}

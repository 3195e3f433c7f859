/**
 * Typed AST of a ServiceNow encoded query (docs/servicenow/api.md#encoded-queries).
 *
 * Shape: a query is a disjunction of AND-groups (split by `^NQ`); each group is a
 * conjunction of OR-clusters (split by `^`); each cluster is a disjunction of terms
 * (joined by `^OR`). Ordering terms (`ORDERBY`/`ORDERBYDESC`) are collected in
 * `orderBy`, first = highest priority. The AST is deliberately explicit so it can be
 * compiled to SQL as well as evaluated in memory.
 *
 * @module
 */

/** Canonical operators. Aliases (`*`, `!*`, `%`, `EMPTY`, `NOTEMPTY`, `NOTLIKE`, `NOTIN`) parse to these. */
export const QUERY_OPERATORS = [
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "IN",
  "NOT IN",
  "LIKE",
  "NOT LIKE",
  "STARTSWITH",
  "ENDSWITH",
  "ISEMPTY",
  "ISNOTEMPTY",
  "EMPTYSTRING",
  "ANYTHING",
  "BETWEEN",
  "SAMEAS",
  "NSAMEAS",
  "GT_FIELD",
  "LT_FIELD",
  "GT_OR_EQUALS_FIELD",
  "LT_OR_EQUALS_FIELD",
  "MORETHAN",
  "LESSTHAN",
  "ON",
  "NOTON",
  "RELATIVEGT",
  "RELATIVELT",
  "RELATIVEGE",
  "RELATIVELE",
  "RELATIVEEE",
  "DATEPART",
  "DYNAMIC",
  "IN_HIERARCHY",
  "IN_HIERARCHY_DYNAMIC",
] as const;

/** One canonical encoded-query operator. */
export type QueryOperator = typeof QUERY_OPERATORS[number];

/** Spellings accepted by the parser that normalise to a canonical operator. */
export const OPERATOR_ALIASES: Readonly<Record<string, QueryOperator>> = {
  "*": "LIKE",
  "!*": "NOT LIKE",
  "%": "ENDSWITH",
  "EMPTY": "ISEMPTY",
  "NOTEMPTY": "ISNOTEMPTY",
  "NOTLIKE": "NOT LIKE",
  "NOTIN": "NOT IN",
};

/** GlideSystem functions accepted in `javascript:` values (everything else is rejected). */
export const GLIDE_DATE_FUNCTIONS = [
  "daysAgo",
  "daysAgoStart",
  "daysAgoEnd",
  "beginningOfToday",
  "endOfToday",
  "beginningOfYesterday",
  "endOfYesterday",
  "beginningOfLast30Days",
  "beginningOfLast90Days",
  "beginningOfLast6Months",
  "dateGenerate",
  "getUserID",
] as const;

/** A whitelisted GlideSystem function name. */
export type GlideFunction = typeof GLIDE_DATE_FUNCTIONS[number];

/** A parsed `javascript:gs.fn(args)` value. Arguments are integers or strings. */
export interface ScriptCall {
  readonly fn: GlideFunction;
  readonly args: readonly (string | number)[];
}

/** A literal string value. */
export interface LiteralValue {
  readonly kind: "literal";
  readonly value: string;
}

/** A `javascript:` value restricted to the GlideSystem whitelist. */
export interface ScriptValue {
  readonly kind: "script";
  readonly call: ScriptCall;
}

/** A single value: literal text or a whitelisted script call. */
export type ScalarValue = LiteralValue | ScriptValue;

/** Units accepted by RELATIVE* and MORETHAN/LESSTHAN. `dayofweek` is the UI's name for days. */
export const RELATIVE_UNITS = [
  "minute",
  "hour",
  "day",
  "dayofweek",
  "week",
  "month",
  "quarter",
  "year",
] as const;

/** A relative-date unit. */
export type RelativeUnit = typeof RELATIVE_UNITS[number];

/** Granularities accepted after `@` on SAMEAS/NSAMEAS for date fields. */
export const DATE_GRANULARITIES = [
  "second",
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "quarter",
  "year",
] as const;

/** A date comparison granularity. */
export type DateGranularity = typeof DATE_GRANULARITIES[number];

/** Date parts accepted by DATEPART. */
export const DATE_PARTS = [
  "dayofweek",
  "dayofmonth",
  "week",
  "month",
  "quarter",
  "year",
  "hour",
] as const;

/** A DATEPART part name. */
export type DatePartName = typeof DATE_PARTS[number];

/** DATEPART comparators as they appear in `gs.datePart(part, value, cmp)`. */
export const DATE_PART_COMPARATORS = ["EQ", "NE", "GT", "GE", "LT", "LE"] as const;

/** A DATEPART comparator. */
export type DatePartComparator = typeof DATE_PART_COMPARATORS[number];

/** The value of a condition term; which kind appears depends on the operator. */
export type TermValue =
  /** ISEMPTY, ISNOTEMPTY, EMPTYSTRING, ANYTHING. */
  | { readonly kind: "none" }
  /** =, !=, <, <=, >, >=, LIKE, NOT LIKE, STARTSWITH, ENDSWITH, DYNAMIC, IN_HIERARCHY*; IN with a script. */
  | ScalarValue
  /** IN, NOT IN: comma-separated list. */
  | { readonly kind: "list"; readonly values: readonly string[] }
  /** BETWEEN `low@high`. */
  | { readonly kind: "range"; readonly low: ScalarValue; readonly high: ScalarValue }
  /** SAMEAS, NSAMEAS, GT_FIELD, LT_FIELD, GT_OR_EQUALS_FIELD, LT_OR_EQUALS_FIELD: another field of the same record. */
  | {
    readonly kind: "field";
    readonly field: readonly string[];
    readonly granularity: DateGranularity | null;
  }
  /** MORETHAN, LESSTHAN: `other@unit@before|after@amount`. */
  | {
    readonly kind: "field_offset";
    readonly field: readonly string[];
    readonly unit: RelativeUnit;
    readonly direction: "before" | "after";
    readonly amount: number;
  }
  /** ON, NOTON: `label@start@end`. */
  | {
    readonly kind: "date_span";
    readonly label: string;
    readonly start: ScalarValue;
    readonly end: ScalarValue;
  }
  /** RELATIVEGT/LT/GE/LE/EE: `@unit@ago|ahead@amount`. */
  | {
    readonly kind: "relative";
    readonly unit: RelativeUnit;
    readonly direction: "ago" | "ahead";
    readonly amount: number;
  }
  /** DATEPART: `label@javascript:gs.datePart('part','value','CMP')`. */
  | {
    readonly kind: "date_part";
    readonly label: string;
    readonly part: DatePartName;
    readonly partValue: string;
    readonly comparator: DatePartComparator;
  };

/** `<field><OPERATOR><value>`; `field` is the dot-walk path (`user.active` → `["user","active"]`). */
export interface ConditionTerm {
  readonly kind: "condition";
  readonly field: readonly string[];
  readonly operator: QueryOperator;
  readonly value: TermValue;
}

/** Keyword search: `123TEXTQUERY321=<text>`. */
export interface TextTerm {
  readonly kind: "text";
  readonly value: string;
}

/** Comparators allowed in a related-list query count. */
export const RELATED_COMPARATORS = [">=", "<=", "!=", ">", "<", "="] as const;

/** A related-list count comparator. */
export type RelatedComparator = typeof RELATED_COMPARATORS[number];

/** Related-list query: `RLQUERY<table>.<field>,<cmp><count>[,<query>]^ENDRLQUERY`. */
export interface RelatedTerm {
  readonly kind: "related";
  readonly table: string;
  readonly field: string;
  readonly comparator: RelatedComparator;
  readonly count: number;
  readonly query: EncodedQuery;
}

/** One term of an OR-cluster. */
export type QueryTerm = ConditionTerm | TextTerm | RelatedTerm;

/** Terms joined by `^OR` (any may match). */
export interface OrCluster {
  readonly terms: readonly QueryTerm[];
}

/** OR-clusters joined by `^` (all must match). */
export interface AndGroup {
  readonly clusters: readonly OrCluster[];
}

/** One ORDERBY / ORDERBYDESC term. */
export interface OrderBy {
  readonly field: readonly string[];
  readonly direction: "asc" | "desc";
}

/** A whole encoded query: `groups` are OR-ed (`^NQ`); an empty list matches every record. */
export interface EncodedQuery {
  readonly groups: readonly AndGroup[];
  readonly orderBy: readonly OrderBy[];
}

/** The query that matches everything and imposes no order. */
export const EMPTY_QUERY: EncodedQuery = { groups: [], orderBy: [] };

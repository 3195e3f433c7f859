/**
 * Parser for ServiceNow encoded queries (docs/servicenow/api.md#encoded-queries).
 *
 * Lexical rules:
 * - Terms are separated by `^` (AND), `^OR` (OR with the previous term) and `^NQ`
 *   (new AND-group). `^EQ` ends the conditions; only ORDERBY terms may follow it.
 * - A literal `^` inside a value is written `^^` (the platform's escape).
 * - Field names are lowercase identifiers (`[a-z0-9_]`), dot-walked with `.`.
 *   Operators and keywords are uppercase, so the first uppercase letter or symbol
 *   after a field starts the operator. The longest operator that prefixes the text
 *   wins, so `nameSTARTSWITHAB` is STARTSWITH "AB".
 * - `javascript:` values are accepted only for the GlideSystem date helpers listed in
 *   {@link GLIDE_DATE_FUNCTIONS}; anything else is an error.
 * - Error positions are 0-based character offsets into the query string.
 *
 * @module
 */

import {
  type AndGroup,
  type ConditionTerm,
  DATE_GRANULARITIES,
  DATE_PART_COMPARATORS,
  DATE_PARTS,
  type DateGranularity,
  type DatePartComparator,
  type DatePartName,
  type EncodedQuery,
  GLIDE_DATE_FUNCTIONS,
  type GlideFunction,
  OPERATOR_ALIASES,
  type OrCluster,
  type OrderBy,
  QUERY_OPERATORS,
  type QueryOperator,
  type QueryTerm,
  RELATED_COMPARATORS,
  type RelatedComparator,
  type RelatedTerm,
  RELATIVE_UNITS,
  type RelativeUnit,
  type ScalarValue,
  type ScriptCall,
  type TermValue,
} from "./ast.ts";

/** Thrown when an encoded query cannot be parsed; carries the 0-based position. */
export class QueryParseError extends Error {
  /** 0-based offset of the offending text in the query. */
  readonly position: number;
  /** The reason without the position prefix, e.g. `unknown operator "FOO"`. */
  readonly reason: string;
  /** The query that failed to parse. */
  readonly query: string;

  /**
   * @param query the full query text
   * @param position 0-based offset of the problem
   * @param reason what is wrong, in lower case
   */
  constructor(query: string, position: number, reason: string) {
    super(`Cannot parse encoded query at ${position}: ${reason}`);
    this.name = "QueryParseError";
    this.position = position;
    this.reason = reason;
    this.query = query;
  }
}

const OPERATOR_TOKENS: readonly (readonly [string, QueryOperator])[] = [
  ...QUERY_OPERATORS.map((op) => [op, op] as const),
  ...Object.entries(OPERATOR_ALIASES),
].sort((a, b) => b[0].length - a[0].length);

const NO_VALUE_OPERATORS: ReadonlySet<QueryOperator> = new Set([
  "ISEMPTY",
  "ISNOTEMPTY",
  "EMPTYSTRING",
  "ANYTHING",
]);
const FIELD_OPERATORS: ReadonlySet<QueryOperator> = new Set([
  "SAMEAS",
  "NSAMEAS",
  "GT_FIELD",
  "LT_FIELD",
  "GT_OR_EQUALS_FIELD",
  "LT_OR_EQUALS_FIELD",
]);
const RELATIVE_OPERATORS: ReadonlySet<QueryOperator> = new Set([
  "RELATIVEGT",
  "RELATIVELT",
  "RELATIVEGE",
  "RELATIVELE",
  "RELATIVEEE",
]);

const TEXT_QUERY_PREFIX = "123TEXTQUERY321=";
const SEGMENT = /^[a-z0-9_]+/;

/**
 * Parses an encoded query into its typed AST.
 *
 * @param text the encoded query, e.g. `active=true^roles=admin^ORDERBYsys_id`
 * @returns the AST; an empty string yields a query that matches everything
 * @throws {QueryParseError} with the position and reason of the first problem
 * @example
 * ```ts
 * const q = parseEncodedQuery("a=1^b=2^ORb=3^NQc=4");
 * q.groups.length; // 2
 * ```
 */
export function parseEncodedQuery(text: string): EncodedQuery {
  return new Parser(text, text, 0).parseQuery(null);
}

class Parser {
  pos = 0;

  constructor(
    readonly full: string,
    readonly text: string,
    readonly base: number,
  ) {}

  fail(at: number, reason: string): never {
    throw new QueryParseError(this.full, this.base + at, reason);
  }

  startsWith(token: string, at = this.pos): boolean {
    return this.text.startsWith(token, at);
  }

  parseQuery(stopAt: number | null): EncodedQuery {
    const end = stopAt ?? this.text.length;
    const groups: AndGroup[] = [];
    const orderBy: OrderBy[] = [];
    let clusters: OrCluster[] = [];
    let ended = false;
    let first = true;
    if (this.text[this.pos] === "^" && this.text[this.pos + 1] !== "^") this.pos++; // leading "^"

    while (this.pos < end) {
      let kind: "and" | "or" = "and";
      if (!first) {
        if (this.text[this.pos] !== "^") this.fail(this.pos, `expected "^"`);
        this.pos++;
        if (this.pos >= end) break; // tolerate a trailing "^"
      }
      first = false;
      const segStart = this.pos;
      if (this.startsWith("NQ")) {
        if (ended) this.fail(segStart, `unexpected "^NQ" after "^EQ"`);
        this.pos += 2;
        if (clusters.length > 0) groups.push({ clusters });
        clusters = [];
        first = this.pos >= end || this.text[this.pos] === "^" ? false : true;
        continue;
      }
      if (this.startsWith("EQ") && (this.pos + 2 === end || this.text[this.pos + 2] === "^")) {
        this.pos += 2;
        ended = true;
        continue;
      }
      if (this.startsWith("ORDERBY")) {
        this.pos += 7;
        let direction: "asc" | "desc" = "asc";
        if (this.startsWith("DESC")) {
          direction = "desc";
          this.pos += 4;
        }
        const field = this.readField("ORDERBY");
        orderBy.push({ field, direction });
        this.expectTermEnd(end);
        continue;
      }
      if (ended) this.fail(segStart, `unexpected condition after "^EQ"`);
      if (this.startsWith("OR")) {
        kind = "or";
        this.pos += 2;
      }
      const term = this.parseTerm(end);
      if (kind === "or") {
        const last = clusters[clusters.length - 1];
        if (!last) this.fail(segStart, `"^OR" has no preceding condition`);
        clusters[clusters.length - 1] = { terms: [...last.terms, term] };
      } else {
        clusters.push({ terms: [term] });
      }
    }
    if (clusters.length > 0) groups.push({ clusters });
    return { groups, orderBy };
  }

  expectTermEnd(end: number): void {
    if (this.pos < end && this.text[this.pos] !== "^") {
      this.fail(this.pos, `unexpected text "${this.text.slice(this.pos, end).split("^")[0]}"`);
    }
  }

  readField(context: string): string[] {
    const start = this.pos;
    const segments: string[] = [];
    for (;;) {
      const match = SEGMENT.exec(this.text.slice(this.pos));
      if (!match) {
        if (segments.length === 0) {
          const found = this.pos < this.text.length ? `"${this.text[this.pos]}"` : "end of query";
          this.fail(start, `expected a field name after ${context}, found ${found}`);
        }
        this.fail(this.pos, `expected a field name after "."`);
      }
      segments.push(match[0]);
      this.pos += match[0].length;
      if (this.text[this.pos] !== ".") return segments;
      this.pos++;
    }
  }

  /** Reads a value up to the next unescaped `^` (or `end`), decoding `^^` to `^`. */
  readRaw(end: number): string {
    let out = "";
    while (this.pos < end) {
      const ch = this.text[this.pos];
      if (ch === "^") {
        if (this.text[this.pos + 1] === "^" && this.pos + 1 < end) {
          out += "^";
          this.pos += 2;
          continue;
        }
        break;
      }
      out += ch;
      this.pos++;
    }
    return out;
  }

  parseTerm(end: number): QueryTerm {
    if (this.startsWith("RLQUERY")) return this.parseRelated(end);
    if (this.startsWith(TEXT_QUERY_PREFIX)) {
      this.pos += TEXT_QUERY_PREFIX.length;
      return { kind: "text", value: this.readRaw(end) };
    }
    const fieldStart = this.pos;
    if (this.pos >= end) this.fail(this.pos, "expected a condition, found end of query");
    if (!SEGMENT.test(this.text.slice(this.pos, this.pos + 1))) {
      const token = this.operatorRun(end) || this.text[this.pos];
      this.fail(fieldStart, `expected a field name, found "${token}"`);
    }
    const field = this.readField("condition");
    const operator = this.readOperator(end);
    const valueStart = this.pos;
    const raw = this.readRaw(end);
    const value = this.interpretValue(operator, raw, valueStart);
    const term: ConditionTerm = { kind: "condition", field, operator, value };
    return term;
  }

  operatorRun(end: number): string {
    const rest = this.text.slice(this.pos, end);
    const letters = /^[A-Z_]+/.exec(rest);
    if (letters) return letters[0];
    const symbols = /^[=!<>*%]+/.exec(rest);
    return symbols ? symbols[0] : "";
  }

  readOperator(end: number): QueryOperator {
    for (const [token, op] of OPERATOR_TOKENS) {
      if (this.pos + token.length <= end && this.startsWith(token)) {
        this.pos += token.length;
        return op;
      }
    }
    const run = this.operatorRun(end);
    if (run) this.fail(this.pos, `unknown operator "${run}"`);
    if (this.pos >= end || this.text[this.pos] === "^") {
      this.fail(this.pos, "missing operator after field name");
    }
    this.fail(this.pos, `unknown operator "${this.text[this.pos]}"`);
  }

  interpretValue(op: QueryOperator, raw: string, at: number): TermValue {
    if (NO_VALUE_OPERATORS.has(op)) {
      if (raw !== "") this.fail(at, `operator "${op}" takes no value, found "${raw}"`);
      return { kind: "none" };
    }
    switch (op) {
      case "IN":
      case "NOT IN":
        if (raw.startsWith("javascript:")) return this.parseScalar(raw, at);
        return { kind: "list", values: raw === "" ? [] : raw.split(",") };
      case "BETWEEN": {
        const parts = this.splitAt(raw, at, 2, 'BETWEEN needs "low@high"');
        return {
          kind: "range",
          low: this.parseScalar(parts[0]!.text, parts[0]!.at),
          high: this.parseScalar(parts[1]!.text, parts[1]!.at),
        };
      }
      case "ON":
      case "NOTON": {
        const parts = this.splitAt(raw, at, 3, `${op} needs "label@start@end"`);
        return {
          kind: "date_span",
          label: parts[0]!.text,
          start: this.parseScalar(parts[1]!.text, parts[1]!.at),
          end: this.parseScalar(parts[2]!.text, parts[2]!.at),
        };
      }
      case "MORETHAN":
      case "LESSTHAN": {
        const parts = this.splitAt(raw, at, 4, `${op} needs "field@unit@before|after@amount"`);
        const direction = parts[2]!.text;
        if (direction !== "before" && direction !== "after") {
          this.fail(parts[2]!.at, `expected "before" or "after", found "${direction}"`);
        }
        return {
          kind: "field_offset",
          field: this.fieldPath(parts[0]!.text, parts[0]!.at),
          unit: this.unit(parts[1]!.text, parts[1]!.at),
          direction,
          amount: this.integer(parts[3]!.text, parts[3]!.at),
        };
      }
      case "DATEPART":
        return this.parseDatePart(raw, at);
      default:
        break;
    }
    if (FIELD_OPERATORS.has(op)) {
      const parts = raw.split("@");
      if (parts.length > 2 || (parts.length === 2 && op !== "SAMEAS" && op !== "NSAMEAS")) {
        this.fail(
          at,
          `${op} needs a field name${op.endsWith("SAMEAS") ? " and optional @granularity" : ""}`,
        );
      }
      let granularity: DateGranularity | null = null;
      if (parts.length === 2) {
        const g = parts[1]!;
        if (!(DATE_GRANULARITIES as readonly string[]).includes(g)) {
          this.fail(at + parts[0]!.length + 1, `unknown date granularity "${g}"`);
        }
        granularity = g as DateGranularity;
      }
      return { kind: "field", field: this.fieldPath(parts[0]!, at), granularity };
    }
    if (RELATIVE_OPERATORS.has(op)) {
      const parts = this.splitAt(raw, at, 4, `${op} needs "@unit@ago|ahead@amount"`);
      if (parts[0]!.text !== "") this.fail(at, `${op} value must start with "@"`);
      const direction = parts[2]!.text;
      if (direction !== "ago" && direction !== "ahead") {
        this.fail(parts[2]!.at, `expected "ago" or "ahead", found "${direction}"`);
      }
      return {
        kind: "relative",
        unit: this.unit(parts[1]!.text, parts[1]!.at),
        direction,
        amount: this.integer(parts[3]!.text, parts[3]!.at),
      };
    }
    return this.parseScalar(raw, at);
  }

  splitAt(
    raw: string,
    at: number,
    count: number,
    reason: string,
  ): { text: string; at: number }[] {
    const pieces = raw.split("@");
    if (pieces.length !== count) this.fail(at, reason);
    const out: { text: string; at: number }[] = [];
    let offset = at;
    for (const piece of pieces) {
      out.push({ text: piece, at: offset });
      offset += piece.length + 1;
    }
    return out;
  }

  fieldPath(text: string, at: number): string[] {
    const segments = text.split(".");
    segments.forEach((s, i) => {
      if (!/^[a-z0-9_]+$/.test(s)) {
        const offset = segments.slice(0, i).reduce((n, p) => n + p.length + 1, 0);
        this.fail(at + offset, `invalid field name "${text}"`);
      }
    });
    return segments;
  }

  unit(text: string, at: number): RelativeUnit {
    if (!(RELATIVE_UNITS as readonly string[]).includes(text)) {
      this.fail(at, `unknown date unit "${text}"`);
    }
    return text as RelativeUnit;
  }

  integer(text: string, at: number): number {
    if (!/^\d+$/.test(text)) this.fail(at, `expected a whole number, found "${text}"`);
    return Number(text);
  }

  parseScalar(raw: string, at: number): ScalarValue {
    if (!raw.startsWith("javascript:")) return { kind: "literal", value: raw };
    return { kind: "script", call: this.parseScript(raw, at) };
  }

  parseDatePart(raw: string, at: number): TermValue {
    const sep = raw.indexOf("@");
    if (sep < 0) this.fail(at, `DATEPART needs "label@javascript:gs.datePart(...)"`);
    const label = raw.slice(0, sep);
    const scriptAt = at + sep + 1;
    const script = raw.slice(sep + 1);
    const match = /^javascript:\s*gs\.datePart\((.*)\)\s*;?\s*$/.exec(script);
    if (!match) {
      this.fail(scriptAt, `DATEPART needs "javascript:gs.datePart(part, value, comparator)"`);
    }
    const args = this.parseArgs(match[1]!, scriptAt + script.indexOf("(") + 1);
    const [part, partValue, comparator] = args;
    if (args.length !== 3 || args.some((a) => typeof a !== "string")) {
      this.fail(scriptAt, "gs.datePart() needs three string arguments");
    }
    if (!(DATE_PARTS as readonly string[]).includes(part as string)) {
      this.fail(scriptAt, `unknown date part "${part}"`);
    }
    if (!(DATE_PART_COMPARATORS as readonly string[]).includes(comparator as string)) {
      this.fail(scriptAt, `unknown date part comparator "${comparator}"`);
    }
    return {
      kind: "date_part",
      label,
      part: part as DatePartName,
      partValue: partValue as string,
      comparator: comparator as DatePartComparator,
    };
  }

  parseScript(raw: string, at: number): ScriptCall {
    const body = raw.slice("javascript:".length);
    const match = /^\s*gs\.([A-Za-z0-9_]+)\s*\((.*)\)\s*;?\s*$/.exec(body);
    if (!match) {
      this.fail(
        at,
        `javascript value "${raw}" is not allowed: only GlideSystem date helpers (gs.daysAgo(), gs.beginningOfToday(), …) are accepted`,
      );
    }
    const name = match[1]!;
    if (!(GLIDE_DATE_FUNCTIONS as readonly string[]).includes(name)) {
      this.fail(at, `javascript function "gs.${name}" is not allowed`);
    }
    const fn = name as GlideFunction;
    const args = this.parseArgs(match[2]!, at + raw.indexOf("(") + 1);
    this.checkArgs(fn, args, at);
    return { fn, args };
  }

  parseArgs(text: string, at: number): (string | number)[] {
    const args: (string | number)[] = [];
    let i = 0;
    const skip = () => {
      while (i < text.length && /\s/.test(text[i]!)) i++;
    };
    skip();
    if (i >= text.length) return args;
    for (;;) {
      skip();
      const ch = text[i];
      if (ch === "'" || ch === '"') {
        const close = text.indexOf(ch, i + 1);
        if (close < 0) this.fail(at + i, "unterminated string argument");
        args.push(text.slice(i + 1, close));
        i = close + 1;
      } else {
        const num = /^-?\d+/.exec(text.slice(i));
        if (!num) this.fail(at + i, `unsupported argument "${text.slice(i).trim()}"`);
        args.push(Number(num[0]));
        i += num[0].length;
      }
      skip();
      if (i >= text.length) return args;
      if (text[i] !== ",") this.fail(at + i, `expected "," between arguments`);
      i++;
    }
  }

  checkArgs(fn: GlideFunction, args: (string | number)[], at: number): void {
    const bad = (what: string): never => this.fail(at, `gs.${fn}() ${what}`);
    switch (fn) {
      case "daysAgo":
      case "daysAgoStart":
      case "daysAgoEnd":
        if (args.length !== 1 || typeof args[0] !== "number") {
          bad("needs one whole-number argument");
        }
        return;
      case "dateGenerate": {
        if (args.length < 1 || args.length > 2 || args.some((a) => typeof a !== "string")) {
          bad("needs a date and an optional time as strings");
        }
        const [date, time] = args as string[];
        if (args.length === 1) {
          if (!/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(date!)) {
            bad(`needs a date like "2024-01-31", found "${date}"`);
          }
          return;
        }
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date!)) {
          bad(`needs a date like "2024-01-31", found "${date}"`);
        }
        if (!/^(\d{2}:\d{2}:\d{2}|start|end)$/.test(time!)) {
          bad(`needs a time like "00:00:00", "start" or "end", found "${time}"`);
        }
        return;
      }
      default:
        if (args.length !== 0) bad("takes no arguments");
    }
  }

  parseRelated(end: number): RelatedTerm {
    const start = this.pos;
    this.pos += "RLQUERY".length;
    const target = /^([a-z0-9_]+)\.([a-z0-9_]+),/.exec(this.text.slice(this.pos, end));
    if (!target) this.fail(this.pos, `RLQUERY needs "table.field,"`);
    this.pos += target[0].length;
    const comparator = RELATED_COMPARATORS.find((c) => this.startsWith(c));
    if (!comparator) this.fail(this.pos, 'RLQUERY needs a count comparator such as ">="');
    this.pos += comparator.length;
    const count = /^\d+/.exec(this.text.slice(this.pos, end));
    if (!count) this.fail(this.pos, "RLQUERY needs a whole-number count");
    this.pos += count[0].length;
    const closer = this.text.indexOf("^ENDRLQUERY", this.pos);
    if (closer < 0 || closer >= end) this.fail(start, `RLQUERY is missing "^ENDRLQUERY"`);
    let query: EncodedQuery = { groups: [], orderBy: [] };
    if (this.text[this.pos] === ",") {
      const inner = new Parser(
        this.full,
        this.text.slice(this.pos + 1, closer),
        this.base + this.pos + 1,
      );
      query = inner.parseQuery(null);
    } else if (this.pos !== closer) {
      this.fail(this.pos, `unexpected text in RLQUERY`);
    }
    this.pos = closer + "^ENDRLQUERY".length;
    return {
      kind: "related",
      table: target[1]!,
      field: target[2]!,
      comparator: comparator as RelatedComparator,
      count: Number(count[0]),
      query,
    };
  }
}

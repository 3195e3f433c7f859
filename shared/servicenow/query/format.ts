/**
 * Serialises an encoded-query AST back to the `^`-joined text form. For every AST the
 * parser can produce, `parseEncodedQuery(formatEncodedQuery(ast))` equals `ast`.
 *
 * @module
 */

import type {
  EncodedQuery,
  OrderBy,
  QueryTerm,
  ScalarValue,
  ScriptCall,
  TermValue,
} from "./ast.ts";

/** Escapes `^` inside a value as `^^`. */
function esc(text: string): string {
  return text.replaceAll("^", "^^");
}

function formatArg(arg: string | number): string {
  return typeof arg === "number" ? String(arg) : `'${arg}'`;
}

/**
 * Formats a whitelisted script call as `javascript:gs.fn(args)`.
 *
 * @param call the call
 * @returns the `javascript:` text
 */
export function formatScriptCall(call: ScriptCall): string {
  return `javascript:gs.${call.fn}(${call.args.map(formatArg).join(",")})`;
}

function scalar(v: ScalarValue): string {
  return v.kind === "literal" ? esc(v.value) : formatScriptCall(v.call);
}

function value(v: TermValue): string {
  switch (v.kind) {
    case "none":
      return "";
    case "literal":
    case "script":
      return scalar(v);
    case "list":
      return v.values.map(esc).join(",");
    case "range":
      return `${scalar(v.low)}@${scalar(v.high)}`;
    case "field":
      return v.field.join(".") + (v.granularity ? `@${v.granularity}` : "");
    case "field_offset":
      return `${v.field.join(".")}@${v.unit}@${v.direction}@${v.amount}`;
    case "date_span":
      return `${esc(v.label)}@${scalar(v.start)}@${scalar(v.end)}`;
    case "relative":
      return `@${v.unit}@${v.direction}@${v.amount}`;
    case "date_part":
      return `${
        esc(v.label)
      }@javascript:gs.datePart('${v.part}','${v.partValue}','${v.comparator}')`;
  }
}

function term(t: QueryTerm): string {
  switch (t.kind) {
    case "condition":
      return `${t.field.join(".")}${t.operator}${value(t.value)}`;
    case "text":
      return `123TEXTQUERY321=${esc(t.value)}`;
    case "related": {
      const inner = formatEncodedQuery(t.query);
      return `RLQUERY${t.table}.${t.field},${t.comparator}${t.count}${
        inner ? `,${inner}` : ""
      }^ENDRLQUERY`;
    }
  }
}

function order(o: OrderBy): string {
  return `${o.direction === "desc" ? "ORDERBYDESC" : "ORDERBY"}${o.field.join(".")}`;
}

/**
 * Formats a query AST as an encoded query string.
 *
 * @param query the AST (as returned by `parseEncodedQuery`)
 * @returns the encoded query; `""` for the empty query
 * @example
 * ```ts
 * formatEncodedQuery(parseEncodedQuery("a=1^ORa=2^ORDERBYb")); // "a=1^ORa=2^ORDERBYb"
 * ```
 */
export function formatEncodedQuery(query: EncodedQuery): string {
  const conditions = query.groups
    .map((g) => g.clusters.map((c) => c.terms.map(term).join("^OR")).join("^"))
    .join("^NQ");
  const orders = query.orderBy.map(order).join("^");
  if (conditions && orders) return `${conditions}^${orders}`;
  return conditions || orders;
}

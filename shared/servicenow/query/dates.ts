/**
 * Date helpers for encoded queries: the Table API datetime format and the
 * resolution of relative values (`javascript:gs.*`, RELATIVE*) to concrete UTC
 * datetimes for a given `now`, so evaluators are deterministic.
 *
 * All computations are in UTC. (On a real instance `gs.beginningOfToday()` uses the
 * session user's time zone; an integration user is normally set to UTC/GMT.)
 *
 * @module
 */

import type {
  AndGroup,
  DateGranularity,
  EncodedQuery,
  OrCluster,
  QueryTerm,
  RelativeUnit,
  ScalarValue,
  ScriptCall,
  TermValue,
} from "./ast.ts";

/** Options for resolving relative values. */
export interface ResolveDatesOptions {
  /** The instant treated as "now". */
  now: Date;
  /** sys_id returned by `gs.getUserID()`; empty string when absent. */
  userId?: string;
}

/** ServiceNow's "Me" dynamic filter sys_id. */
export const DYNAMIC_ME = "90d1921e5f510100a9ad2572f2b477fe";

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/**
 * Formats an instant as the Table API's `YYYY-MM-DD HH:MM:SS` (UTC, no zone).
 *
 * @param date the instant
 * @returns e.g. `2016-01-19 04:52:04`
 */
export function formatGlideDateTime(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${
    pad(date.getUTCHours())
  }:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/**
 * Parses `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` (UTC).
 *
 * @param text the value as sent by the Table API
 * @returns the instant, or `null` when the text is not a datetime
 */
export function parseGlideDateTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  return Number.isNaN(ms) ? null : new Date(ms);
}

const DAY_MS = 86_400_000;

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function endOfDay(d: Date): Date {
  return new Date(startOfDay(d).getTime() + DAY_MS - 1000);
}

function addMonths(d: Date, months: number): Date {
  const r = new Date(d.getTime());
  const day = r.getUTCDate();
  r.setUTCDate(1);
  r.setUTCMonth(r.getUTCMonth() + months);
  const last = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 0)).getUTCDate();
  r.setUTCDate(Math.min(day, last));
  return r;
}

/**
 * Shifts an instant by a whole number of relative-date units (negative = into the past).
 *
 * @param date the starting instant
 * @param unit the unit (`dayofweek` is a day)
 * @param amount how many units; calendar units clamp to the month's last day
 * @returns the shifted instant
 */
export function shiftDate(date: Date, unit: RelativeUnit, amount: number): Date {
  switch (unit) {
    case "minute":
      return new Date(date.getTime() + amount * 60_000);
    case "hour":
      return new Date(date.getTime() + amount * 3_600_000);
    case "day":
    case "dayofweek":
      return new Date(date.getTime() + amount * DAY_MS);
    case "week":
      return new Date(date.getTime() + amount * 7 * DAY_MS);
    case "month":
      return addMonths(date, amount);
    case "quarter":
      return addMonths(date, amount * 3);
    case "year":
      return addMonths(date, amount * 12);
  }
}

/**
 * The first and last second of the calendar bucket (minute, hour, day, …) holding `date`.
 *
 * @param date the instant
 * @param unit the bucket size
 * @returns inclusive start and end instants
 */
export function unitBounds(
  date: Date,
  unit: RelativeUnit | DateGranularity,
): { start: Date; end: Date } {
  const y = date.getUTCFullYear();
  const mo = date.getUTCMonth();
  let start: Date;
  let next: Date;
  switch (unit) {
    case "second":
      return { start: date, end: date };
    case "minute":
      start = new Date(Math.floor(date.getTime() / 60_000) * 60_000);
      next = new Date(start.getTime() + 60_000);
      break;
    case "hour":
      start = new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);
      next = new Date(start.getTime() + 3_600_000);
      break;
    case "day":
    case "dayofweek":
      start = startOfDay(date);
      next = new Date(start.getTime() + DAY_MS);
      break;
    case "week": {
      const dow = (date.getUTCDay() + 6) % 7; // Monday = 0
      start = new Date(startOfDay(date).getTime() - dow * DAY_MS);
      next = new Date(start.getTime() + 7 * DAY_MS);
      break;
    }
    case "month":
      start = new Date(Date.UTC(y, mo, 1));
      next = new Date(Date.UTC(y, mo + 1, 1));
      break;
    case "quarter":
      start = new Date(Date.UTC(y, mo - (mo % 3), 1));
      next = new Date(Date.UTC(y, mo - (mo % 3) + 3, 1));
      break;
    case "year":
      start = new Date(Date.UTC(y, 0, 1));
      next = new Date(Date.UTC(y + 1, 0, 1));
      break;
  }
  return { start, end: new Date(next.getTime() - 1000) };
}

/**
 * Evaluates a whitelisted GlideSystem call.
 *
 * @param call the parsed call
 * @param options `now` and the user id for `gs.getUserID()`
 * @returns a `YYYY-MM-DD HH:MM:SS` datetime, or the user sys_id for getUserID
 */
export function resolveScriptCall(call: ScriptCall, options: ResolveDatesOptions): string {
  const now = options.now;
  const n = typeof call.args[0] === "number" ? call.args[0] : 0;
  switch (call.fn) {
    case "getUserID":
      return options.userId ?? "";
    case "daysAgo":
      return formatGlideDateTime(new Date(now.getTime() - n * DAY_MS));
    case "daysAgoStart":
      return formatGlideDateTime(startOfDay(new Date(now.getTime() - n * DAY_MS)));
    case "daysAgoEnd":
      return formatGlideDateTime(endOfDay(new Date(now.getTime() - n * DAY_MS)));
    case "beginningOfToday":
      return formatGlideDateTime(startOfDay(now));
    case "endOfToday":
      return formatGlideDateTime(endOfDay(now));
    case "beginningOfYesterday":
      return formatGlideDateTime(startOfDay(new Date(now.getTime() - DAY_MS)));
    case "endOfYesterday":
      return formatGlideDateTime(endOfDay(new Date(now.getTime() - DAY_MS)));
    case "beginningOfLast30Days":
      return formatGlideDateTime(startOfDay(new Date(now.getTime() - 30 * DAY_MS)));
    case "beginningOfLast90Days":
      return formatGlideDateTime(startOfDay(new Date(now.getTime() - 90 * DAY_MS)));
    case "beginningOfLast6Months":
      return formatGlideDateTime(startOfDay(addMonths(now, -6)));
    case "dateGenerate": {
      const [date, time] = call.args as string[];
      if (time === undefined) return date!.length === 10 ? `${date} 00:00:00` : date!;
      if (time === "start") return `${date} 00:00:00`;
      if (time === "end") return `${date} 23:59:59`;
      return `${date} ${time}`;
    }
  }
}

/**
 * Resolves one scalar value to its literal text.
 *
 * @param value a literal or script value
 * @param options `now` and the user id
 * @returns the literal text
 */
export function resolveScalar(value: ScalarValue, options: ResolveDatesOptions): string {
  return value.kind === "literal" ? value.value : resolveScriptCall(value.call, options);
}

const literal = (value: string): ScalarValue => ({ kind: "literal", value });

/**
 * The concrete threshold of a RELATIVE* value: `now` shifted by `amount` units
 * back (`ago`) or forward (`ahead`).
 *
 * @param value the relative value
 * @param now the reference instant
 * @returns the threshold instant
 */
export function relativeThreshold(
  value: { unit: RelativeUnit; direction: "ago" | "ahead"; amount: number },
  now: Date,
): Date {
  return shiftDate(now, value.unit, value.direction === "ago" ? -value.amount : value.amount);
}

function resolveTerm(term: QueryTerm, options: ResolveDatesOptions): QueryTerm {
  if (term.kind === "text") return term;
  if (term.kind === "related") return { ...term, query: resolveQueryDates(term.query, options) };
  const v: TermValue = term.value;
  switch (v.kind) {
    case "script":
      return { ...term, value: literal(resolveScriptCall(v.call, options)) };
    case "range":
      return {
        ...term,
        value: {
          kind: "range",
          low: literal(resolveScalar(v.low, options)),
          high: literal(resolveScalar(v.high, options)),
        },
      };
    case "date_span":
      return {
        ...term,
        value: {
          ...v,
          start: literal(resolveScalar(v.start, options)),
          end: literal(resolveScalar(v.end, options)),
        },
      };
    case "relative": {
      const at = relativeThreshold(v, options.now);
      const text = formatGlideDateTime(at);
      switch (term.operator) {
        case "RELATIVEGT":
          return { ...term, operator: ">", value: literal(text) };
        case "RELATIVEGE":
          return { ...term, operator: ">=", value: literal(text) };
        case "RELATIVELT":
          return { ...term, operator: "<", value: literal(text) };
        case "RELATIVELE":
          return { ...term, operator: "<=", value: literal(text) };
        default: {
          const b = unitBounds(at, v.unit);
          return {
            ...term,
            operator: "BETWEEN",
            value: {
              kind: "range",
              low: literal(formatGlideDateTime(b.start)),
              high: literal(formatGlideDateTime(b.end)),
            },
          };
        }
      }
    }
    default:
      return term;
  }
}

/**
 * Replaces every relative value with concrete UTC datetimes for the given `now`:
 * `javascript:` calls become literals, RELATIVEGT/GE/LT/LE become `>`/`>=`/`<`/`<=`,
 * RELATIVEEE becomes BETWEEN over the unit's calendar bucket, and ON/NOTON/BETWEEN
 * bounds become literals. Field-to-field operators and DATEPART are left as they are.
 *
 * @param query the parsed query
 * @param options `now` and the user id for `gs.getUserID()`
 * @returns a new query with no relative values left
 * @example
 * ```ts
 * const q = resolveQueryDates(parseEncodedQuery("opened_at>javascript:gs.daysAgoStart(1)"),
 *   { now: new Date("2024-03-10T12:00:00Z") });
 * formatEncodedQuery(q); // "opened_at>2024-03-09 00:00:00"
 * ```
 */
export function resolveQueryDates(query: EncodedQuery, options: ResolveDatesOptions): EncodedQuery {
  const groups: AndGroup[] = query.groups.map((g) => ({
    clusters: g.clusters.map((c): OrCluster => ({
      terms: c.terms.map((t) => resolveTerm(t, options)),
    })),
  }));
  return { groups, orderBy: query.orderBy };
}

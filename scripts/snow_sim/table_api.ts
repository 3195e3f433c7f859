/**
 * Table API and Aggregate API of the simulator (docs/servicenow/api.md: endpoints to errors, and the Aggregate API).
 *
 * @module
 */

import {
  type EncodedQuery,
  type FieldAccessor,
  parseEncodedQuery,
  QueryParseError,
} from "../../shared/servicenow/query/mod.ts";
import type { SimInstance } from "./instance.ts";
import { type ColumnDef, schemaOf, type TableSchema } from "./schema.ts";
import type { Row } from "./store.ts";

/** The authenticated caller. */
export interface Caller {
  userId: string;
  userName: string;
  timeZone: string;
  dateFormat: string;
  timeFormat: string;
}

/** Request context handed to the API handlers. */
export interface ApiRequest {
  url: URL;
  /** Instance base URL used in links, e.g. `http://127.0.0.1:8080/acme`. */
  base: string;
  /** "v1" or "v2" (unversioned = latest = v2). */
  version: "v1" | "v2";
  caller: Caller;
}

const JSON_TYPE = "application/json;charset=UTF-8";

/**
 * The platform's error envelope.
 *
 * @param status HTTP status
 * @param message error.message
 * @param detail error.detail (null allowed)
 * @param headers extra headers
 * @returns the response
 */
export function errorResponse(
  status: number,
  message: string,
  detail: string | null,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: { message, detail }, status: "failure" }), {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
  });
}

function json(body: unknown, headers: Record<string, string> = {}, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
  });
}

const invalidTable = (t: string) =>
  errorResponse(400, `Invalid table ${t}`, `Table ${t} does not exist`);
const denied = () => errorResponse(403, "Insufficient rights to query records", null);
const noRecord = () =>
  errorResponse(
    404,
    "No Record found",
    "Record doesn't exist or ACL restricts the record retrieval",
  );

// ---------------------------------------------------------------- display values

const partsCache = new Map<string, Intl.DateTimeFormat>();

function zoned(date: Date, timeZone: string): Record<string, string> {
  let fmt = partsCache.get(timeZone);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat("en-US", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      fmt = new Intl.DateTimeFormat("en-US", {
        timeZone: "UTC",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
    }
    partsCache.set(timeZone, fmt);
  }
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
  return out;
}

function applyPattern(pattern: string, p: Record<string, string>): string {
  const h = Number(p.hour ?? "0");
  return pattern.replace(/yyyy|MM|dd|HH|hh|mm|ss|a/g, (tok) => {
    switch (tok) {
      case "yyyy":
        return p.year ?? "";
      case "MM":
        return p.month ?? "";
      case "dd":
        return p.day ?? "";
      case "HH":
        return String(h).padStart(2, "0");
      case "hh":
        return String(h % 12 === 0 ? 12 : h % 12).padStart(2, "0");
      case "mm":
        return p.minute ?? "";
      case "ss":
        return p.second ?? "";
      default:
        return h < 12 ? "AM" : "PM";
    }
  });
}

/**
 * Renders a stored value as the caller sees it with `sysparm_display_value=true`:
 * choice labels, datetimes in the caller's time zone and formats.
 *
 * @param col column definition
 * @param raw stored value
 * @param caller the caller (time zone, date and time format)
 * @returns display text
 */
export function displayOfValue(col: ColumnDef, raw: string, caller: Caller): string {
  if (raw === "") return "";
  if (col.choices && raw in col.choices) return col.choices[raw]!;
  if (col.type === "glide_date_time") {
    const d = new Date(raw.replace(" ", "T") + "Z");
    if (Number.isNaN(d.getTime())) return raw;
    const p = zoned(d, caller.timeZone || "UTC");
    return `${applyPattern(caller.dateFormat || "yyyy-MM-dd", p)} ${
      applyPattern(caller.timeFormat || "HH:mm:ss", p)
    }`;
  }
  if (col.type === "glide_date") {
    const [y, m, d] = raw.split("-");
    return applyPattern(caller.dateFormat || "yyyy-MM-dd", {
      year: y ?? "",
      month: m ?? "",
      day: d ?? "",
    });
  }
  return raw;
}

// ---------------------------------------------------------------- field selection

interface FieldSel {
  key: string;
  col: ColumnDef;
  /** Table holding the final column (for field ACLs). */
  owner: string;
  acc: FieldAccessor<Row>;
}

function columnAt(
  table: string,
  path: readonly string[],
): { col: ColumnDef; owner: string } | null {
  let schema: TableSchema | undefined = schemaOf(table);
  let owner = table;
  for (let i = 0; i < path.length; i++) {
    if (!schema) return null;
    const col = schema.columns.find((c) => c.name === path[i]);
    if (!col) return null;
    if (i === path.length - 1) return { col, owner };
    if (col.type !== "reference" || !col.reference) return null;
    owner = col.reference;
    schema = schemaOf(col.reference);
  }
  return null;
}

function selectFields(
  inst: SimInstance,
  table: string,
  param: string | null,
  userId: string,
): FieldSel[] {
  const keys = param && param.trim() !== ""
    ? [...new Set(param.split(",").map((f) => f.trim()).filter(Boolean))]
    : schemaOf(table)!.columns.map((c) => c.name);
  const out: FieldSel[] = [];
  for (const key of keys) {
    const path = key.split(".");
    const found = columnAt(table, path);
    const acc = found ? inst.accessor(table, path) : null;
    if (!found || !acc) continue; // unknown fields are ignored
    if (!inst.canReadField(found.owner, found.col.name, userId)) continue; // field ACL: omitted
    out.push({ key, col: found.col, owner: found.owner, acc });
  }
  return out;
}

type DisplayMode = "false" | "true" | "all";

function serialize(
  inst: SimInstance,
  req: ApiRequest,
  fields: FieldSel[],
  row: Row,
  mode: DisplayMode,
  excludeLink: boolean,
): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  for (const f of fields) {
    let raw = f.acc.get(row);
    if (f.col.type === "password" || f.col.type === "password2") raw = "";
    if (f.col.type === "reference" && f.col.reference) {
      if (raw === "") {
        rec[f.key] = mode === "all" ? { display_value: "", value: "" } : "";
        continue;
      }
      const link = `${req.base}/api/now/table/${f.col.reference}/${raw}`;
      const display = mode === "false" ? "" : inst.dataset.displayOf(f.col.reference, raw);
      if (mode === "false") rec[f.key] = excludeLink ? raw : { link, value: raw };
      else if (mode === "true") {
        rec[f.key] = excludeLink ? display : { display_value: display, link };
      } else {rec[f.key] = excludeLink
          ? { display_value: display, value: raw }
          : { display_value: display, link, value: raw };}
      continue;
    }
    if (mode === "false") rec[f.key] = raw;
    else if (mode === "true") rec[f.key] = displayOfValue(f.col, raw, req.caller);
    else rec[f.key] = { display_value: displayOfValue(f.col, raw, req.caller), value: raw };
  }
  return rec;
}

function displayMode(v: string | null): DisplayMode {
  return v === "true" || v === "all" ? v : "false";
}

function bool(v: string | null): boolean {
  return v === "true";
}

/** Builds the query from sysparm_query or, when absent, from name=value pairs. */
function readQuery(url: URL): { text: string } {
  const q = url.searchParams.get("sysparm_query");
  if (q !== null) return { text: q };
  const pairs: string[] = [];
  for (const [k, v] of url.searchParams) {
    if (k.startsWith("sysparm_")) continue;
    pairs.push(`${k}=${v.replaceAll("^", "^^")}`);
  }
  return { text: pairs.join("^") };
}

function parseOrReject(inst: SimInstance, text: string): EncodedQuery | Response {
  try {
    return parseEncodedQuery(text);
  } catch (e) {
    if (!(e instanceof QueryParseError)) throw e;
    if (inst.knobs.queryParseErrors === "reject") {
      return errorResponse(400, "Invalid encoded query", e.message);
    }
    // Treated like an invalid term: ignored (all rows) unless the strict property is set.
    return inst.strictQueries()
      ? { groups: [{ clusters: [] }], orderBy: [] }
      : { groups: [], orderBy: [] };
  }
}

/** Keyset start (`sys_id>X` / `sys_id>=X` in a single AND-group ordered by sys_id), if any. */
function keysetStart(q: EncodedQuery): { id: string; inclusive: boolean; only: boolean } | null {
  if (q.groups.length !== 1) return null;
  if (q.orderBy.length > 1) return null;
  const o = q.orderBy[0];
  if (o && !(o.field.length === 1 && o.field[0] === "sys_id" && o.direction === "asc")) return null;
  const clusters = q.groups[0]!.clusters;
  for (const c of clusters) {
    const t = c.terms[0];
    if (
      c.terms.length === 1 && t?.kind === "condition" && t.field.length === 1 &&
      t.field[0] === "sys_id" &&
      (t.operator === ">" || t.operator === ">=") && t.value.kind === "literal"
    ) {
      return { id: t.value.value, inclusive: t.operator === ">=", only: clusters.length === 1 };
    }
  }
  return null;
}

function linkHeader(
  req: ApiRequest,
  offset: number,
  limit: number,
  total: number | null,
  full: boolean,
): string | null {
  const url = new URL(req.url);
  const at = (o: number) => {
    url.searchParams.set("sysparm_offset", String(o));
    url.searchParams.set("sysparm_limit", String(limit));
    return `${req.base}${url.pathname}?${url.searchParams.toString()}`;
  };
  const links: string[] = [`<${at(0)}>;rel="first"`];
  if (offset > 0) links.push(`<${at(Math.max(0, offset - limit))}>;rel="prev"`);
  const hasNext = total === null ? full : offset + limit < total;
  if (hasNext) links.push(`<${at(offset + limit)}>;rel="next"`);
  if (total !== null) {
    links.push(
      `<${at(Math.max(0, Math.floor(Math.max(0, total - 1) / limit) * limit))}>;rel="last"`,
    );
  }
  return links.join(",");
}

/**
 * GET /api/now/table/{table}.
 *
 * @param inst the instance
 * @param req the request context
 * @param table table name
 * @returns the response
 */
export function listRecords(inst: SimInstance, req: ApiRequest, table: string): Response {
  if (!inst.hasTable(table)) return invalidTable(table);
  const { userId } = req.caller;
  if (!inst.canReadTable(table, userId)) return denied();
  const url = req.url;
  const parsed = parseOrReject(inst, readQuery(url).text);
  if (parsed instanceof Response) return parsed;
  const offsetText = url.searchParams.get("sysparm_offset");
  const offset = offsetText === null || offsetText === "" ? 0 : Number(offsetText);
  if (!Number.isInteger(offset) || offset < 0) {
    return errorResponse(
      400,
      "Invalid value for sysparm_offset",
      "sysparm_offset must be a non-negative integer",
    );
  }
  const limitText = url.searchParams.get("sysparm_limit");
  let limit = limitText === null || limitText === "" ? inst.knobs.defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit <= 0) limit = inst.knobs.defaultLimit;
  if (inst.knobs.maxLimit !== null) limit = Math.min(limit, inst.knobs.maxLimit);
  const noCount = bool(url.searchParams.get("sysparm_no_count"));
  const queryText = readQuery(url).text;

  let page: Row[];
  let total: number | null = null;
  const keyset = keysetStart(parsed);
  if (keyset) {
    // Keyset paging: binary search to the start, scan forward; no full scan per page.
    const rows = inst.dataset.rowsOf(table);
    let start = 0;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = rows[mid]![0]!;
      if (v < keyset.id || (!keyset.inclusive && v === keyset.id)) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
    const compiled = inst.compile(table, parsed, userId);
    page = [];
    let skipped = 0;
    let i = start;
    for (; i < rows.length && page.length < limit; i++) {
      if (!compiled.test(rows[i]!)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      page.push(rows[i]!);
    }
    if (!noCount) {
      if (keyset.only && compiled.ignoredFields.length === 0) total = rows.length - start;
      else {
        let n = skipped + page.length;
        for (; i < rows.length; i++) if (compiled.test(rows[i]!)) n++;
        total = n;
      }
    }
  } else {
    const all = inst.matching(table, queryText, parsed, userId);
    page = all.slice(offset, offset + limit) as Row[];
    total = noCount ? null : all.length;
  }
  const windowFull = page.length === limit;
  // ACLs apply after the limit: a page can come back short.
  const visible = inst.rowFilter(table, userId);
  if (visible) page = page.filter(visible);

  if (page.length === 0 && req.version === "v1") return noRecord();
  const fields = selectFields(inst, table, url.searchParams.get("sysparm_fields"), userId);
  const mode = displayMode(url.searchParams.get("sysparm_display_value"));
  const excludeLink = bool(url.searchParams.get("sysparm_exclude_reference_link"));
  const result = page.map((r) => serialize(inst, req, fields, r, mode, excludeLink));
  const headers: Record<string, string> = {};
  if (total !== null) headers["X-Total-Count"] = String(total);
  const singlePage = total !== null && offset === 0 && total <= limit;
  if (
    !bool(url.searchParams.get("sysparm_suppress_pagination_header")) &&
    !(singlePage && !inst.knobs.linkHeaderOnSinglePage)
  ) {
    const link = linkHeader(req, offset, limit, total, windowFull);
    if (link) headers["Link"] = link;
  }
  return json({ result }, headers);
}

/**
 * GET /api/now/table/{table}/{sys_id}.
 *
 * @param inst the instance
 * @param req the request context
 * @param table table name
 * @param sysId record id
 * @returns the response
 */
export function getRecord(
  inst: SimInstance,
  req: ApiRequest,
  table: string,
  sysId: string,
): Response {
  if (!inst.hasTable(table)) return invalidTable(table);
  const { userId } = req.caller;
  if (!inst.canReadTable(table, userId)) return denied();
  const row = inst.dataset.find(table, sysId);
  if (!row) return noRecord();
  const visible = inst.rowFilter(table, userId);
  if (visible && !visible(row)) return noRecord();
  const url = req.url;
  const fields = selectFields(inst, table, url.searchParams.get("sysparm_fields"), userId);
  const mode = displayMode(url.searchParams.get("sysparm_display_value"));
  const excludeLink = bool(url.searchParams.get("sysparm_exclude_reference_link"));
  return json({ result: serialize(inst, req, fields, row, mode, excludeLink) });
}

// ---------------------------------------------------------------- Aggregate API

type Agg = "avg" | "min" | "max" | "sum";

function numeric(col: ColumnDef | undefined): boolean {
  return col?.type === "integer" || col?.type === "decimal" ||
    (col?.type === "choice" && col.numeric === true);
}

function formatNumber(n: number, decimals: boolean): string {
  if (!decimals && Number.isInteger(n)) return String(n);
  return n.toFixed(4);
}

/**
 * GET /api/now/stats/{table}.
 *
 * @param inst the instance
 * @param req the request context
 * @param table table name
 * @returns the response
 */
export function aggregate(inst: SimInstance, req: ApiRequest, table: string): Response {
  if (!inst.hasTable(table)) return invalidTable(table);
  const { userId } = req.caller;
  if (!inst.canReadTable(table, userId)) return denied();
  const url = req.url;
  const queryText = readQuery(url).text;
  const parsed = parseOrReject(inst, queryText);
  if (parsed instanceof Response) return parsed;
  let rows = inst.matching(table, queryText, parsed, userId);
  const visible = inst.rowFilter(table, userId);
  if (visible) rows = rows.filter(visible);
  const list = (name: string) =>
    (url.searchParams.get(name) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const count = bool(url.searchParams.get("sysparm_count"));
  const aggFields: [Agg, string][] = [
    ...list("sysparm_avg_fields").map((f) => ["avg", f] as [Agg, string]),
    ...list("sysparm_min_fields").map((f) => ["min", f] as [Agg, string]),
    ...list("sysparm_max_fields").map((f) => ["max", f] as [Agg, string]),
    ...list("sysparm_sum_fields").map((f) => ["sum", f] as [Agg, string]),
  ];
  const groupBy = list("sysparm_group_by")
    .map((f) => ({
      field: f,
      acc: inst.accessor(table, f.split(".")),
      col: columnAt(table, f.split("."))?.col,
    }))
    .filter((g) => g.acc !== null);
  const mode = displayMode(url.searchParams.get("sysparm_display_value"));

  const accs = new Map<string, { acc: FieldAccessor<Row>; col: ColumnDef | undefined }>();
  for (const [, f] of aggFields) {
    const acc = inst.accessor(table, f.split("."));
    if (acc) accs.set(f, { acc, col: columnAt(table, f.split("."))?.col });
  }
  const statsOf = (group: readonly Row[]) => {
    const stats: Record<string, unknown> = {};
    if (count) stats.count = String(group.length);
    for (const agg of ["avg", "min", "max", "sum"] as Agg[]) {
      const fields = aggFields.filter(([a]) => a === agg).map(([, f]) => f);
      if (fields.length === 0) continue;
      const out: Record<string, string> = {};
      for (const f of fields) {
        const a = accs.get(f);
        if (!a) continue;
        const values = group.map((r) => a.acc.get(r)).filter((v) => v !== "");
        if (agg === "min" || agg === "max") {
          const cmp = numeric(a.col)
            ? (x: string, y: string) => Number(x) - Number(y)
            : (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
          const sorted = [...values].sort(cmp);
          out[f] = (agg === "min" ? sorted[0] : sorted[sorted.length - 1]) ?? "";
        } else {
          const nums = values.map(Number).filter((n) => !Number.isNaN(n));
          const sum = nums.reduce((s, n) => s + n, 0);
          out[f] = agg === "sum"
            ? formatNumber(sum, false)
            : nums.length === 0
            ? ""
            : (sum / nums.length).toFixed(4);
        }
      }
      stats[agg] = out;
    }
    return stats;
  };

  if (groupBy.length === 0) return json({ result: { stats: statsOf(rows) } });

  const groups = new Map<string, { values: string[]; rows: Row[] }>();
  for (const r of rows) {
    const values = groupBy.map((g) => g.acc!.get(r));
    const key = JSON.stringify(values);
    const g = groups.get(key) ?? groups.set(key, { values, rows: [] }).get(key)!;
    g.rows.push(r);
  }
  let entries = [...groups.values()].map((g) => ({ ...g, stats: statsOf(g.rows) }));

  const having = url.searchParams.get("sysparm_having");
  if (having) {
    const [agg, field, op, value] = having.split("^");
    const target = Number(value);
    entries = entries.filter((e) => {
      let v: number;
      if (agg?.toLowerCase() === "count") {
        const a = field ? inst.accessor(table, field.split(".")) : null;
        v = a ? e.rows.filter((r) => a.get(r) !== "").length : e.rows.length;
      } else {
        const a = field ? inst.accessor(table, field.split(".")) : null;
        const nums = a ? e.rows.map((r) => Number(a.get(r))).filter((n) => !Number.isNaN(n)) : [];
        const sum = nums.reduce((s, n) => s + n, 0);
        v = agg === "avg"
          ? sum / Math.max(1, nums.length)
          : agg === "sum"
          ? sum
          : agg === "min"
          ? Math.min(...nums)
          : Math.max(...nums);
      }
      switch (op) {
        case ">":
          return v > target;
        case ">=":
          return v >= target;
        case "<":
          return v < target;
        case "<=":
          return v <= target;
        case "=":
          return v === target;
        case "!=":
          return v !== target;
        default:
          return true;
      }
    });
  }

  const orderBy = url.searchParams.get("sysparm_order_by");
  if (orderBy) {
    const parts = orderBy.split("^");
    const desc = parts[parts.length - 1]?.toUpperCase() === "DESC";
    const head = parts[0] ?? "";
    const aggName = head.toUpperCase();
    let key: (e: typeof entries[number]) => number | string;
    if (aggName === "COUNT") key = (e) => e.rows.length;
    else if (["AVG", "MIN", "MAX", "SUM"].includes(aggName)) {
      const field = parts[1] ?? "";
      key = (e) =>
        Number(
          (e.stats[aggName.toLowerCase()] as Record<string, string> | undefined)?.[field] ?? 0,
        );
    } else {
      const idx = groupBy.findIndex((g) => g.field === head);
      key = (e) => e.values[Math.max(0, idx)] ?? "";
    }
    entries.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === "number" && typeof y === "number"
        ? x - y
        : String(x) < String(y)
        ? -1
        : String(x) > String(y)
        ? 1
        : 0;
      return desc ? -c : c;
    });
  }

  const result = entries.map((e) => ({
    stats: e.stats,
    groupby_fields: groupBy.map((g, i) => {
      const value = e.values[i]!;
      const item: Record<string, string> = { value, field: g.field };
      if (mode !== "false" && g.col) {
        item.display_value = g.col.type === "reference" && g.col.reference
          ? inst.dataset.displayOf(g.col.reference, value)
          : displayOfValue(g.col, value, req.caller);
      }
      return item;
    }),
  }));
  return json({ result });
}

/**
 * CSV of a report's findings: RFC 4180 (CRLF line ends, fields with commas,
 * quotes or line breaks quoted, quotes doubled), UTF-8 with an optional byte
 * order mark for spreadsheet programs, and every cell that a spreadsheet would
 * read as a formula neutralised.
 *
 * @module
 */

import type { ReportContent } from "../model.ts";
import { type Cell, FINDING_COLUMNS } from "./rows.ts";
import { type ByteSink, TextSink } from "./sink.ts";

/** Options of {@linkcode renderCsv}. */
export interface CsvOptions {
  /** Starts the file with a UTF-8 byte order mark (Excel needs it to read UTF-8). */
  bom?: boolean;
  /** Called every 1000 rows with the rows written so far. */
  onProgress?: (rows: number) => Promise<void> | void;
}

/** Characters that make a spreadsheet treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Makes a cell safe to open in a spreadsheet: a value starting with `=`, `+`,
 * `-`, `@`, tab or carriage return is prefixed with an apostrophe, which
 * spreadsheets show as text (OWASP's advice for CSV injection).
 *
 * @param value the cell's text
 * @returns the text, neutralised
 */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * One CSV field: formatted, neutralised and quoted as RFC 4180 requires.
 *
 * @param cell the value
 * @returns the field's text
 */
export function csvField(cell: Cell): string {
  const text = cell === null
    ? ""
    : cell instanceof Date
    ? cell.toISOString()
    : typeof cell === "string"
    ? neutralizeFormula(cell)
    : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes the report's findings as CSV, one row per finding, streaming.
 *
 * @param content the report
 * @param sink where the bytes go
 * @param options BOM and progress
 * @returns the number of rows written (without the header)
 */
export async function renderCsv(
  content: ReportContent,
  sink: ByteSink,
  options: CsvOptions = {},
): Promise<number> {
  const out = new TextSink(sink);
  if (options.bom) await out.text("\uFEFF");
  await out.text(FINDING_COLUMNS.map((c) => csvField(c.header)).join(",") + "\r\n");
  let rows = 0;
  for await (const finding of content.findings()) {
    await out.text(FINDING_COLUMNS.map((c) => csvField(c.value(finding))).join(",") + "\r\n");
    if (++rows % 1000 === 0) await options.onProgress?.(rows);
  }
  await out.flush();
  return rows;
}
